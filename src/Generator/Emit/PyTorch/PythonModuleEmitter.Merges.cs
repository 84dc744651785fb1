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
    /// <summary>Residuals, branches merged by add or concat, dense blocks, and tensor expressions.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private void Residual(Lowering.Residual r, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var inShape = _locals.Fresh("residual_input");
            var identity = _locals.Fresh("identity");
            init.Line(inShape + " = " + ctx.ShapeVar);
            fwd.Line(identity + " = " + ctx.TensorVar);
            string? active = null;
            if (r.Condition != null)
            {
                active = Member("_residual");
                init.Line(active + " = " + _expr.Emit(r.Condition, ctx.Scope, ctx.ShapeVar));
            }
            // A shortcut written first is constructed (and registered) before the body.
            var bodyInit = r.ShortcutFirst ? new PyWriter() : init;
            foreach (var s in r.Body) Statement(s, ctx.Nested(), bodyInit, fwd);
            var outShape = _locals.Fresh("residual_output");
            bodyInit.Line(outShape + " = " + ctx.ShapeVar);
            var sc = r.Shortcut;
            var shortcut = _locals.Fresh("shortcut");
            var scInit = new PyWriter();
            var scFwd = new PyWriter();
            scFwd.Line(shortcut + " = " + identity);
            if (sc.Unsupported != null || sc.Form != ShortcutForm.Identity)
            {
                string? scCond = sc.Condition == null ? null : _expr.Emit(sc.Condition, ctx.Scope, inShape);
                var scCtx = ctx.Nested() with { ShapeVar = inShape, TensorVar = shortcut };
                if (sc.Unsupported != null)
                    NotSupported(sc.Unsupported);
                else if (sc.Form == ShortcutForm.Sequential)
                {
                    var key = NameKey(sc.Name!, ctx);
                    var member = Member("_shortcut_key");
                    var seq = _locals.Fresh("seq");
                    var names = _locals.Fresh("seq_names");
                    init.Line(member + " = None");
                    scInit.Line(seq + " = nn.Sequential()");
                    scInit.Line(names + " = _ChildNames()");
                    var inside = scCtx with { NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential };
                    Statement(new GroupStmt(sc.Body!, sc.Body!.Span), inside, scInit, new PyWriter());
                    scInit.Line(member + " = " + ctx.NamesVar + ".next(" + key + ")");
                    scInit.Line((ctx.SequentialVar ?? "self") + ".add_module(" + member + ", " + seq + ")");
                    scFwd.Line("if " + member + " is not None: " + shortcut + " = self._modules[" + member + "](" + identity + ")");
                }
                else
                {
                    var list = Member("_shortcut");
                    init.Line(list + " = []");
                    var inside = scCtx with { Mode = Mode.Collect, CollectList = list };
                    foreach (var s in sc.Body!.Statements) Statement(s, inside, scInit, new PyWriter());
                    scFwd.Open("for m in " + list).Line(shortcut + " = m(" + shortcut + ")").Close();
                }
                if (scCond != null && !scInit.IsEmpty)
                {
                    var wrapped = new PyWriter();
                    wrapped.Open("if " + scCond).Append(scInit).Close();
                    scInit = wrapped;
                }
            }
            if (sc.ZeroPad)
                scFwd.Line(shortcut + " = _zero_pad_channels(" + shortcut + ", " + ctx.TensorVar + ".shape[1])");
            scFwd.Line(ctx.TensorVar + (r.SumsInPlace ? " += " : " = " + ctx.TensorVar + " + ") + shortcut);
            if (active != null)
            {
                init.Open("if " + active).Append(scInit).Close();
                fwd.Open("if " + active).Append(scFwd).Close();
            }
            else
            {
                init.Append(scInit);
                fwd.Append(scFwd);
            }
            if (r.ShortcutFirst) init.Append(bodyInit);
            init.Line(ctx.ShapeVar + " = " + outShape);
        }

        private void Branches(Merge merge, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var branches = merge.Branches;
            bool split = merge.Split;
            var inShape = _locals.Fresh("branch_input_shape");
            var inTensor = _locals.Fresh("branch_input");
            var shapes = _locals.Fresh("branch_shapes");
            var outputs = _locals.Fresh("branch_outputs");
            init.Line(inShape + " = " + ctx.ShapeVar);
            init.Line(shapes + " = []");
            fwd.Line(inTensor + " = " + ctx.TensorVar);
            fwd.Line(outputs + " = []");
            int n = branches.Length;
            for (int i = 0; i < n; i++)
            {
                init.Line(ctx.ShapeVar + " = " + (split ? inShape + ".with_channels(" + inShape + ".channels // " + n + ")" : inShape));
                fwd.Line(ctx.TensorVar + " = " + (split ? "_channel_chunk(" + inTensor + ", " + i + ", " + n + ")" : inTensor));
                Statement(branches[i], ctx.Nested(), init, fwd);
                init.Line(shapes + ".append(" + ctx.ShapeVar + ")");
                fwd.Line(outputs + ".append(" + ctx.TensorVar + ")");
            }
            if (merge.Op == MergeOp.Concat)
            {
                init.Line(ctx.ShapeVar + " = _Shape.concat(" + shapes + ")");
                fwd.Line(ctx.TensorVar + " = torch.cat(" + outputs + ", 1)");
                return;
            }
            bool mul = merge.Op == MergeOp.Mul;
            init.Line(ctx.ShapeVar + " = _Shape.merge(" + shapes + ", " + PyNaming.Bool(mul) + ")");
            fwd.Line(ctx.TensorVar + " = " + outputs + "[0]");
            fwd.Open("for y in " + outputs + "[1:]").Line(ctx.TensorVar + " = " + ctx.TensorVar + (mul ? " * y" : " + y")).Close();
        }

        private void Dense(Lowering.Dense d, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var loop = d.Loop;
            var layers = Member("_dense");
            init.Line(layers + " = []");
            var all = _locals.Fresh("dense_shape");
            init.Line(all + " = " + ctx.ShapeVar);
            var chain = _locals.Fresh("chain");
            var inner = ctx.Nested() with { Mode = Mode.Collect, CollectList = chain };
            LoopHeader(loop, ctx, inner, init);
            init.Line(chain + " = []");
            init.Line(ctx.ShapeVar + " = " + all);
            foreach (var s in loop.Body.Statements) Statement(s, inner, init, fwd);
            init.Line(layers + ".append(" + chain + ")");
            init.Line(all + " = _Shape.concat([" + all + ", " + ctx.ShapeVar + "])");
            init.Close();
            init.Line(ctx.ShapeVar + " = " + all);

            var features = _locals.Fresh("features");
            fwd.Line(features + " = [" + ctx.TensorVar + "]");
            fwd.Open("for layer in " + layers);
            fwd.Line("y = torch.cat(" + features + ", 1)");
            fwd.Open("for m in layer").Line("y = m(y)").Close();
            fwd.Line(features + ".append(y)");
            fwd.Close();
            fwd.Line(ctx.TensorVar + " = torch.cat(" + features + ", 1)");
        }

        // ------------------------------------------------------------ tensor expressions

        private (string Shape, string Tensor) Tensor(LoweredTensor e, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (TensorVariables.TryGet(e, ctx.Scope, ctx.ShapeVar, ctx.TensorVar, out var variables)) return variables;
            switch (e)
            {
                case PipedTensor p:
                {
                    var (s0, t0) = Tensor(p.Source, ctx, init, fwd);
                    var sv = _locals.Fresh("pipe_shape");
                    var tv = _locals.Fresh("pipe");
                    init.Line(sv + " = " + s0);
                    fwd.Line(tv + " = " + t0);
                    var inner = ctx with { ShapeVar = sv, TensorVar = tv };
                    foreach (var stage in p.Stages) Statement(stage, inner, init, fwd);
                    return (sv, tv);
                }
                case ResizedTensor r: return Resize(r, ctx, init, fwd);
                case NegatedTensor u:
                {
                    var (s, t) = Tensor(u.Operand, ctx, init, fwd);
                    return (s, "(-" + t + ")");
                }
                case TensorPair b:
                {
                    var (ls, lten) = Tensor(b.Left, ctx, init, fwd);
                    var (rs, rten) = Tensor(b.Right, ctx, init, fwd);
                    return ("_Shape.merge([" + ls + ", " + rs + "], True)", "(" + lten + " " + Operator(b.Op) + " " + rten + ")");
                }
                case TensorWithScalar b:
                {
                    var (ts, tten) = Tensor(b.Tensor, ctx, init, fwd);
                    var scalar = Scalar(b.Scalar, ctx, init);
                    return (ts, b.ScalarFirst
                        ? "(" + scalar + " " + Operator(b.Op) + " " + tten + ")"
                        : "(" + tten + " " + Operator(b.Op) + " " + scalar + ")");
                }
            }
            NotSupported(e.Syntax, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        private static string Operator(TensorOp op) => op == TensorOp.Mul ? "*" : op == TensorOp.Add ? "+" : "-";

        /// <summary>A scalar the forward needs: literals inline, anything else computed once in <c>__init__</c>.</summary>
        private string Scalar(ExprSyntax e, Ctx ctx, PyWriter init)
        {
            if (e is IntLiteral i) return PyNaming.Double(i.Value);
            if (e is FloatLiteral f) return PyNaming.Double(f.Value);
            var member = Member("_scalar");
            init.Line(member + " = " + _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float));
            return member;
        }
    }
}
