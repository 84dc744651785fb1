using System.Collections.Immutable;
using ArchDsl.Binding;
using ArchDsl.Text;

namespace ArchDsl.Elaboration
{
    /// <summary>A primitive layer's arguments after evaluation; pairs are (height, width).</summary>
    public sealed record LayerConfig(
        LayerKind Kind,
        long InChannels = 0,
        long Out = 0,
        (long H, long W) Kernel = default,
        (long H, long W) Stride = default,
        (long H, long W) Padding = default,
        (long H, long W) Dilation = default,
        long Groups = 1,
        bool Bias = true,
        bool CeilMode = false,
        bool CountIncludePad = true,
        double Eps = 1e-5,
        double Momentum = 0.1,
        double P = 0.5,
        double Alpha = 1e-4,
        double Beta = 0.75,
        double K = 1.0,
        long Size = 0,
        bool Flat = false,
        bool AlignCorners = false);

    public enum OpKind
    {
        Layer, Add, Mul, Concat, Split, ZeroPad, Scale,
        /// <summary>Up-sampling to another tensor's size (<c>upsample(to: t)</c>): inputs the tensor and t, whose height
        /// and width the output takes; <see cref="ElaboratedOp.Config"/> holds the mode and that size as its kernel.</summary>
        Resize,
    }

    /// <summary>One step of the network in execution order: a layer applied (its module registered at
    /// <see cref="Path"/>, or re-applied when <see cref="Shared"/>), or an element-wise merge. Every op's
    /// <see cref="Output"/> is an object of its own, and each of <see cref="Inputs"/> is the very object (by reference)
    /// that its producer output: an earlier op's Output, the network's Input, or a part of a channel split
    /// (<see cref="ElaboratedNetwork.Splits"/>). That is how the data flow is read back (diagrams).</summary>
    public sealed record ElaboratedOp(
        string Path, OpKind Kind, LayerConfig? Config, ImmutableArray<Feature> Inputs, Feature Output, bool Shared,
        string SourcePath, TextSpan Span)
    {
        /// <summary>For an <see cref="OpKind.Scale"/> op: the scalar and the operator it combines with the tensor.</summary>
        public ScalarStep? Scalar { get; init; }
    }

    /// <summary>A tensor combined with a number: <c>Constant Operator x</c> when <see cref="ConstantFirst"/>, else
    /// <c>x Operator Constant</c>; <see cref="Operator"/> is "+", "-" or "*" (unary minus is <c>x * -1</c>).</summary>
    public sealed record ScalarStep(string Operator, double Constant, bool ConstantFirst);

    /// <summary>A network or variant evaluated with concrete arguments at its declared input.</summary>
    public sealed record ElaboratedNetwork(
        string Name, DefinitionSymbol Network, string? Reference, Feature Input, Feature Output,
        ImmutableArray<ElaboratedOp> Ops, ImmutableArray<(string Name, Feature Output)> AuxOutputs,
        ImmutableDictionary<string, Value> Arguments)
    {
        /// <summary>For each channel split: the part each branch receives and the whole feature it was cut from.</summary>
        public ImmutableArray<(Feature Part, Feature Whole)> Splits { get; init; } = ImmutableArray<(Feature Part, Feature Whole)>.Empty;

        /// <summary>The named outputs (<c>output name</c>) in declaration order: computed on every forward, returned
        /// beside the main output <see cref="Output"/>.</summary>
        public ImmutableArray<(string Name, Feature Output)> NamedOutputs { get; init; } = ImmutableArray<(string Name, Feature Output)>.Empty;
    }
}
