using System;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Layers
{
    /// <summary>How a layer is written as ONNX nodes, from its configuration and input: stated in its table entry and
    /// read by the ONNX writer (src/Onnx), which knows no layer by name. Plain data, so the front end holds it without
    /// an ONNX library.</summary>
    public delegate OnnxRecipe OnnxRule(LayerConfig layer, Feature input);

    /// <summary>A value an ONNX node of a recipe reads.</summary>
    public abstract record RecipeValue
    {
        /// <summary>The layer's input.</summary>
        public static RecipeValue Input { get; } = new LayerInput();

        /// <summary>An optional input left out (ONNX's empty name).</summary>
        public static RecipeValue Omitted { get; } = new OmittedInput();
    }

    public sealed record LayerInput : RecipeValue;

    public sealed record OmittedInput : RecipeValue;

    /// <summary>The result of an earlier node of the same recipe, by its step name.</summary>
    public sealed record StepResult(string Step) : RecipeValue;

    /// <summary>One of the layer's state-dict entries, by its leaf (<c>weight</c> is <c>path.weight</c>); the empty
    /// leaf is the entry keyed by the layer's own path (a learnable tensor).</summary>
    public sealed record StateInput(string Leaf) : RecipeValue;

    /// <summary>A constant float32 tensor named <c>path/Name</c>: a scalar, or a vector of <see cref="Values"/>.</summary>
    public sealed record FloatConstant(string Name, ImmutableArray<float> Values, bool Scalar) : RecipeValue;

    /// <summary>A constant int64 vector named <c>path/Name</c> (a shape, pads, slice bounds).</summary>
    public sealed record LongConstant(string Name, ImmutableArray<long> Values) : RecipeValue;

    /// <summary>A node attribute: its value a <c>long</c>, a <c>double</c>, a <c>string</c> or an
    /// <c>ImmutableArray&lt;long&gt;</c> (ONNX's int, float, string and ints).</summary>
    public sealed record RecipeAttribute(string Name, object Value);

    /// <summary>One ONNX node of a recipe. The last node's result is the layer's output; an earlier node's result is
    /// named <c>path/Step</c>, recorded with the shape <see cref="Shape"/> (null: the layer's output shape) unless
    /// <see cref="Unshaped"/> (a value the feature model cannot describe, such as a five-dimensional reshape).</summary>
    public sealed record RecipeNode(string OpType, ImmutableArray<RecipeValue> Inputs, ImmutableArray<RecipeAttribute> Attributes)
    {
        public string Step { get; init; } = "";
        public Feature? Shape { get; init; }
        public bool Unshaped { get; init; }

        public RecipeNode With(string name, long value) => Add(name, value);
        public RecipeNode With(string name, double value) => Add(name, value);
        public RecipeNode With(string name, string value) => Add(name, value);
        public RecipeNode With(string name, (long H, long W) pair) => Add(name, ImmutableArray.Create(pair.H, pair.W));
        public RecipeNode With(string name, params long[] values) => Add(name, values.ToImmutableArray());

        /// <summary>ONNX's pads for a symmetric padding: begin and end of both spatial axes.</summary>
        public RecipeNode WithPads((long H, long W) padding) => With("pads", padding.H, padding.W, padding.H, padding.W);

        /// <summary>An intermediate result named <paramref name="step"/> (<c>path/step</c>), shaped as
        /// <paramref name="shape"/> or, when null, as the layer's output.</summary>
        public RecipeNode Named(string step, Feature? shape = null) => this with { Step = step, Shape = shape };

        /// <summary>An intermediate result named <paramref name="step"/> whose shape is not recorded.</summary>
        public RecipeNode NamedUnshaped(string step) => this with { Step = step, Unshaped = true };

        private RecipeNode Add(string name, object value) => this with { Attributes = Attributes.Add(new RecipeAttribute(name, value)) };
    }

    /// <summary>A layer's ONNX form: nodes in execution order (the last gives the output), the input passed through
    /// unchanged (no nodes), or a refusal saying why the layer cannot be written.</summary>
    public sealed record OnnxRecipe(ImmutableArray<RecipeNode> Nodes, string? Refusal = null)
    {
        /// <summary>The output is the input (identity, dropout at inference).</summary>
        public static OnnxRecipe PassThrough { get; } = new OnnxRecipe(ImmutableArray<RecipeNode>.Empty);

        public static OnnxRecipe Refuse(string why) => new OnnxRecipe(ImmutableArray<RecipeNode>.Empty, why);

        public bool PassesThrough => Nodes.IsEmpty && Refusal == null;

        public static implicit operator OnnxRecipe(RecipeNode node) => new OnnxRecipe(ImmutableArray.Create(node));
    }

    /// <summary>The vocabulary recipes are written in (<c>using static ArchDsl.Layers.Recipes;</c>).</summary>
    public static class Recipes
    {
        public static RecipeValue X => RecipeValue.Input;

        /// <summary>A node on <paramref name="inputs"/>; a null input is left out (an optional bias not present).</summary>
        public static RecipeNode Node(string opType, params RecipeValue?[] inputs) =>
            new RecipeNode(opType, inputs.Where(i => i != null).Select(i => i!).ToImmutableArray(), ImmutableArray<RecipeAttribute>.Empty);

        /// <summary>Nodes in order; null nodes (steps that do not apply) are left out.</summary>
        public static OnnxRecipe Nodes(params RecipeNode?[] nodes) =>
            new OnnxRecipe(nodes.Where(n => n != null).Select(n => n!).ToImmutableArray());

        public static RecipeValue Result(string step) => new StepResult(step);

        public static RecipeValue State(string leaf) => new StateInput(leaf);

        public static RecipeValue Scalar(string name, float value) => new FloatConstant(name, ImmutableArray.Create(value), true);

        public static RecipeValue Floats(string name, params float[] values) => new FloatConstant(name, values.ToImmutableArray(), false);

        public static RecipeValue Longs(string name, params long[] values) => new LongConstant(name, values.ToImmutableArray());
    }
}
