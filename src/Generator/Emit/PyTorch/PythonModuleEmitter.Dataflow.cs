using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>The dataflow form of a body with indexed names or loop-built merges, as the C# emitter makes it
    /// (<see cref="ModuleEmitter"/>'s dataflow form): <c>__init__</c> runs the control flow, builds the modules
    /// through the collect mode (same keys, same order) and records each operation as a step over a dict of
    /// tensors; the forward runs the steps. In <c>__init__</c> <c>TensorVar</c> holds the current tensor's key.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private string? _bound;
        private string? _sharedModules;
        private string? _tempCount;

        private (PyWriter Init, PyWriter Forward) DataflowBody(IEnumerable<StatementSyntax> statements, CsScope scope, string shapeVar)
        {
            var init = new PyWriter();
            var fwd = new PyWriter();
            _bound = _locals.Fresh("bound");
            _sharedModules = _locals.Fresh("shared");
            _tempCount = _locals.Fresh("temps");
            var current = _locals.Fresh("current");
            init.Line("names = _ChildNames()");
            init.Line("self._steps = []");
            init.Line(_bound + " = {}");
            init.Line(_sharedModules + " = {}");
            init.Line(_tempCount + " = 0");
            init.Line(current + " = 'input'");
            var ctx = new Ctx(scope, shapeVar, current, "names", null, Mode.Explicit, null);
            foreach (var s in statements) Flow(s, ctx, init);
            init.Line("self._result = " + current);
            fwd.Line("tensors = {'input': x}");
            fwd.Open("for step in self._steps").Line("step(tensors)").Close();
            fwd.Line("x = tensors[self._result]");
            return (init, fwd);
        }

        private string NewKey(PyWriter init)
        {
            var key = _locals.Fresh("key");
            init.Line(key + " = '#' + str(" + _tempCount + ")");
            init.Line(_tempCount + " += 1");
            return key;
        }

        /// <summary>Appends a step reading <paramref name="captured"/> (bound as defaults, so each keeps this
        /// iteration's values) and running <paramref name="body"/> on the tensor dict <c>t</c>.</summary>
        private static void Step(PyWriter init, IEnumerable<string> captured, params string[] body)
        {
            init.Open("def step(t, " + string.Join(", ", captured.Select(c => c + "=" + c)) + ")");
            foreach (var line in body) init.Line(line);
            init.Close();
            init.Line("self._steps.append(step)");
        }

        private void Flow(StatementSyntax s, Ctx ctx, PyWriter init)
        {
            switch (_lowering.LowerFlow(s, ctx.Scope))
            {
                case LoweredLet _:
                    Statement(s, ctx, init, new PyWriter());
                    return;
                case FlowSharableLayer { Labeled: var labeled }:
                {
                    var input = _locals.Fresh("layer_input");
                    init.Line(input + " = " + ctx.ShapeVar);
                    var chain = FlowChain(s, ctx, init);
                    init.Line(_sharedModules + "[" + NameKey(labeled.Name, ctx) + "] = (" + chain + "[0], " + input + ", " + ctx.ShapeVar + ")");
                    return;
                }
                case FlowReapply reapply:
                {
                    var name = reapply.Name != null ? PyNaming.StringLiteral(reapply.Name) : NameKey(reapply.IndexedName!, ctx);
                    var shared = _locals.Fresh("shared_layer");
                    init.Line(shared + " = " + _sharedModules + "[" + name + "]");
                    init.Open("if repr(" + ctx.ShapeVar + ") != repr(" + shared + "[1])")
                        .Line("raise NotImplementedError('a shared layer is re-applied to ' + repr(" + ctx.ShapeVar + ") + ' but was built for ' + repr(" + shared + "[1]))")
                        .Close();
                    init.Line(ctx.ShapeVar + " = " + shared + "[2]");
                    var source = _locals.Fresh("source");
                    init.Line(source + " = " + ctx.TensorVar);
                    var key = NewKey(init);
                    Step(init, new[] { shared, source, key }, "t[" + key + "] = " + shared + "[0](t[" + source + "])");
                    init.Line(ctx.TensorVar + " = " + key);
                    return;
                }
                case TensorBinding { Assign: var assign, Value: var value }:
                {
                    var (shape, key) = FlowTensor(value, ctx, init);
                    var sv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_shape");
                    var kv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_key");
                    init.Line(sv + " = " + shape);
                    init.Line(kv + " = " + key);
                    init.Line(_bound + "[" + PyNaming.StringLiteral(assign.Name) + "] = (" + kv + ", " + sv + ")");
                    ctx.Scope.Add(new CsLocal(assign.Name, kv, ArchType.Tensor, sv, kv));
                    return;
                }
                case FlowIndexedBinding indexed:
                {
                    var (shape, key) = FlowTensor(indexed.Value, ctx, init);
                    init.Line(_bound + "[" + NameKey(indexed.Assign.Name, ctx) + "] = (" + key + ", " + shape + ")");
                    return;
                }
                case TensorStatement t:
                {
                    var (shape, key) = FlowTensor(t.Value, ctx, init);
                    init.Line(ctx.ShapeVar + ", " + ctx.TensorVar + " = " + shape + ", " + key);
                    return;
                }
                case Group { Block: var g }:
                {
                    var inner = ctx.Nested();
                    foreach (var st in g.Body.Statements) Flow(st, inner, init);
                    return;
                }
                case FlowConditional { If: var ifs }:
                    init.Open("if " + _expr.Emit(ifs.Condition, ctx.Scope, ctx.ShapeVar));
                    foreach (var st in ifs.Then.Statements) Flow(st, ctx.Nested(), init);
                    init.Line("pass");
                    init.Close();
                    if (ifs.Else != null)
                    {
                        init.Open("else");
                        Flow(ifs.Else, ctx.Nested(), init);
                        init.Line("pass");
                        init.Close();
                    }
                    return;
                case FlowLoop loop:
                {
                    var inner = ctx.Nested();
                    LoopHeader(s, ctx, inner, init);
                    foreach (var st in loop.Body.Statements) Flow(st, inner, init);
                    init.Line("pass");
                    init.Close();
                    return;
                }
                case Lowering.FlowMerge m:
                    FlowMerge(m, ctx, init);
                    return;
                case Lowering.FlowChain _:
                    FlowChain(s, ctx, init);
                    return;
                case Unsupported u:
                    NotSupported(u);
                    return;
                case var other:
                    throw new System.InvalidOperationException("unexpected lowered statement " + other.GetType().Name);
            }
        }

        private string FlowChain(StatementSyntax s, Ctx ctx, PyWriter init)
        {
            var chain = _locals.Fresh("chain");
            init.Line(chain + " = []");
            Statement(s, ctx.Nested() with { Mode = Mode.Collect, CollectList = chain }, init, new PyWriter());
            var source = _locals.Fresh("source");
            init.Line(source + " = " + ctx.TensorVar);
            var key = NewKey(init);
            Step(init, new[] { chain, source, key }, "y = t[" + source + "]", "for m in " + chain + ": y = m(y)", "t[" + key + "] = y");
            init.Line(ctx.TensorVar + " = " + key);
            return chain;
        }

        private void FlowMerge(Lowering.FlowMerge m, Ctx ctx, PyWriter init)
        {
            var inShape = _locals.Fresh("merge_input_shape");
            var inKey = _locals.Fresh("merge_input");
            var shapes = _locals.Fresh("branch_shapes");
            var keys = _locals.Fresh("branch_keys");
            init.Line(inShape + ", " + inKey + " = " + ctx.ShapeVar + ", " + ctx.TensorVar);
            init.Line(shapes + ", " + keys + " = [], []");
            foreach (var branch in m.Branches)
            {
                var inner = ctx.Nested();
                if (branch.Loop != null) LoopHeader(branch.Loop, ctx, inner, init);
                init.Line(ctx.ShapeVar + ", " + ctx.TensorVar + " = " + inShape + ", " + inKey);
                foreach (var st in branch.Body) Flow(st, inner, init);
                init.Line(shapes + ".append(" + ctx.ShapeVar + ")");
                init.Line(keys + ".append(" + ctx.TensorVar + ")");
                if (branch.Loop != null) init.Close();
            }
            var key = NewKey(init);
            if (m.Op == MergeOp.Concat)
            {
                init.Line(ctx.ShapeVar + " = _Shape.concat(" + shapes + ")");
                Step(init, new[] { keys, key }, "t[" + key + "] = torch.cat([t[k] for k in " + keys + "], 1)");
            }
            else
            {
                bool mul = m.Op == MergeOp.Mul;
                init.Line(ctx.ShapeVar + " = _Shape.merge(" + shapes + ", " + PyNaming.Bool(mul) + ")");
                Step(init, new[] { keys, key }, "y = t[" + keys + "[0]]", "for k in " + keys + "[1:]: y = y " + (mul ? "*" : "+") + " t[k]", "t[" + key + "] = y");
            }
            init.Line(ctx.TensorVar + " = " + key);
        }

        private (string Shape, string Key) FlowTensor(LoweredTensor e, Ctx ctx, PyWriter init)
        {
            if (TensorVariables.TryGet(e, ctx.Scope, ctx.ShapeVar, ctx.TensorVar, out var variables)) return variables;
            switch (e)
            {
                case IndexedTensor ine:
                {
                    var found = _locals.Fresh("tensor");
                    init.Line(found + " = " + _bound + "[" + NameKey(ine.Name, ctx) + "]");
                    return (found + "[1]", found + "[0]");
                }
                case PipedTensor p:
                {
                    var (s0, k0) = FlowTensor(p.Source, ctx, init);
                    var sv = _locals.Fresh("pipe_shape");
                    var kv = _locals.Fresh("pipe");
                    init.Line(sv + ", " + kv + " = " + s0 + ", " + k0);
                    var inner = ctx with { ShapeVar = sv, TensorVar = kv };
                    foreach (var stage in p.Stages) Flow(stage, inner, init);
                    return (sv, kv);
                }
                case ResizedTensor r: return FlowResize(r, ctx, init);
                case NegatedTensor u:
                {
                    var (s, k) = FlowTensor(u.Operand, ctx, init);
                    var source = _locals.Fresh("source");
                    init.Line(source + " = " + k);
                    var key = NewKey(init);
                    Step(init, new[] { source, key }, "t[" + key + "] = -t[" + source + "]");
                    return (s, key);
                }
                case TensorPair b:
                {
                    var left = _locals.Fresh("left");
                    var right = _locals.Fresh("right");
                    var (ls, lk) = FlowTensor(b.Left, ctx, init);
                    init.Line(left + " = " + lk);
                    var (rs, rk) = FlowTensor(b.Right, ctx, init);
                    init.Line(right + " = " + rk);
                    return FlowStep("_Shape.merge([" + ls + ", " + rs + "], True)", "t[" + left + "]", Operator(b.Op), "t[" + right + "]", new List<string> { left, right }, init);
                }
                case TensorWithScalar b:
                {
                    var left = _locals.Fresh("left");
                    var right = _locals.Fresh("right");
                    var operand = b.ScalarFirst ? right : left;
                    var (ts, tk) = FlowTensor(b.Tensor, ctx, init);
                    init.Line(operand + " = " + tk);
                    var scalar = Scalar(b.Scalar, ctx, init);
                    var tensor = "t[" + operand + "]";
                    return b.ScalarFirst
                        ? FlowStep(ts, scalar, Operator(b.Op), tensor, new List<string> { operand }, init)
                        : FlowStep(ts, tensor, Operator(b.Op), scalar, new List<string> { operand }, init);
                }
            }
            NotSupported(e.Syntax, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        /// <summary>An arithmetic step <c>(l op r)</c>: its output shape in a local, its tensor under a fresh table key.</summary>
        private (string Shape, string Key) FlowStep(string shape, string l, string op, string r, List<string> captured, PyWriter init)
        {
            var sv = _locals.Fresh("shape");
            init.Line(sv + " = " + shape);
            var key = NewKey(init);
            captured.Add(key);
            Step(init, captured, "t[" + key + "] = (" + l + " " + op + " " + r + ")");
            return (sv, key);
        }
    }
}
