using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Writes the members that make a generated network a backbone (<c>IBackbone</c> in the runtime): its taps,
    /// its classifier's path, <c>ResetClassifier</c>, and, for a network whose head does not split off, a body and head
    /// that are the whole forward and nothing.</summary>
    internal static class BackboneMembers
    {
        private const string TapList = "System.Collections.Generic.IReadOnlyList<FeatureTap>";

        /// <summary>For a network with no head to split off: the body is the whole forward, the head does nothing.</summary>
        public static void WholeForward(IndentedWriter w)
        {
            w.Line();
            w.Line("/// <summary>The body: this network has no pooled head to split off, so the whole forward.</summary>");
            w.Line("public Tensor forward_features(Tensor input) => forward(input);");
            w.Line();
            w.Line("/// <summary>The head: nothing follows the body.</summary>");
            w.Line("public Tensor forward_head(Tensor input) => input;");
        }

        /// <summary>The classifier's path, the instance's taps and <c>ResetClassifier</c>.</summary>
        public static void Members(IndentedWriter w, ClassEmitter.Head head)
        {
            w.Line();
            w.Line("/// <summary>The classifier ResetClassifier replaces" + (head.Classifier == null ? ": none, the network has no pooled head ending in one." : ".") + "</summary>");
            w.Line("public string? ClassifierPath => " + (head.Classifier == null ? "null" : Naming.StringLiteral(head.Classifier)) + ";");
            w.Line();
            w.Line("/// <summary>The feature taps of this instance's class, at its declared arguments (see FeatureInfo).</summary>");
            w.Line("public virtual " + TapList + " FeatureTaps => " + (head.HasFeatureInfo ? "FeatureInfo" : "System.Array.Empty<FeatureTap>()") + ";");
            w.Line();
            w.Line("/// <summary>A new classifier for <paramref name=\"numClasses\"/> classes, freshly initialised; the body is untouched.</summary>");
            w.Open("public void ResetClassifier(long numClasses)");
            w.Line("Backbone.ResetClassifier(this, ClassifierPath, numClasses);");
            w.Line("OutputShape = OutputShape.WithChannels(numClasses);");
            w.Close();
        }

        /// <summary>The static taps of a network or variant at its declared input (timm's <c>feature_info</c>).</summary>
        public static string FeatureInfo(ImmutableArray<TapSpec> taps, bool hide)
        {
            var m = new StringBuilder();
            m.Append("/// <summary>The feature taps at the declared input: the last module of each stage, with its channels and reduction.</summary>\n");
            m.Append("public static " + (hide ? "new " : "") + TapList + " FeatureInfo { get; } = new FeatureTap[]\n{\n");
            for (int i = 0; i < taps.Length; i++)
            {
                var t = taps[i];
                m.Append("    new FeatureTap(").Append(i.ToString(CultureInfo.InvariantCulture)).Append(", ");
                Naming.AppendStringLiteral(m, t.Module).Append(", ");
                Naming.AppendLong(m, t.Channels).Append(", ");
                Naming.AppendLong(m, t.Reduction).Append(", new long[] { ");
                for (int j = 0; j < t.Shape.Length; j++) Naming.AppendLong(j == 0 ? m : m.Append(", "), t.Shape[j]);
                m.Append(" }),\n");
            }
            m.Append("};");
            return m.ToString();
        }

        /// <summary>A variant's taps are its own.</summary>
        public const string VariantTaps = "/// <summary>The feature taps of this variant (its FeatureInfo).</summary>\npublic override " + TapList + " FeatureTaps => FeatureInfo;";
    }
}
