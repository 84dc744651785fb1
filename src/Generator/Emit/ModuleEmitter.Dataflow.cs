using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit
{
    /// <summary>The dataflow form of a body that names tensors by index (<c>x{i} = …</c>, <c>x{j}</c>,
    /// <c>@w{j}_{i}</c>) or merges over a loop's iterations: which tensors an operation reads depends on loop
    /// variables, so the forward cannot be one fixed chain. The constructor runs the body's control flow, creates
    /// the modules (chains of them through the ordinary collect mode, so keys and channels are those of every other
    /// body) and records each operation as a step over a table of tensors keyed by name; the forward runs the steps
    /// in order. In the constructor <c>TensorVar</c> holds the table key of the current tensor.</summary>
    internal sealed partial class ModuleEmitter
    {
        private const string StepType = "System.Action<System.Collections.Generic.Dictionary<string, Tensor>>";

        private string? _steps;
        private string? _bound;
        private string? _sharedModules;
        private string? _tempCount;

        /// <summary>Whether this class's body was emitted in the dataflow form (the class is then an IDataflowModule).</summary>
        public bool IsDataflow => _steps != null;

        /// <summary>Whether a body needs the dataflow form.</summary>
        public static bool NeedsDataflow(IEnumerable<StatementSyntax> statements) =>
            statements.SelectMany(s => SyntaxWalker.Descendants(s)).Any(n =>
                n is IndexedAssignStmt || n is IndexedNameExpr || n is IndexedSharedRefExpr
                || (n is MergeStmt m && m.Branches.Statements.Any(b => b is ForStmt || b is RepeatStmt)));

        private (IndentedWriter Ctor, IndentedWriter Forward) DataflowBody(IEnumerable<StatementSyntax> statements, CsScope scope, string shapeVar, string names)
        {
            var ctor = new IndentedWriter();
            var fwd = new IndentedWriter();
            _steps = "this." + Field("_steps", "System.Collections.Generic.List<" + StepType + ">", false);
            var result = "this." + Field("_result", "string", false);
            _bound = _locals.Fresh("_bound");
            _sharedModules = _locals.Fresh("_shared");
            _tempCount = _locals.Fresh("_temps");
            var current = _locals.Fresh("_current");
            ctor.Line(_steps + " = new System.Collections.Generic.List<" + StepType + ">();");
            ctor.Line("var " + _bound + " = new System.Collections.Generic.Dictionary<string, (string Key, FeatureShape Shape)>();");
            ctor.Line("var " + _sharedModules + " = new System.Collections.Generic.Dictionary<string, (" + ModuleType + " Module, FeatureShape Input, FeatureShape Output)>();");
            ctor.Line("var " + _tempCount + " = 0;");
            ctor.Line("var " + current + " = \"input\";");
            var ctx = new Ctx(scope, shapeVar, current, names, null, Mode.Explicit, null, false);
            foreach (var s in statements) Flow(s, ctx, ctor);
            ctor.Line(result + " = " + current + ";");
            var env = _locals.Fresh("_tensors");
            var step = _locals.Fresh("_step");
            fwd.Line("var " + env + " = new System.Collections.Generic.Dictionary<string, Tensor> { [\"input\"] = x };");
            fwd.Line("foreach (var " + step + " in " + _steps + ") " + step + "(" + env + ");");
            fwd.Line("x = " + env + "[" + result + "];");
            return (ctor, fwd);
        }

        /// <summary>A fresh table key for an operation's output, and the statement that makes it current.</summary>
        private string NewKey(IndentedWriter ctor)
        {
            var key = _locals.Fresh("_key");
            ctor.Line("var " + key + " = \"#\" + (" + _tempCount + "++).ToString(System.Globalization.CultureInfo.InvariantCulture);");
            return key;
        }

        private void Flow(StatementSyntax s, Ctx ctx, IndentedWriter ctor)
        {
            switch (_lowering.LowerFlow(s, ctx.Scope))
            {
                case LoweredLet _:
                    Statement(s, ctx, ctor, new IndentedWriter());
                    return;
                case FlowSharableLayer labeled:
                {
                    var input = _locals.Fresh("_layerInput");
                    ctor.Line("var " + input + " = " + ctx.ShapeVar + ";");
                    var chain = FlowChain(s, ctx, ctor);
                    ctor.Line(_sharedModules + "[" + NameKey(labeled.Labeled.Name, ctx) + "] = (" + chain + "[0], " + input + ", " + ctx.ShapeVar + ");");
                    return;
                }
                case FlowReapply reapply:
                {
                    var name = reapply.Name != null ? Naming.StringLiteral(reapply.Name) : NameKey(reapply.IndexedName!, ctx);
                    var shared = _locals.Fresh("_sharedLayer");
                    ctor.Line("var " + shared + " = " + _sharedModules + "[" + name + "];");
                    ctor.Line("if (" + ctx.ShapeVar + " != " + shared + ".Input) throw new System.NotSupportedException(\"A shared layer is re-applied to \" + "
                        + ctx.ShapeVar + " + \" but was built for \" + " + shared + ".Input + \"; the generated code re-applies shared layers to inputs of the same shape only\");");
                    ctor.Line(ctx.ShapeVar + " = " + shared + ".Output;");
                    var source = _locals.Fresh("_source");
                    ctor.Line("var " + source + " = " + ctx.TensorVar + ";");
                    var key = NewKey(ctor);
                    ctor.Line(_steps + ".Add(t => t[" + key + "] = " + shared + ".Module.call(t[" + source + "]));");
                    ctor.Line(ctx.TensorVar + " = " + key + ";");
                    return;
                }
                case TensorBinding { Assign: var assign, Value: var value }:
                {
                    var (shape, key) = FlowTensor(value, ctx, ctor);
                    var sv = _locals.Fresh("_" + Naming.Camel(assign.Name) + "Shape");
                    var kv = _locals.Fresh("_" + Naming.Camel(assign.Name));
                    ctor.Line("var " + sv + " = " + shape + ";");
                    ctor.Line("var " + kv + " = " + key + ";");
                    ctor.Line(_bound + "[" + Naming.StringLiteral(assign.Name) + "] = (" + kv + ", " + sv + ");");
                    ctx.Scope.Add(new CsLocal(assign.Name, kv, ArchType.Tensor, sv, kv));
                    return;
                }
                case FlowIndexedBinding indexed:
                {
                    var (shape, key) = FlowTensor(indexed.Value, ctx, ctor);
                    ctor.Line(_bound + "[" + NameKey(indexed.Assign.Name, ctx) + "] = (" + key + ", " + shape + ");");
                    return;
                }
                case TensorStatement t:
                {
                    var (shape, key) = FlowTensor(t.Value, ctx, ctor);
                    if (shape != ctx.ShapeVar) ctor.Line(ctx.ShapeVar + " = " + shape + ";");
                    if (key != ctx.TensorVar) ctor.Line(ctx.TensorVar + " = " + key + ";");
                    return;
                }
                case Group { Block: var g }:
                {
                    var inner = ctx.Nested();
                    ctor.Open("");
                    foreach (var st in g.Body.Statements) Flow(st, inner, ctor);
                    ctor.Close();
                    return;
                }
                case FlowConditional { If: var ifs }:
                {
                    // else-if branches flat, as the explicit forward writes them (one nesting level for any chain).
                    StatementSyntax? branch = ifs;
                    for (bool first = true; branch is IfStmt current; first = false, branch = current.Else)
                    {
                        ctor.Open((first ? "if (" : "else if (") + _expr.Emit(current.Condition, ctx.Scope, ctx.ShapeVar) + ")");
                        foreach (var st in current.Then.Statements) Flow(st, ctx.Nested(), ctor);
                        ctor.Close();
                    }
                    if (branch != null)
                    {
                        ctor.Open("else");
                        Flow(branch, ctx.Nested(), ctor);
                        ctor.Close();
                    }
                    return;
                }
                case FlowLoop loop:
                {
                    var inner = ctx.Nested();
                    LoopHeader(s, ctx, inner, ctor);
                    foreach (var st in loop.Body.Statements) Flow(st, inner, ctor);
                    ctor.Close();
                    return;
                }
                case Lowering.FlowMerge m:
                    FlowMerge(m, ctx, ctor);
                    return;
                case Lowering.FlowChain _:
                    FlowChain(s, ctx, ctor);
                    return;
                case Unsupported u:
                    NotSupported(u);
                    return;
                case var other:
                    throw new System.InvalidOperationException("unexpected lowered statement " + other.GetType().Name);
            }
        }


        /// <summary>A chain of layers and blocks built by the collect mode into a list, applied as one step.
        /// Returns the list's local.</summary>
        private string FlowChain(StatementSyntax s, Ctx ctx, IndentedWriter ctor)
        {
            var chain = _locals.Fresh("_chain");
            ctor.Line("var " + chain + " = new System.Collections.Generic.List<" + ModuleType + ">();");
            Statement(s, ctx.Nested() with { Mode = Mode.Collect, CollectList = chain, Conditional = false }, ctor, new IndentedWriter());
            var source = _locals.Fresh("_source");
            ctor.Line("var " + source + " = " + ctx.TensorVar + ";");
            var key = NewKey(ctor);
            ctor.Line(_steps + ".Add(t => { var y = t[" + source + "]; foreach (var m in " + chain + ") y = m.call(y); t[" + key + "] = y; });");
            ctor.Line(ctx.TensorVar + " = " + key + ";");
            return chain;
        }

        /// <summary>Each branch (a loop among them: each iteration) runs on the merge's input; outputs are concatenated,
        /// added or multiplied as the front end's merge does.</summary>
        private void FlowMerge(Lowering.FlowMerge m, Ctx ctx, IndentedWriter ctor)
        {
            var inShape = _locals.Fresh("_mergeInputShape");
            var inKey = _locals.Fresh("_mergeInput");
            var shapes = _locals.Fresh("_branchShapes");
            var keys = _locals.Fresh("_branchKeys");
            ctor.Line("var " + inShape + " = " + ctx.ShapeVar + ";");
            ctor.Line("var " + inKey + " = " + ctx.TensorVar + ";");
            ctor.Line("var " + shapes + " = new System.Collections.Generic.List<FeatureShape>();");
            ctor.Line("var " + keys + " = new System.Collections.Generic.List<string>();");
            foreach (var branch in m.Branches)
            {
                var inner = ctx.Nested();
                if (branch.Loop != null) LoopHeader(branch.Loop, ctx, inner, ctor);
                else ctor.Open("");
                ctor.Line(ctx.ShapeVar + " = " + inShape + ";");
                ctor.Line(ctx.TensorVar + " = " + inKey + ";");
                foreach (var st in branch.Body) Flow(st, inner, ctor);
                ctor.Line(shapes + ".Add(" + ctx.ShapeVar + ");");
                ctor.Line(keys + ".Add(" + ctx.TensorVar + ");");
                ctor.Close();
            }
            var key = NewKey(ctor);
            if (m.Op == MergeOp.Concat)
            {
                ctor.Line(ctx.ShapeVar + " = FeatureShape.Concat(" + shapes + ");");
                ctor.Line(_steps + ".Add(t => t[" + key + "] = torch.cat(" + keys + ".ConvertAll(k => t[k]), 1));");
            }
            else
            {
                bool mul = m.Op == MergeOp.Mul;
                ctor.Line(ctx.ShapeVar + " = " + shapes + "[0];");
                ctor.Line("for (int _k = 1; _k < " + shapes + ".Count; _k++) " + ctx.ShapeVar + " = FeatureShape.Broadcast(" + ctx.ShapeVar + ", " + shapes + "[_k], " + Naming.Bool(mul) + ");");
                ctor.Line(_steps + ".Add(t => { var y = t[" + keys + "[0]]; for (int k = 1; k < " + keys + ".Count; k++) y = y." + (mul ? "mul" : "add") + "(t[" + keys + "[k]]); t[" + key + "] = y; });");
            }
            ctor.Line(ctx.TensorVar + " = " + key + ";");
        }

        /// <summary>A tensor expression in the dataflow form: returns C# expressions for its shape and its table key.</summary>
        private (string Shape, string Key) FlowTensor(LoweredTensor e, Ctx ctx, IndentedWriter ctor)
        {
            if (TensorVariables.TryGet(e, ctx.Scope, ctx.ShapeVar, ctx.TensorVar, out var variables)) return variables;
            switch (e)
            {
                case IndexedTensor ine:
                {
                    var found = _locals.Fresh("_tensor");
                    ctor.Line("var " + found + " = " + _bound + "[" + NameKey(ine.Name, ctx) + "];");
                    return (found + ".Shape", found + ".Key");
                }
                case PipedTensor p:
                {
                    var (s0, k0) = FlowTensor(p.Source, ctx, ctor);
                    var sv = _locals.Fresh("_pipeShape");
                    var kv = _locals.Fresh("_pipe");
                    ctor.Line("var " + sv + " = " + s0 + ";");
                    ctor.Line("var " + kv + " = " + k0 + ";");
                    var inner = ctx with { ShapeVar = sv, TensorVar = kv };
                    foreach (var stage in p.Stages) Flow(stage, inner, ctor);
                    return (sv, kv);
                }
                case ResizedTensor r: return FlowResize(r, ctx, ctor);
                case NegatedTensor u:
                {
                    var (s, k) = FlowTensor(u.Operand, ctx, ctor);
                    var key = NewKey(ctor);
                    var source = _locals.Fresh("_source");
                    ctor.Line("var " + source + " = " + k + ";");
                    ctor.Line(_steps + ".Add(t => t[" + key + "] = t[" + source + "].neg());");
                    return (s, key);
                }
                case TensorPair b:
                {
                    var left = _locals.Fresh("_left");
                    var right = _locals.Fresh("_right");
                    var (ls, lk) = FlowTensor(b.Left, ctx, ctor);
                    ctor.Line("var " + left + " = " + lk + ";");
                    var (rs, rk) = FlowTensor(b.Right, ctx, ctor);
                    ctor.Line("var " + right + " = " + rk + ";");
                    return FlowStep("FeatureShape.Broadcast(" + ls + ", " + rs + ", true)", "t[" + left + "]." + Method(b.Op) + "(t[" + right + "])", ctor);
                }
                case TensorWithScalar b:
                {
                    var left = _locals.Fresh("_left");
                    var right = _locals.Fresh("_right");
                    var operand = b.ScalarFirst ? right : left;
                    var (ts, tk) = FlowTensor(b.Tensor, ctx, ctor);
                    ctor.Line("var " + operand + " = " + tk + ";");
                    var scalar = Scalar(b.Scalar, ctx, ctor);
                    var step = b.ScalarFirst && b.Op == TensorOp.Sub
                        ? "t[" + operand + "].neg().add(" + scalar + ")"
                        : "t[" + operand + "]." + Method(b.Op) + "(" + scalar + ")";
                    return FlowStep(ts, step, ctor);
                }
            }
            NotSupported(e.Syntax, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        /// <summary>An arithmetic step: its output shape in a local, its tensor under a fresh table key.</summary>
        private (string Shape, string Key) FlowStep(string shape, string step, IndentedWriter ctor)
        {
            var sv = _locals.Fresh("_shape");
            ctor.Line("var " + sv + " = " + shape + ";");
            var key = NewKey(ctor);
            ctor.Line(_steps + ".Add(t => t[" + key + "] = " + step + ");");
            return (sv, key);
        }
    }
}
