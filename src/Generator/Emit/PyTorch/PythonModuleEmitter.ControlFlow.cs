using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Containers and control flow: labeled groups (an nn.Sequential or a helper class), if/elif chains, and loops.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        // ------------------------------------------------------------ containers and control flow

        private void Container(Lowering.Container container, string key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var inner = container.Labeled.Statement;
            if (container.Sequential)
            {
                var seq = _locals.Fresh("seq");
                var names = _locals.Fresh("seq_names");
                init.Line(seq + " = nn.Sequential()");
                init.Line(names + " = _ChildNames()");
                var inside = ctx with { Scope = new CsScope(ctx.Scope), NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential, CollectList = null };
                Statement(inner, inside, init, new PyWriter());
                Place(seq, _ => "", key, staticName, ctx, init, fwd);
                return;
            }
            // More than a chain: a helper class holding the statement, built with the scalars in scope it reads.
            var captured = ctx.Scope.Visible().Where(c => container.NamesUsed.Contains(c.ArchName)).ToList();
            var helperName = _nextHelperName("Group");
            var emitter = new PythonModuleEmitter(_expr, _program, helperName, _path, _diagnostics, Array.Empty<string>(), _helpers, _nextHelperName, _inPlace);
            var scope = new CsScope(null);
            var (signature, prologue) = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope, "input_shape");
            var (hinit, hfwd) = emitter.Body(new[] { inner }, scope, "shape");
            _helpers.Add(PythonClassWriter.ModuleClass(helperName, "A labeled group of " + _className + ".", true, signature, prologue, null, hinit, hfwd, emitter.AuxOutputs));
            var args = string.Join(", ", new[] { ctx.ShapeVar }.Concat(captured.Select(c => c.CsName)));
            Place(helperName + "(" + args + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
        }

        /// <summary>An if / else-if chain, each <c>else if</c> an <c>if</c> inside the <c>else</c> before it. In an
        /// explicit forward each condition is a member the forward tests, set where the constructor evaluates it.</summary>
        private void If(Conditional conditional, Ctx ctx, PyWriter init, PyWriter fwd) => IfFrom(conditional, 0, ctx, init, fwd);

        private void IfFrom(Conditional conditional, int index, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var branch = conditional.Branches[index];
            var cond = _expr.Emit(branch.Condition, ctx.Scope, ctx.ShapeVar);
            bool isExplicit = ctx.Mode == Mode.Explicit;
            if (isExplicit)
            {
                var flag = Member("_if");
                init.Line(flag + " = " + cond);
                init.Open("if " + flag);
                fwd.Open("if " + flag);
            }
            else init.Open("if " + cond);
            foreach (var s in branch.Then.Statements) Statement(s, ctx.Nested(), init, fwd);
            init.Close();
            if (isExplicit) fwd.Close();
            bool more = index + 1 < conditional.Branches.Length;
            if (!more && conditional.Else == null) return;
            init.Open("else");
            if (isExplicit) fwd.Open("else");
            if (more) IfFrom(conditional, index + 1, ctx.Nested(), init, fwd);
            else Statement(conditional.Else!, ctx.Nested(), init, fwd);
            init.Close();
            if (isExplicit) fwd.Close();
        }

        private void Loop(Lowering.Loop lowered, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var (loop, body) = (lowered.Statement, lowered.Body);
            if (lowered.Form == LoopForm.IterationClasses)
            {
                LoopOfBodies(lowered, ctx, init, fwd);
                return;
            }
            var inner = ctx.Nested();
            if (ctx.Mode == Mode.Explicit)
            {
                // A plain list: the modules are registered on this module by name, the list only orders the forward.
                var list = Member("_stage");
                init.Line(list + " = []");
                inner = inner with { Mode = Mode.Collect, CollectList = list };
                fwd.Open("for m in " + list).Line(ctx.TensorVar + " = m(" + ctx.TensorVar + ")").Close();
            }
            LoopHeader(loop, ctx, inner, init);
            foreach (var s in body.Statements) Statement(s, inner, init, fwd);
            init.Close();
        }

        /// <summary>A loop whose body holds residuals, merges or tensor expressions, as in the C# target: a helper class
        /// built once per iteration with the scalars in scope it reads (the loop variable included). It keys its
        /// modules with the owner's <c>names</c> and the owner adds them as its own children, so the state-dict keys are
        /// those of the body written out in place; the iterations themselves sit in a plain list the forward runs.</summary>
        private void LoopOfBodies(Lowering.Loop lowered, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var list = Member("_iterations");
            init.Line(list + " = []");
            var inner = ctx.Nested();
            LoopHeader(lowered.Statement, ctx, inner, init);
            var captured = inner.Scope.Visible().Where(c => lowered.NamesUsed.Contains(c.ArchName)).ToList();
            var helperName = _nextHelperName("Iteration");
            var emitter = new PythonModuleEmitter(_expr, _program, helperName, _path, _diagnostics, Array.Empty<string>(), _helpers, _nextHelperName, _inPlace);
            var scope = new CsScope(null);
            var (signature, prologue) = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope, "input_shape");
            var (hinit, hfwd) = emitter.Body(lowered.Body.Statements, scope, "shape", ownerNames: true);
            _helpers.Add(PythonClassWriter.ModuleClass(helperName, "One iteration of a loop of " + _className + "; its modules are added as the owner's children.",
                true, new[] { "names" }.Concat(signature).ToList(), prologue, null, hinit, hfwd, emitter.AuxOutputs));
            var iteration = _locals.Fresh("iteration");
            var key = _locals.Fresh("key");
            var child = _locals.Fresh("child");
            init.Line(iteration + " = " + helperName + "(" + string.Join(", ", new[] { ctx.ShapeVar, ctx.NamesVar }.Concat(captured.Select(c => c.CsName))) + ")");
            init.Line(list + ".append(" + iteration + ")");
            init.Open("for " + key + ", " + child + " in " + iteration + ".named_children()").Line("self.add_module(" + key + ", " + child + ")").Close();
            init.Line(ctx.ShapeVar + " = " + iteration + ".output_shape");
            init.Close();
            fwd.Open("for m in " + list).Line(ctx.TensorVar + " = m(" + ctx.TensorVar + ")").Close();
        }

        private void LoopHeader(StatementSyntax loop, Ctx outer, Ctx inner, PyWriter init)
        {
            if (loop is RepeatStmt rep)
            {
                var i = _locals.Fresh(rep.Variable != null ? PyNaming.Identifier(rep.Variable) : "_i");
                if (rep.Variable != null) inner.Scope.Add(new CsLocal(rep.Variable, i, ArchType.Int));
                init.Open("for " + i + " in range(" + _expr.Emit(rep.Count, outer.Scope, outer.ShapeVar) + ")");
                return;
            }
            var f = (ForStmt)loop;
            var v = _locals.Fresh(PyNaming.Identifier(f.Variable));
            if (f.Source is RangeExpr range)
            {
                inner.Scope.Add(new CsLocal(f.Variable, v, ArchType.Int));
                init.Open("for " + v + " in range(" + _expr.Emit(range.From, outer.Scope, outer.ShapeVar) + ", " + _expr.Emit(range.To, outer.Scope, outer.ShapeVar) + ")");
                return;
            }
            var t = _expr.TypeOf(f.Source);
            inner.Scope.Add(new CsLocal(f.Variable, v, t.Kind == TypeKind.List ? t.Element! : ArchType.Error));
            init.Open("for " + v + " in " + _expr.Emit(f.Source, outer.Scope, outer.ShapeVar));
        }
    }
}
