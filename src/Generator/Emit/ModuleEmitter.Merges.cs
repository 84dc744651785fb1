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
    /// <summary>Residuals, branches merged by add or concat, dense blocks, and tensor expressions.</summary>
    internal sealed partial class ModuleEmitter
    {
        private void Residual(Lowering.Residual r, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var inShape = _locals.Fresh("_residualInput");
            var identity = _locals.Fresh("_identity");
            ctor.Line("var " + inShape + " = " + ctx.ShapeVar + ";");
            fwd.Line("var " + identity + " = " + ctx.TensorVar + ";");
            string? active = null;
            if (r.Condition != null)
            {
                active = "this." + Field("_residual", "bool", false);
                ctor.Line(active + " = " + _expr.Emit(r.Condition, ctx.Scope, ctx.ShapeVar) + ";");
            }
            int allocatingBefore = _allocatingLayers;
            // A shortcut written first is constructed (and registered) before the body.
            var bodyCtor = r.ShortcutFirst ? new IndentedWriter() : ctor;
            foreach (var s in r.Body) Statement(s, ctx.Nested(), bodyCtor, fwd);
            // Where the lowering could not prove the sum may overwrite the body's result (it ends in an activation,
            // say), a branch that ran a conv, linear or batch norm still ends in memory of its own, never a view of the
            // block's input: the runtime adds into it when autograd is off.
            bool branchOwnsResult = _allocatingLayers > allocatingBefore;
            var outShape = _locals.Fresh("_residualOutput");
            bodyCtor.Line("var " + outShape + " = " + ctx.ShapeVar + ";");
            var sc = r.Shortcut;
            var shortcut = _locals.Fresh("_shortcut");
            var shortcutCtor = new IndentedWriter();
            var shortcutFwd = new IndentedWriter();
            shortcutFwd.Line("var " + shortcut + " = " + identity + ";");
            if (sc.Unsupported != null || sc.Form != ShortcutForm.Identity)
            {
                string? scCond = sc.Condition == null ? null : _expr.Emit(sc.Condition, ctx.Scope, inShape);
                var scCtx = ctx.Nested() with { ShapeVar = inShape, TensorVar = shortcut, Conditional = scCond != null || active != null };
                if (sc.Unsupported != null)
                    NotSupported(sc.Unsupported);
                else if (sc.Form == ShortcutForm.Sequential)
                {
                    var key = NameKey(sc.Name!, ctx);
                    var group = new GroupStmt(sc.Body!, sc.Body!.Span);
                    var field = "this." + Field(sc.Name!.StaticText ?? "_shortcut", SequentialType, true);
                    var seq = _locals.Fresh("_seq");
                    var names = _locals.Fresh("_names");
                    shortcutCtor.Line("var " + seq + " = nn.Sequential();");
                    shortcutCtor.Line("var " + names + " = new ChildNames();");
                    var inside = scCtx with { NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential };
                    Statement(group, inside, shortcutCtor, new IndentedWriter());
                    shortcutCtor.Line(field + " = " + seq + ";");
                    shortcutCtor.Line(Register(ctx, key, seq));
                    shortcutFwd.Line("if (" + field + " is not null) " + shortcut + " = " + field + ".call(" + identity + ");");
                }
                else
                {
                    var list = "this." + Field("_shortcut", "System.Collections.Generic.List<" + ModuleType + ">", false);
                    ctor.Line(list + " = new System.Collections.Generic.List<" + ModuleType + ">();");
                    var inside = scCtx with { Mode = Mode.Collect, CollectList = list };
                    foreach (var s in sc.Body!.Statements) Statement(s, inside, shortcutCtor, new IndentedWriter());
                    shortcutFwd.CallEach(shortcut, list);
                }
                if (scCond != null && !shortcutCtor.IsEmpty)
                {
                    var wrapped = new IndentedWriter();
                    wrapped.Open("if (" + scCond + ")").Append(shortcutCtor).Close();
                    shortcutCtor = wrapped;
                }
            }
            if (sc.ZeroPad)
                shortcutFwd.Line(shortcut + " = ArchOps.ZeroPadChannels(" + shortcut + ", " + ctx.TensorVar + ".shape[1]);");
            if (r.SumsInPlace)
                shortcutFwd.Line(ctx.TensorVar + ".add_(" + shortcut + ");");
            else
                shortcutFwd.Line(ctx.TensorVar + " = " + (branchOwnsResult
                    ? "ArchOps.AddShortcut(" + ctx.TensorVar + ", " + shortcut + ");"
                    : ctx.TensorVar + ".add(" + shortcut + ");"));
            if (active != null)
            {
                ctor.Open("if (" + active + ")").Append(shortcutCtor).Close();
                fwd.Open("if (" + active + ")").Append(shortcutFwd).Close();
            }
            else
            {
                ctor.Append(shortcutCtor);
                fwd.Append(shortcutFwd);
            }
            if (r.ShortcutFirst) ctor.Append(bodyCtor);
            ctor.Line(ctx.ShapeVar + " = " + outShape + ";");
        }

        private void Branches(Merge merge, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var branches = merge.Branches;
            bool split = merge.Split;
            var inShape = _locals.Fresh("_branchInput");
            var inTensor = _locals.Fresh("_branchInput");
            var shapes = _locals.Fresh("_branchShapes");
            var outputs = _locals.Fresh("_branchOutputs");
            ctor.Line("var " + inShape + " = " + ctx.ShapeVar + ";");
            ctor.Line("var " + shapes + " = new System.Collections.Generic.List<FeatureShape>();");
            fwd.Line("var " + inTensor + " = " + ctx.TensorVar + ";");
            fwd.Line("var " + outputs + " = new System.Collections.Generic.List<Tensor>();");
            int n = branches.Length;
            for (int i = 0; i < n; i++)
            {
                var index = Naming.Long(i);
                ctor.Open("");
                ctor.Line(ctx.ShapeVar + " = " + (split ? inShape + ".WithChannels(" + inShape + ".Channels / " + Naming.Long(n) + ")" : inShape) + ";");
                fwd.Open("");
                fwd.Line(ctx.TensorVar + " = " + (split ? "ArchOps.ChannelChunk(" + inTensor + ", " + index + ", " + Naming.Long(n) + ")" : inTensor) + ";");
                Statement(branches[i], ctx.Nested(), ctor, fwd);
                ctor.Line(shapes + ".Add(" + ctx.ShapeVar + ");");
                fwd.Line(outputs + ".Add(" + ctx.TensorVar + ");");
                ctor.Close();
                fwd.Close();
            }
            switch (merge.Op)
            {
                case MergeOp.Concat:
                    ctor.Line(ctx.ShapeVar + " = FeatureShape.Concat(" + shapes + ");");
                    fwd.Line(ctx.TensorVar + " = torch.cat(" + outputs + ", 1);");
                    break;
                default:
                {
                    bool mul = merge.Op == MergeOp.Mul;
                    ctor.Line(ctx.ShapeVar + " = " + shapes + "[0];");
                    ctor.Line("for (int _k = 1; _k < " + shapes + ".Count; _k++) " + ctx.ShapeVar + " = FeatureShape.Broadcast(" + ctx.ShapeVar + ", " + shapes + "[_k], " + Naming.Bool(mul) + ");");
                    fwd.Line(ctx.TensorVar + " = " + outputs + "[0];");
                    fwd.Line("for (int _k = 1; _k < " + outputs + ".Count; _k++) " + ctx.TensorVar + " = " + ctx.TensorVar + (mul ? ".mul(" : ".add(") + outputs + "[_k]);");
                    break;
                }
            }
        }

        private void Dense(Lowering.Dense d, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var loop = d.Loop;
            var listType = "System.Collections.Generic.List<System.Collections.Generic.List<" + ModuleType + ">>";
            var layers = "this." + Field("_dense", listType, false);
            ctor.Line(layers + " = new " + listType + "();");
            var all = _locals.Fresh("_denseShape");
            ctor.Line("var " + all + " = " + ctx.ShapeVar + ";");
            var chain = _locals.Fresh("_chain");
            var inner = ctx.Nested() with { Mode = Mode.Collect, CollectList = chain, Conditional = false };
            LoopHeader(loop, ctx, inner, ctor);
            ctor.Line("var " + chain + " = new System.Collections.Generic.List<" + ModuleType + ">();");
            ctor.Line(ctx.ShapeVar + " = " + all + ";");
            foreach (var s in loop.Body.Statements) Statement(s, inner, ctor, fwd);
            ctor.Line(layers + ".Add(" + chain + ");");
            ctor.Line(all + " = FeatureShape.Concat(new[] { " + all + ", " + ctx.ShapeVar + " });");
            ctor.Close();
            ctor.Line(ctx.ShapeVar + " = " + all + ";");

            var features = _locals.Fresh("_features");
            var layer = _locals.Fresh("_layer");
            var y = _locals.Fresh("_y");
            fwd.Line("var " + features + " = new System.Collections.Generic.List<Tensor> { " + ctx.TensorVar + " };");
            fwd.Open("foreach (var " + layer + " in " + layers + ")");
            // The concatenation is this layer's alone: freed as soon as the layer has read it.
            fwd.Line("var " + y + " = ArchOps.Sequence(torch.cat(" + features + ", 1), " + layer + ", freeInput: true);");
            fwd.Line(features + ".Add(" + y + ");");
            fwd.Close();
            fwd.Line(ctx.TensorVar + " = torch.cat(" + features + ", 1);");
        }

        // ------------------------------------------------------------ tensor expressions

        /// <summary>Prints a lowered tensor expression; returns the C# shape (constructor) and tensor (forward) expressions.</summary>
        private (string Shape, string Tensor) Tensor(LoweredTensor e, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            if (TensorVariables.TryGet(e, ctx.Scope, ctx.ShapeVar, ctx.TensorVar, out var variables)) return variables;
            switch (e)
            {
                case PipedTensor p:
                {
                    var (s0, t0) = Tensor(p.Source, ctx, ctor, fwd);
                    var sv = _locals.Fresh("_pipeShape");
                    var tv = _locals.Fresh("_pipe");
                    ctor.Line("var " + sv + " = " + s0 + ";");
                    fwd.Line("var " + tv + " = " + t0 + ";");
                    var inner = ctx with { ShapeVar = sv, TensorVar = tv };
                    foreach (var stage in p.Stages) Statement(stage, inner, ctor, fwd);
                    return (sv, tv);
                }
                case ResizedTensor r: return Resize(r, ctx, ctor, fwd);
                case NegatedTensor u:
                {
                    var (s, t) = Tensor(u.Operand, ctx, ctor, fwd);
                    return (s, t + ".neg()");
                }
                case TensorPair b:
                {
                    var (ls, lten) = Tensor(b.Left, ctx, ctor, fwd);
                    var (rs, rten) = Tensor(b.Right, ctx, ctor, fwd);
                    return ("FeatureShape.Broadcast(" + ls + ", " + rs + ", true)", lten + "." + Method(b.Op) + "(" + rten + ")");
                }
                case TensorWithScalar b:
                {
                    var (ts, tten) = Tensor(b.Tensor, ctx, ctor, fwd);
                    var scalar = Scalar(b.Scalar, ctx, ctor);
                    return (ts, b.ScalarFirst && b.Op == TensorOp.Sub ? tten + ".neg().add(" + scalar + ")" : tten + "." + Method(b.Op) + "(" + scalar + ")");
                }
            }
            NotSupported(e.Syntax, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        /// <summary>The Tensor method of an arithmetic operation.</summary>
        private static string Method(TensorOp op) => op == TensorOp.Mul ? "mul" : op == TensorOp.Add ? "add" : "sub";

        /// <summary>A scalar the forward needs, made once in the constructor and held in a field: TorchSharp 0.107 does
        /// not keep a <c>Scalar</c> converted from a number alive through its native call, so a collection on another
        /// thread could free it mid-call (docs/reliability.md); one the module owns lives as long as the module.</summary>
        private string Scalar(ExprSyntax e, Ctx ctx, IndentedWriter ctor)
        {
            var value = e is IntLiteral i ? Naming.Double(i.Value)
                : e is FloatLiteral f ? Naming.Double(f.Value)
                : _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float);
            var field = "this." + Field("_scalar", "TorchSharp.Scalar", false);
            ctor.Line(field + " = " + value + ";");
            return field;
        }
    }
}
