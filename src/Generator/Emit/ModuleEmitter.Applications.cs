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
    /// <summary>Applications: a block, a block-valued parameter or a primitive layer applied to the running tensor, and C#'s spelling of a layer's construction.</summary>
    internal sealed partial class ModuleEmitter
    {
        // ------------------------------------------------------------ applications

        private void Apply(Application application, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var call = _program.CallOf(application.Call)!;
            if (application.Kind == ApplicationKind.BlockValue)
            {
                var local = ctx.Scope.Lookup(call.Callee)!;
                var arms = new List<string>();
                foreach (var def in _program.Definitions.Values.Where(d => !d.IsNetwork).OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    var ctorArgs = BlockArguments(def, call, ctx);
                    if (ctorArgs == null) continue;
                    arms.Add(_expr.BlocksEnum + "." + Naming.Identifier(def.Name) + " => new " + _expr.BlockClass(def) + "(" + ctorArgs + ")");
                }
                arms.Add("_ => throw new System.ArgumentException(\"This block does not accept the arguments given at " + Naming.Xml(call.Callee).Replace("\"", "") + "\")");
                // The block classes share no type but the module's, so the switch takes it from the local it initializes.
                var chosen = _locals.Fresh("_block");
                ctor.Line(ModuleType + " " + chosen + " = " + local.CsName + " switch");
                ctor.Line("{");
                ctor.Indent();
                foreach (var arm in arms) ctor.Line(arm + ",");
                ctor.Outdent();
                ctor.Line("};");
                Place(chosen, ModuleType, m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd, createIsLocal: true);
                return;
            }
            if (application.Kind == ApplicationKind.Learnable)
            {
                Learnable(call, key!, staticName, ctx, ctor, fwd);
                return;
            }
            if (application.Kind == ApplicationKind.Layer)
            {
                Primitive(call, key, staticName, ctx, ctor, fwd);
                return;
            }
            var block = call.Definition!;
            var blockArgs = BlockArguments(block, call, ctx) ?? "";
            Place("new " + _expr.BlockClass(block) + "(" + blockArgs + ")", _expr.BlockClass(block), m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd);
        }

        /// <summary>C# arguments for a block's constructor, or null when the block cannot take these arguments.</summary>
        private string? BlockArguments(DefinitionSymbol def, BoundCall call, Ctx ctx)
        {
            var match = call.MatchTo(def);
            if (!match.Fits) return null;
            var parts = new List<string> { ctx.ShapeVar };
            var names = ClassEmitter.LocalNames();
            var csNames = def.Parameters.ToDictionary(p => p.Name, p => names.Fresh(Naming.Camel(p.Name)));
            // Arguments in the order written (their expressions are evaluated in that order).
            foreach (var a in call.Arguments)
            {
                int index = match.ByParameter.IndexOf(a);
                var p = def.Parameters[index];
                var t = _expr.TypeOf(a.Value);
                if (!p.Type.Accepts(t) && !t.IsError) return null;
                var value = p.Type.Kind == TypeKind.Int ? _expr.EmitArgument(a.Value, ctx.Scope, ctx.ShapeVar) : _expr.Emit(a.Value, ctx.Scope, ctx.ShapeVar, p.Type);
                if (p.Type.Kind == TypeKind.Block) value = _expr.BlockValueFor(def, a.Value, value, ctx.Scope);
                parts.Add(csNames[p.Name] + ": " + value);
            }
            return string.Join(", ", parts);
        }

        private void Primitive(BoundCall call, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var rule = Layers.LayerTable.Of(call.Primitive!.Kind);
            var syntax = new CSharpLayerSyntax(_expr, ctx.Scope, ctx.ShapeVar);
            // As torchvision's ReLU(inplace=True), where the data flow allows it: one activation map fewer.
            string create = LayerCalls.Construction(call, ctx.ShapeVar, syntax, _lowering.RunsInPlace(call));
            string shape = LayerCalls.Shape(call, ctx.ShapeVar, syntax);
            if (rule.HasState) _allocatingLayers++;
            // A file that declares a slimmable network builds its weighted layers through SlimmableLayers, which makes
            // plain layers unless SlimmableLayers.Build is constructing the shared-weight network.
            // A field holds the layer's own TorchSharp type (Conv2d, BatchNorm2d, ...), a slimmable layer the module type.
            string type = rule.Construction.RuntimeClass ? rule.Construction.TorchSharpType : "TorchSharp.Modules." + rule.Construction.TorchSharpType;
            // Inference fusion (Fusion.FoldBatchNorms) puts an Identity where a folded batch norm was, field included.
            if (rule.Construction.TorchSharpType.StartsWith("BatchNorm", System.StringComparison.Ordinal)) type = ModuleType;
            if (IsSlimmableFile && rule.HasState)
            {
                create = "SlimmableLayers." + create.Substring("nn.".Length);
                type = ModuleType;
            }
            var biasInit = call.PrimitiveArguments.FirstOrDefault(a => a.Parameter.Name == "bias_init");
            if (biasInit?.Expression != null)
                create = "ArchOps.InitBias(" + create + ", " + _expr.Emit(biasInit.Expression, ctx.Scope, ctx.ShapeVar, ArchType.Float) + ")";
            // The new shape reads the current shape, which creation also reads: compute it first when the
            // module is kept in a field (reshape runs after creation, but only S changes, never the module).
            Place(create, type, _ => shape, key, staticName, ctx, ctor, fwd);
        }

        /// <summary>A learnable tensor (<c>scale</c>): a parameter of the module itself, registered under its name (so
        /// its key is the name, as torchvision's <c>layer_scale</c>), that multiplies the tensor in the forward. The
        /// forward looks it up by name, so it follows the module to another device. Only a module's own body can hold
        /// one (a Sequential would not apply it).</summary>
        private void Learnable(BoundCall call, string key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var field = Field((staticName ?? "_p") + "Key", "string", ctx.Conditional);
            var init = call.Argument("init") is { Expression: { } e } ? _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float) : "1.0";
            ctor.Line("this." + field + " = " + ctx.NamesVar + ".Next(" + key + ");");
            ctor.Line("register_parameter(this." + field + ", ArchOps.Learnable(" + ctx.ShapeVar + ", " + init + "));");
            fwd.Line(ctx.TensorVar + " = " + ctx.TensorVar + ".mul(get_parameter(this." + field + (ctx.Conditional ? "!" : "") + ")!);");
        }

        /// <summary>C#'s spelling of a layer's construction (TorchSharp) and shape call.</summary>
        private sealed class CSharpLayerSyntax : LayerSyntax
        {
            // A constant int 0 converts to any enum as well as to long, so TorchSharp's overloads taking a Padding
            // enum where others take a long make `padding: 0` ambiguous (CS0121); a long zero picks the long one.
            public CSharpLayerSyntax(ExpressionEmitter expr, CsScope scope, string shapeVar)
                : base((e, t) => expr.EmitArgument(e, scope, shapeVar, t) is var v && v == "0" ? "0L" : v, expr.TypeOf) { }

            public override string Constant(object? value, bool real) => value switch
            {
                long l => real ? Naming.Double(l) : Naming.LongArgument(l),
                double d => Naming.Double(d),
                bool b => Naming.Bool(b),
                _ => "default",
            };
            public override string Pair(string value, bool isList, string h, string w, bool anyList) => anyList ? "(" + h + ", " + w + ")" : value;
            public override string Array(string h, string w) => "new long[] { " + h + ", " + w + " }";   // plain literals would make an int[]
            public override string Keyword(string name, string value) => name + ": " + value;
            public override string? KeywordOf(Layers.EmittedArgument argument) => argument.TorchSharpName;
            public override string InputChannels(string shapeVar) => shapeVar + ".Channels";
            public override string SpatialChannels(string shapeVar, string layer) => shapeVar + ".Spatial(" + Naming.StringLiteral(layer) + ").Channels";
            public override string Constructor(Layers.ModuleConstruction module) => module.RuntimeClass ? "new " + module.TorchSharpType : "nn." + module.TorchSharpFactory;
            public override string ShapeMethod(string method) => method;
            public override string ShapeCall(string shapeVar, string method, IReadOnlyList<string> arguments) =>
                CompactShapeCall.Of(shapeVar, method, arguments) ?? base.ShapeCall(shapeVar, method, arguments);
        }
    }
}
