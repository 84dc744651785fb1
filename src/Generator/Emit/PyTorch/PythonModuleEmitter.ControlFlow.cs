using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Containers and control flow: labeled groups (an nn.Sequential or a helper class), if/elif chains, and loops.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        // ------------------------------------------------------------ containers and control flow

        private void Container(StatementSyntax inner, string key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (BodyForms.IsChain(_program, inner, ctx.Scope))
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
            var used = BodyForms.NamesUsed(new[] { inner });
            var captured = ctx.Scope.Visible().Where(c => used.Contains(c.ArchName)).ToList();
            var helperName = _nextHelperName();
            var emitter = new PythonModuleEmitter(_expr, _program, helperName, _path, _diagnostics, Array.Empty<string>(), _helpers, _nextHelperName) { InPlaceSites = InPlaceSites };
            var scope = new CsScope(null);
            var (signature, prologue) = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope, "input_shape");
            var (hinit, hfwd) = emitter.Body(new[] { inner }, scope, "shape");
            _helpers.Add(PythonClassWriter.ModuleClass(helperName, "A labeled group of " + _className + ".", true, signature, prologue, null, hinit, hfwd, emitter.AuxOutputs));
            var args = string.Join(", ", new[] { ctx.ShapeVar }.Concat(captured.Select(c => c.CsName)));
            Place(helperName + "(" + args + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
        }

        private void If(IfStmt ifs, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var cond = _expr.Emit(ifs.Condition, ctx.Scope, ctx.ShapeVar);
            if (ctx.Mode != Mode.Explicit)
            {
                if (!BodyForms.IsChain(_program, ifs, ctx.Scope)) { NotSupported(ifs, "this 'if' inside a loop or group; put it in a block"); return; }
                init.Open("if " + cond);
                foreach (var s in ifs.Then.Statements) Statement(s, ctx.Nested(), init, fwd);
                init.Close();
                if (ifs.Else != null)
                {
                    init.Open("else");
                    Statement(ifs.Else, ctx.Nested(), init, fwd);
                    init.Close();
                }
                return;
            }
            var flag = Member("_if");
            init.Line(flag + " = " + cond);
            init.Open("if " + flag);
            fwd.Open("if " + flag);
            foreach (var s in ifs.Then.Statements) Statement(s, ctx.Nested(), init, fwd);
            init.Close();
            fwd.Close();
            if (ifs.Else != null)
            {
                init.Open("else");
                fwd.Open("else");
                Statement(ifs.Else, ctx.Nested(), init, fwd);
                init.Close();
                fwd.Close();
            }
        }

        private void Loop(StatementSyntax loop, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var body = loop is RepeatStmt r ? r.Body : ((ForStmt)loop).Body;
            if (!body.Statements.All(s => BodyForms.IsChain(_program, s, ctx.Scope)))
            {
                NotSupported(loop, "a loop whose body is more than a chain of layers and blocks; put the body in a block");
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
