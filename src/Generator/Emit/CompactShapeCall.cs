using System.Collections.Generic;
using System.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>A convolution's or pooling's shape call in C#, naming only the arguments that differ from their defaults
    /// when each [h, w] pair is one value: <c>shape.Conv(64, kernel: 7, stride: 2, padding: 3)</c> rather than
    /// <c>shape.Conv(64, 7, 7, 2, 2, 3, 3, 1, 1, 1)</c> (FeatureShape's square overloads). Null when a pair differs
    /// (Inception's 1x7), where the full call is printed.</summary>
    internal static class CompactShapeCall
    {
        public static string? Of(string shapeVar, string method, IReadOnlyList<string> a)
        {
            switch (method)
            {
                // out, kernel h/w, stride h/w, padding h/w, dilation h/w, groups
                case "Conv" when a.Count == 10 && a[1] == a[2] && a[3] == a[4] && a[5] == a[6] && a[7] == a[8]:
                {
                    var call = new StringBuilder(shapeVar).Append(".Conv(").Append(a[0]).Append(", kernel: ").Append(a[1]);
                    Named(call, "stride", a[3], "1");
                    Named(call, "padding", a[5], "0");
                    Named(call, "dilation", a[7], "1");
                    Named(call, "groups", a[9], "1");
                    return call.Append(')').ToString();
                }
                // kernel h/w, stride h/w, padding h/w, ceil mode
                case "Pool" when a.Count == 7 && a[0] == a[1] && a[2] == a[3] && a[4] == a[5]:
                {
                    var call = new StringBuilder(shapeVar).Append(".Pool(").Append(a[0]);
                    Named(call, "stride", a[2], a[0]);
                    Named(call, "padding", a[4], "0");
                    Named(call, "ceilMode", a[6], "false");
                    return call.Append(')').ToString();
                }
                default:
                    return null;
            }
        }

        private static void Named(StringBuilder call, string name, string value, string defaultValue)
        {
            if (value != defaultValue) call.Append(", ").Append(name).Append(": ").Append(value);
        }
    }
}
