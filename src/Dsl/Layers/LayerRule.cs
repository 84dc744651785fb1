using System;
using System.Collections.Immutable;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Layers
{
    /// <summary>A primitive's arguments once evaluated, read by its rule to build the layer's configuration. Reading
    /// a value of the wrong kind is reported (located at the argument) by the implementation.</summary>
    public abstract class LayerArguments
    {
        public abstract long Int(string parameter);
        public abstract (long H, long W) Pair(string parameter);
        public abstract double Real(string parameter);
        public abstract bool Flag(string parameter);
    }

    /// <summary>What a layer's shape rule decided: the output feature, or null with a problem and its detail.</summary>
    public delegate Feature? ShapeRule(LayerConfig config, Feature input, out Shapes.Problem problem, out string detail);

    /// <summary>How an emitted argument is printed from the layer's bound arguments.</summary>
    public enum ArgForm
    {
        /// <summary>The parameter's value as written (or its default).</summary>
        Value,
        /// <summary>A pair parameter as the framework takes it: an int, or an (h, w) tuple.</summary>
        Pair,
        /// <summary>A pair parameter as an array of two (TorchSharp's adaptive max pooling).</summary>
        Array,
        /// <summary>The height half of a pair parameter.</summary>
        H,
        /// <summary>The width half of a pair parameter.</summary>
        W,
        /// <summary>The input's channel count (the layer's input channels, inferred).</summary>
        InputChannels,
        /// <summary>The input's channel count, the input checked to be [C, H, W].</summary>
        SpatialChannels,
    }

    /// <summary>One argument of a framework constructor or shape rule. <see cref="TorchSharpName"/> and
    /// <see cref="PyTorchName"/> are the keyword each framework calls it (null: positional). When
    /// <see cref="FrameworkDefault"/> is true, the framework's default equals the language's, so an argument left
    /// at its default is not printed. A <see cref="Positional"/> argument is written without its keyword unless an
    /// argument before it was left out.</summary>
    public sealed record EmittedArgument(string Parameter, ArgForm Form, string? TorchSharpName = null, string? PyTorchName = null,
        bool FrameworkDefault = false, bool Float = false, bool Positional = false);

    /// <summary>How the layer is constructed in both targets: TorchSharp's factory in <c>torch.nn</c> (or a runtime
    /// class when <see cref="RuntimeClass"/>), the module's class, PyTorch's class, and the arguments in order.</summary>
    public sealed record ModuleConstruction(string TorchSharpFactory, string TorchSharpType, string PyTorchClass,
        ImmutableArray<EmittedArgument> Arguments, bool RuntimeClass = false)
    {
        /// <summary>Constant arguments written before the others, the same in both targets (a permutation's dims).</summary>
        public string? Fixed { get; init; }
    }

    /// <summary>The call to the shape tracker that follows the layer's shape through a generated constructor
    /// (<c>shape.Conv(…)</c> in C#, <c>shape.conv(…)</c> in Python); null when the layer keeps the shape.</summary>
    public sealed record ShapeCall(string Method, ImmutableArray<EmittedArgument> Arguments);

    /// <summary>Everything the compiler knows about one primitive layer, in one place: its declaration (parameters
    /// and their defaults), how its evaluated arguments become a <see cref="LayerConfig"/> and which values they
    /// may take, its shape rule, its state-dict entries and multiply-adds, its one-line description, and how both
    /// emitters construct it and track its shape.</summary>
    public sealed record LayerRule
    {
        public LayerRule(PrimitiveLayer declaration, Func<LayerArguments, Feature, LayerConfig> configure, ShapeRule shape,
            ModuleConstruction construction, ShapeCall? shapeCall)
        {
            Declaration = declaration;
            Configure = configure;
            Shape = shape;
            Construction = construction;
            ShapeCall = shapeCall;
        }

        public PrimitiveLayer Declaration { get; }
        public LayerKind Kind => Declaration.Kind;
        public string Name => Declaration.Name;

        /// <summary>The layer's configuration from its evaluated arguments and input.</summary>
        public Func<LayerArguments, Feature, LayerConfig> Configure { get; }

        /// <summary>Argument values the layer cannot take: the parameter and what it must be (e.g. "at least 1");
        /// null when every value is acceptable. Checked when the network is elaborated.</summary>
        public Func<LayerConfig, (string Parameter, string Requirement, string Value)?> Check { get; init; } = _ => null;

        public ShapeRule Shape { get; }

        /// <summary>State-dict entries under the layer's path, in PyTorch's order (parameters, then buffers).</summary>
        public Func<string, LayerConfig, ImmutableArray<StateEntry>> State { get; init; } = (_, _) => ImmutableArray<StateEntry>.Empty;

        /// <summary>Multiply-adds for an output of the given number of elements.</summary>
        public Func<LayerConfig, long, long> Macs { get; init; } = (_, _) => 0;

        /// <summary>A short description (<c>conv 3x3/2 64->128</c>); null: the layer's name.</summary>
        public Func<LayerConfig, string>? Describe { get; init; }

        /// <summary>Whether the layer has learnable parameters or buffers (the ones a name is worth giving).</summary>
        public bool HasState { get; init; }

        /// <summary>Whether the layer's result is new memory (never a view of its input) that its backward does not read
        /// (it needs the input and the weights): a following activation may overwrite it.</summary>
        public bool WritesFreshResult { get; init; }

        /// <summary>Whether the layer may overwrite its input, as torchvision's <c>ReLU(inplace=True)</c> does: an
        /// activation whose backward needs only its result, which is what overwriting leaves.</summary>
        public bool MayRunInPlace { get; init; }

        /// <summary>Whether the layer, so configured, mixes every input channel into every output channel (a linear
        /// layer, a convolution of one group): what a classifier head ends in.</summary>
        public Func<LayerConfig, bool> MixesAllChannels { get; init; } = _ => false;

        /// <summary>Whether the layer takes a channels-last map ([H, W, C], after <c>channels_last</c>); every other
        /// layer needs channels-first input, checked once for all in <see cref="Elaboration.Shapes.Apply"/>.</summary>
        public bool AcceptsChannelsLast { get; init; }

        /// <summary>A learnable tensor rather than a module: its one state entry is registered under the layer's own
        /// name in the enclosing module (torchvision's <c>features.1.0.layer_scale</c>), so it must be named, and it
        /// multiplies the flowing tensor in the enclosing module's forward.</summary>
        public bool IsParameter { get; init; }

        /// <summary>How the ONNX writer writes the layer (<see cref="OnnxRecipe"/>); null: ONNX export refuses it, saying
        /// it has no ONNX form.</summary>
        public OnnxRule? Onnx { get; init; }

        /// <summary>Whether the layer is the main computation of a stage (a convolution, a linear layer, a pooling): in
        /// a drawn chain it starts a line, and the normalisations and activations after it follow on that line.</summary>
        public bool StartsChainLine { get; init; }

        /// <summary>The layer's name in a drawn chain when shorter than its description (<c>bn</c>); null: the
        /// description.</summary>
        public string? ChainLabel { get; init; }

        public ModuleConstruction Construction { get; }
        public ShapeCall? ShapeCall { get; }
    }
}
