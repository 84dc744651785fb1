using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
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
            switch (s)
            {
                case LetStmt _:
                    Statement(s, ctx, init, new PyWriter());
                    return;
                case LabeledStmt labeled when labeled.Statement is ExprStmt es && BodyForms.IsApplication(_program, es.Expression)
                                              && _program.CallOf(es.Expression)?.Primitive != null:
                {
                    var input = _locals.Fresh("layer_input");
                    init.Line(input + " = " + ctx.ShapeVar);
                    var chain = FlowChain(s, ctx, init);
                    init.Line(_sharedModules + "[" + NameKey(labeled.Name, ctx) + "] = (" + chain + "[0], " + input + ", " + ctx.ShapeVar + ")");
                    return;
                }
                case ExprStmt es when es.Expression is SharedRefExpr || es.Expression is IndexedSharedRefExpr:
                {
                    var name = es.Expression is SharedRefExpr sr ? PyNaming.StringLiteral(sr.Name) : NameKey(((IndexedSharedRefExpr)es.Expression).Name, ctx);
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
                case AssignStmt assign:
                {
                    var (shape, key) = FlowTensor(assign.Value, ctx, init);
                    var sv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_shape");
                    var kv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_key");
                    init.Line(sv + " = " + shape);
                    init.Line(kv + " = " + key);
                    init.Line(_bound + "[" + PyNaming.StringLiteral(assign.Name) + "] = (" + kv + ", " + sv + ")");
                    ctx.Scope.Add(new CsLocal(assign.Name, kv, ArchType.Tensor, sv, kv));
                    return;
                }
                case IndexedAssignStmt indexed:
                {
                    var (shape, key) = FlowTensor(indexed.Value, ctx, init);
                    init.Line(_bound + "[" + NameKey(indexed.Name, ctx) + "] = (" + key + ", " + shape + ")");
                    return;
                }
                case ExprStmt es when !BodyForms.IsApplication(_program, es.Expression):
                {
                    var (shape, key) = FlowTensor(es.Expression, ctx, init);
                    init.Line(ctx.ShapeVar + ", " + ctx.TensorVar + " = " + shape + ", " + key);
                    return;
                }
                case GroupStmt g when !BodyForms.IsChain(_program, g, ctx.Scope):
                {
                    var inner = ctx.Nested();
                    foreach (var st in g.Body.Statements) Flow(st, inner, init);
                    return;
                }
                case IfStmt ifs when !BodyForms.IsChain(_program, ifs, ctx.Scope):
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
                case RepeatStmt _ when !BodyForms.IsChain(_program, s, ctx.Scope):
                case ForStmt _ when !BodyForms.IsChain(_program, s, ctx.Scope):
                {
                    var inner = ctx.Nested();
                    LoopHeader(s, ctx, inner, init);
                    foreach (var st in (s is RepeatStmt r ? r.Body : ((ForStmt)s).Body).Statements) Flow(st, inner, init);
                    init.Line("pass");
                    init.Close();
                    return;
                }
                case MergeStmt m:
                    FlowMerge(m, ctx, init);
                    return;
            }
            if (BodyForms.IsChain(_program, s, ctx.Scope)) { FlowChain(s, ctx, init); return; }
            NotSupported(s, "this statement in a body with indexed names (a residual, split, dense or aux there)");
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

        private void FlowMerge(MergeStmt m, Ctx ctx, PyWriter init)
        {
            var inShape = _locals.Fresh("merge_input_shape");
            var inKey = _locals.Fresh("merge_input");
            var shapes = _locals.Fresh("branch_shapes");
            var keys = _locals.Fresh("branch_keys");
            init.Line(inShape + ", " + inKey + " = " + ctx.ShapeVar + ", " + ctx.TensorVar);
            init.Line(shapes + ", " + keys + " = [], []");
            foreach (var branch in m.Branches.Statements)
            {
                var inner = ctx.Nested();
                bool loop = branch is ForStmt || branch is RepeatStmt;
                if (loop) LoopHeader(branch, ctx, inner, init);
                init.Line(ctx.ShapeVar + ", " + ctx.TensorVar + " = " + inShape + ", " + inKey);
                IEnumerable<StatementSyntax> body = loop ? (branch is RepeatStmt r ? r.Body : ((ForStmt)branch).Body).Statements : new[] { branch };
                foreach (var st in body) Flow(st, inner, init);
                init.Line(shapes + ".append(" + ctx.ShapeVar + ")");
                init.Line(keys + ".append(" + ctx.TensorVar + ")");
                if (loop) init.Close();
            }
            var key = NewKey(init);
            if (m.Kind == MergeKind.Concat)
            {
                init.Line(ctx.ShapeVar + " = _Shape.concat(" + shapes + ")");
                Step(init, new[] { keys, key }, "t[" + key + "] = torch.cat([t[k] for k in " + keys + "], 1)");
            }
            else
            {
                bool mul = m.Kind == MergeKind.Mul;
                init.Line(ctx.ShapeVar + " = _Shape.merge(" + shapes + ", " + PyNaming.Bool(mul) + ")");
                Step(init, new[] { keys, key }, "y = t[" + keys + "[0]]", "for k in " + keys + "[1:]: y = y " + (mul ? "*" : "+") + " t[k]", "t[" + key + "] = y");
            }
            init.Line(ctx.TensorVar + " = " + key);
        }

        private (string Shape, string Key) FlowTensor(ExprSyntax e, Ctx ctx, PyWriter init)
        {
            switch (e)
            {
                case NameExpr n:
                {
                    var local = ctx.Scope.Lookup(n.Name);
                    if (local != null && local.Type.Kind == TypeKind.Tensor) return (local.ShapeVar!, local.TensorVar!);
                    return (ctx.ShapeVar, ctx.TensorVar);
                }
                case IndexedNameExpr ine:
                {
                    var found = _locals.Fresh("tensor");
                    init.Line(found + " = " + _bound + "[" + NameKey(ine.Name, ctx) + "]");
                    return (found + "[1]", found + "[0]");
                }
                case PipeExpr p:
                {
                    var (s0, k0) = FlowTensor(p.Source, ctx, init);
                    var sv = _locals.Fresh("pipe_shape");
                    var kv = _locals.Fresh("pipe");
                    init.Line(sv + ", " + kv + " = " + s0 + ", " + k0);
                    var inner = ctx with { ShapeVar = sv, TensorVar = kv };
                    foreach (var stage in p.Stages) Flow(stage, inner, init);
                    return (sv, kv);
                }
                case CallExpr call when _program.CallOf(call) == null && BoundResize.Of(call) is { } resize: return FlowResize(resize, ctx, init);
                case UnaryExpr u when u.Op == "-":
                {
                    var (s, k) = FlowTensor(u.Operand, ctx, init);
                    var source = _locals.Fresh("source");
                    init.Line(source + " = " + k);
                    var key = NewKey(init);
                    Step(init, new[] { source, key }, "t[" + key + "] = -t[" + source + "]");
                    return (s, key);
                }
                case BinaryExpr b when b.Op == "*" || b.Op == "+" || b.Op == "-":
                {
                    bool lt = IsTensor(b.Left, ctx.Scope) || b.Left is IndexedNameExpr, rt = IsTensor(b.Right, ctx.Scope) || b.Right is IndexedNameExpr;
                    if (!lt && !rt) break;
                    string shape, step;
                    var left = _locals.Fresh("left");
                    var right = _locals.Fresh("right");
                    var captured = new List<string>();
                    if (lt)
                    {
                        var (ls, lk) = FlowTensor(b.Left, ctx, init);
                        init.Line(left + " = " + lk);
                        captured.Add(left);
                        shape = ls;
                    }
                    else shape = "";
                    if (rt)
                    {
                        var (rs, rk) = FlowTensor(b.Right, ctx, init);
                        init.Line(right + " = " + rk);
                        captured.Add(right);
                        shape = lt ? "_Shape.merge([" + shape + ", " + rs + "], True)" : rs;
                    }
                    string l = lt ? "t[" + left + "]" : Scalar(b.Left, ctx, init);
                    string r = rt ? "t[" + right + "]" : Scalar(b.Right, ctx, init);
                    step = "(" + l + " " + b.Op + " " + r + ")";
                    var sv = _locals.Fresh("shape");
                    init.Line(sv + " = " + shape);
                    var key = NewKey(init);
                    captured.Add(key);
                    Step(init, captured, "t[" + key + "] = " + step);
                    return (sv, key);
                }
            }
            NotSupported(e, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }
    }
}
