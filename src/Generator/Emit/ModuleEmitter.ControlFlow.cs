using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Containers and control flow: labeled groups (a Sequential or a nested class), if/else-if chains, and loops (a module list, or a nested class per iteration).</summary>
    internal sealed partial class ModuleEmitter
    {
        // ------------------------------------------------------------ containers and control flow

        private void Container(Lowering.Container container, string key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var inner = container.Labeled.Statement;
            if (container.Sequential)
            {
                var seq = _locals.Fresh("_seq");
                var names = _locals.Fresh("_names");
                ctor.Line("var " + seq + " = nn.Sequential();");
                ctor.Line("var " + names + " = new ChildNames();");
                var inside = ctx with { Scope = new CsScope(ctx.Scope), NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential, CollectList = null };
                Statement(inner, inside, ctor, new IndentedWriter());
                Place(seq, SequentialType, _ => "", key, staticName, ctx, ctor, fwd);
                return;
            }
            // More than a chain: a nested module class holding the statement, built with the scalars in scope it reads.
            var captured = ctx.Scope.Visible().Where(c => container.NamesUsed.Contains(c.ArchName)).ToList();
            var nestedName = _members.Fresh(_className + "Group" + (++_nestedCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var emitter = new ModuleEmitter(_expr, _program, nestedName, _path, _diagnostics, ClassEmitter.ReservedMembers, _inPlace) { IsSlimmableFile = IsSlimmableFile };
            var scope = new CsScope(null);
            var parameters = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope);
            var (nctor, nfwd) = emitter.Body(new[] { inner }, scope, "shape");
            _nested.Add(ClassEmitter.ModuleClass(nestedName, "private sealed", "A labeled group of " + Naming.Xml(_className) + ".",
                new[] { "FeatureShape input" }.Concat(parameters.Select(p => p.Declaration)).ToList(), parameters, nctor, nfwd, emitter, guard: null, isNetwork: false));
            var args = string.Join(", ", new[] { ctx.ShapeVar }.Concat(captured.Select(c => c.CsName)));
            Place("new " + nestedName + "(" + args + ")", nestedName, m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd);
        }

        /// <summary>An <c>if</c> and its <c>else if</c> branches, written flat (<c>else if</c> on one line, not an
        /// <c>else</c> block per branch), so the C# grows linearly with the branches and nests one level whatever
        /// their number. In an explicit forward each branch's condition is a field the forward tests: the first is
        /// the condition, each later one is set in its branch (fields start false), so the constructor evaluates a
        /// condition only where the ones before it were false, as the front end does.</summary>
        private void If(Conditional conditional, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            bool isExplicit = ctx.Mode == Mode.Explicit;
            for (int b = 0; b < conditional.Branches.Length; b++)
            {
                var current = conditional.Branches[b];
                bool first = b == 0;
                var cond = _expr.Emit(current.Condition, ctx.Scope, ctx.ShapeVar);
                var keyword = first ? "if" : "else if";
                var inner = ctx.Nested();
                if (isExplicit)
                {
                    var field = Field("_if", "bool", false);
                    if (first) ctor.Line("this." + field + " = " + cond + ";");
                    ctor.Open(keyword + " (" + (first ? "this." + field : cond) + ")");
                    if (!first) ctor.Line("this." + field + " = true;");
                    fwd.Open(keyword + " (this." + field + ")");
                    inner = inner with { Conditional = true };
                }
                else ctor.Open(keyword + " (" + cond + ")");
                foreach (var s in current.Then.Statements) Statement(s, inner, ctor, fwd);
                ctor.Close();
                if (isExplicit) fwd.Close();
            }
            var branch = conditional.Else;
            if (branch == null) return;
            var other = isExplicit ? ctx.Nested() with { Conditional = true } : ctx.Nested();
            ctor.Open("else");
            if (isExplicit) fwd.Open("else");
            Statement(branch, other, ctor, fwd);
            ctor.Close();
            if (isExplicit) fwd.Close();
        }

        private void Loop(Lowering.Loop lowered, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var (loop, body) = (lowered.Statement, lowered.Body);
            if (lowered.Form == LoopForm.IterationClasses)
            {
                LoopOfBodies(loop, body, lowered.NamesUsed, ctx, ctor, fwd);
                return;
            }
            var inner = ctx.Nested();
            if (ctx.Mode == Mode.Explicit)
            {
                var list = Field("_stage", "System.Collections.Generic.List<" + ModuleType + ">", false);
                ctor.Line("this." + list + " = new System.Collections.Generic.List<" + ModuleType + ">();");
                inner = inner with { Mode = Mode.Collect, CollectList = "this." + list, Conditional = false };
                fwd.CallEach(ctx.TensorVar, "this." + list);
            }
            LoopHeader(loop, ctx, inner, ctor);
            foreach (var s in body.Statements) Statement(s, inner, ctor, fwd);
            ctor.Close();
        }

        /// <summary>A loop whose body holds residuals, merges or tensor expressions: the body becomes a nested module
        /// class built once per iteration with the scalars in scope (the loop variable included). It keys its modules
        /// with the owner's <c>ChildNames</c> and the owner registers them as its own children, so the state-dict keys
        /// are those of the body written out in place; the owner's forward runs the iterations in order.</summary>
        private void LoopOfBodies(StatementSyntax loop, BodySyntax body, ImmutableHashSet<string> used, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var nestedName = _members.Fresh(_className + "Iteration" + (++_nestedCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var listType = "System.Collections.Generic.List<" + nestedName + ">";
            var list = "this." + Field("_iterations", listType, ctx.Conditional);
            ctor.Line(list + " = new " + listType + "();");
            var inner = ctx.Nested();
            LoopHeader(loop, ctx, inner, ctor);
            var captured = inner.Scope.Visible().Where(c => used.Contains(c.ArchName)).ToList();
            var emitter = new ModuleEmitter(_expr, _program, nestedName, _path, _diagnostics, ClassEmitter.ReservedMembers, _inPlace) { IsSlimmableFile = IsSlimmableFile };
            var namesParam = emitter.ReserveLocal("_ownerNames");
            var scope = new CsScope(null);
            var parameters = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope);
            var (nctor, nfwd) = emitter.Body(body.Statements, scope, "shape", ownerNames: true);
            _nested.Add(ClassEmitter.ModuleClass(nestedName, "private sealed", "One iteration of a loop of " + Naming.Xml(_className) + "; its modules are registered as the owner's children.",
                new[] { "FeatureShape input", "ChildNames " + namesParam }.Concat(parameters.Select(p => p.Declaration)).ToList(), parameters, nctor, nfwd, emitter, guard: null, isNetwork: false, sharedNames: namesParam));
            var iteration = _locals.Fresh("_iteration");
            var child = _locals.Fresh("_child");
            ctor.Line("var " + iteration + " = new " + nestedName + "(" + string.Join(", ", new[] { ctx.ShapeVar, ctx.NamesVar }.Concat(captured.Select(c => c.CsName))) + ");");
            ctor.Line(list + ".Add(" + iteration + ");");
            ctor.Line("foreach (var " + child + " in " + iteration + ".named_children()) register_module(" + child + ".name, " + child + ".module);");
            ctor.Line(ctx.ShapeVar + " = " + iteration + ".OutputShape;");
            ctor.Close();
            if (ctx.Conditional)
            {
                var m = _locals.Fresh("_iteration");
                fwd.Line("foreach (var " + m + " in " + list + "!) " + ctx.TensorVar + " = " + m + ".call(" + ctx.TensorVar + ");");
            }
            else fwd.CallEach(ctx.TensorVar, list);
        }

        /// <summary>A loop's bound: a constant as it is, anything else evaluated once into a local.</summary>
        private string Bound(ExprSyntax bound, string local, Ctx outer, IndentedWriter ctor)
        {
            if (bound is IntLiteral) return _expr.EmitArgument(bound, outer.Scope, outer.ShapeVar);
            var name = _locals.Fresh(local);
            ctor.Line("var " + name + " = " + _expr.Emit(bound, outer.Scope, outer.ShapeVar) + ";");
            return name;
        }

        private void LoopHeader(StatementSyntax loop, Ctx outer, Ctx inner, IndentedWriter ctor)
        {
            if (loop is RepeatStmt rep)
            {
                var count = Bound(rep.Count, "_count", outer, ctor);
                var i = _locals.Fresh(rep.Variable != null ? Naming.Camel(rep.Variable) : "_i");
                if (rep.Variable != null) inner.Scope.Add(new CsLocal(rep.Variable, i, ArchType.Int));
                ctor.Open("for (long " + i + " = 0; " + i + " < " + count + "; " + i + "++)");
                return;
            }
            var f = (ForStmt)loop;
            var v = _locals.Fresh(Naming.Camel(f.Variable));
            if (f.Source is RangeExpr range)
            {
                var end = Bound(range.To, "_end", outer, ctor);
                inner.Scope.Add(new CsLocal(f.Variable, v, ArchType.Int));
                ctor.Open("for (long " + v + " = " + _expr.EmitArgument(range.From, outer.Scope, outer.ShapeVar) + "; " + v + " < " + end + "; " + v + "++)");
                return;
            }
            var t = _expr.TypeOf(f.Source);
            inner.Scope.Add(new CsLocal(f.Variable, v, t.Kind == TypeKind.List ? t.Element! : ArchType.Error));
            ctor.Open("foreach (var " + v + " in " + _expr.Emit(f.Source, outer.Scope, outer.ShapeVar) + ")");
        }
    }
}
