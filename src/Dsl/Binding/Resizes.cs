using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Syntax;

namespace ArchDsl.Binding
{
    /// <summary>Up-sampling to another tensor's size: <c>upsample(to: skip)</c> or
    /// <c>upsample_bilinear(to: skip, align_corners: b)</c>, written where a tensor expression or a pipeline stage
    /// goes. Unlike the factor form it is not a module (nothing is registered; PyTorch's functional interpolate): it
    /// resizes the current tensor's height and width to those <c>skip</c> has when the forward runs.</summary>
    public sealed record BoundResize(string Layer, bool Bilinear, ExprSyntax Target, ExprSyntax? AlignCorners, CallExpr Syntax)
    {
        /// <summary>The argument that names the tensor whose size is taken.</summary>
        public const string To = "to";

        /// <summary>The layer whose interpolation the resize applies (its configuration records the target size).</summary>
        public LayerKind Kind => Primitives.Find(Layer)!.Kind;

        /// <summary>The interpolation mode as both frameworks spell it.</summary>
        public string Mode => Bilinear ? "bilinear" : "nearest";

        /// <summary>The resize <paramref name="e"/> writes, or null when it is something else (an up-sampling by a factor,
        /// any other call). Only the syntax decides: <c>upsample</c> or <c>upsample_bilinear</c> with a <c>to:</c> argument.
        /// The binder checks the rest of the argument list (<see cref="Problems"/>).</summary>
        public static BoundResize? Of(ExprSyntax e)
        {
            if (!(e is CallExpr call) || (call.Callee != "upsample" && call.Callee != "upsample_bilinear")) return null;
            var target = call.Arguments.FirstOrDefault(a => a.Name == To);
            if (target == null) return null;
            var align = call.Arguments.FirstOrDefault(a => a.Name == "align_corners");
            return new BoundResize(call.Callee, call.Callee == "upsample_bilinear", target.Value, align?.Value, call);
        }

        /// <summary>Arguments the resize form does not take: each with what is wrong (a factor beside <c>to</c>, a
        /// positional argument, <c>align_corners</c> on nearest up-sampling, an unknown or repeated name).</summary>
        public ImmutableArray<(ArgumentSyntax Argument, string Problem)> Problems()
        {
            var problems = ImmutableArray.CreateBuilder<(ArgumentSyntax, string)>();
            var seen = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);
            foreach (var a in Syntax.Arguments)
            {
                if (a.Name == null || a.Name == "factor")
                    problems.Add((a, "'" + Layer + "(to: …)' takes the size of the named tensor; a factor cannot be given beside it"));
                else if (a.Name == "align_corners" && !Bilinear)
                    problems.Add((a, "'align_corners' applies to 'upsample_bilinear' only"));
                else if (a.Name != To && a.Name != "align_corners")
                    problems.Add((a, "'" + Layer + "(to: …)' has no parameter named '" + a.Name + "'"));
                else if (!seen.Add(a.Name))
                    problems.Add((a, "Argument '" + a.Name + "' is given more than once"));
            }
            return problems.ToImmutable();
        }
    }
}
