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
    /// <summary>Applications: a block, a block-valued parameter or a primitive layer applied to the running tensor, and PyTorch's spelling of a layer's construction.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        // ------------------------------------------------------------ applications

        private void Apply(Application application, string? key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var call = _program.CallOf(application.Call)!;
            if (application.Kind == ApplicationKind.BlockValue)
            {
                // A block-valued parameter holds the block's class; Python binds the arguments by position and name.
                Place(ctx.Scope.Lookup(call.Callee)!.CsName + "(" + BlockArguments(call.Arguments, ctx) + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
                return;
            }
            if (application.Kind == ApplicationKind.Learnable)
            {
                Learnable(call, key!, ctx, init, fwd);
                return;
            }
            if (application.Kind == ApplicationKind.Layer)
            {
                Primitive(call, key, staticName, ctx, init, fwd);
                return;
            }
            Place(PyNaming.Class(call.Definition!.Name) + "(" + BlockArguments(call.Arguments, ctx) + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
        }

        private string BlockArguments(ImmutableArray<ArgumentSyntax> args, Ctx ctx)
        {
            var parts = new List<string> { ctx.ShapeVar };
            foreach (var a in args)
                parts.Add((a.Name != null ? ParameterName(a.Name) + "=" : "") + _expr.Emit(a.Value, ctx.Scope, ctx.ShapeVar));
            return string.Join(", ", parts);
        }

        private void Primitive(BoundCall call, string? key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var syntax = new PythonLayerSyntax(_expr, ctx.Scope, ctx.ShapeVar);
            string create = LayerCalls.Construction(call, ctx.ShapeVar, syntax, _lowering.RunsInPlace(call));
            string shape = LayerCalls.Shape(call, ctx.ShapeVar, syntax);
            var biasInit = call.PrimitiveArguments.FirstOrDefault(a => a.Parameter.Name == "bias_init");
            if (biasInit?.Expression != null)
                create = "_init_bias(" + create + ", " + _expr.Emit(biasInit.Expression, ctx.Scope, ctx.ShapeVar, ArchType.Float) + ")";
            // The new shape reads only the current shape, so it may be computed after the module is created.
            Place(create, _ => shape, key, staticName, ctx, init, fwd);
        }

        /// <summary>A learnable tensor (<c>scale</c>): a parameter of the module itself, under its name, that multiplies
        /// the tensor in the forward. Only a module's own body can hold one (a Sequential would not apply it).</summary>
        private void Learnable(BoundCall call, string key, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var keyMember = Member("_key");
            var value = call.Argument("init") is { Expression: { } e } ? _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float) : "1.0";
            init.Line(keyMember + " = " + ctx.NamesVar + ".next(" + key + ")");
            init.Line("self.register_parameter(" + keyMember + ", nn.Parameter(torch.full(" + ctx.ShapeVar + ".learnable_size(), float(" + value + "))))");
            fwd.Line(ctx.TensorVar + " = " + ctx.TensorVar + " * getattr(self, " + keyMember + ")");
        }

        /// <summary>Python's spelling of a layer's construction (PyTorch) and shape call.</summary>
        private sealed class PythonLayerSyntax : LayerSyntax
        {
            public PythonLayerSyntax(PythonExpressions expr, CsScope scope, string shapeVar) : base((e, t) => expr.Emit(e, scope, shapeVar, t), expr.TypeOf) { }

            public override string Constant(object? value, bool real) => value switch
            {
                long l => real ? PyNaming.Double(l) : PyNaming.Long(l),
                double d => PyNaming.Double(d),
                bool b => PyNaming.Bool(b),
                _ => "None",
            };
            public override string Pair(string value, bool isList, string h, string w, bool anyList) => isList ? "tuple(" + value + ")" : value;
            public override string Array(string h, string w) => "(" + h + ", " + w + ")";
            public override string Keyword(string name, string value) => name + "=" + value;
            public override string? KeywordOf(Layers.EmittedArgument argument) => argument.PyTorchName;
            public override string InputChannels(string shapeVar) => shapeVar + ".channels";
            public override string SpatialChannels(string shapeVar, string layer) => shapeVar + ".spatial(\"" + layer + "\").channels";
            public override string Constructor(Layers.ModuleConstruction module) => module.RuntimeClass ? module.PyTorchClass : "nn." + module.PyTorchClass;
            public override string ShapeMethod(string method) =>
                string.Concat(method.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));
        }
    }
}
