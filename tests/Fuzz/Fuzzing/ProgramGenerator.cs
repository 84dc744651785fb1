using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ArchDsl.Fuzzing
{
    /// <summary>Writes random .arch programs from the language's grammar: blocks, networks and variants built from every
    /// statement form, layer and builtin, with expressions over parameters. Most programs type-check (channels are
    /// small, kernels fit), so the emitter and the C# compiler see real output; some are wrong on purpose (odd
    /// groups, shrinking sizes, unknown names), and names, strings and comments carry hostile text.</summary>
    public sealed class ProgramGenerator
    {
        private readonly Random random;
        private readonly StringBuilder text = new StringBuilder();
        private int indent;
        private int labels;

        public ProgramGenerator(Random random) => this.random = random;

        /// <summary>Text that tries to break out of a C# comment, string, doc comment or line.</summary>
        public static readonly string[] HostileText =
        {
            "*/ class Injected { } /*", "\\\" + System.Environment.Exit(1) + \\\"", "\\n#line 1 \\\"evil.cs\\\"\\nclass Injected { }",
            "</summary><script>", "\\u0022; class Injected {}", "#error injected", "]]> --> \\\\", "\\n#pragma warning restore",
            "// ", "/* ", "\\u000A#line hidden", "@\\\"verbatim\\\"", "{0} {1} %s", "&amp; <b>",
        };

        private static readonly string[] HostileComments =
        {
            "*/ class Injected { } /*", "#line 1 \"evil.cs\"", "\u2028class Injected { }", "\r#error injected", "\\u000A class Injected {}",
            "</summary>", "\u0085#region", "*/",
        };

        private static readonly string[] Activations = { "relu", "relu6", "silu", "sigmoid", "tanh", "hardswish", "hardsigmoid", "gelu", "identity", "leaky_relu(0.2)" };

        private bool Chance(int percent) => random.Next(100) < percent;

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

        private void Line(string s) => text.Append(' ', indent * 2).Append(s).Append('\n');

        /// <summary>A name for a label, block or variant; now and then a C# keyword or a name the generated class uses.</summary>
        private string Name(string stem)
        {
            if (Chance(8)) return Pick(new[] { "class", "namespace", "return", "base", "this", "forward", "register_module", "Dispose", "_x", "__arglist", "Summary", "OutputShape", "in_", "static", "operator", "N0" });
            return stem + N(labels++);
        }

        private void Comment()
        {
            if (!Chance(15)) return;
            if (Chance(50)) Line("// " + Pick(HostileComments).Replace("\n", " ").Replace("\r", " "));
            else Line("/* " + Pick(HostileComments).Replace("*/", "* /") + " */");
        }

        public string Program()
        {
            text.Clear();
            indent = 0;
            labels = 0;
            if (Chance(30)) Line("// " + Pick(HostileComments).Replace("\n", " "));
            var blocks = new List<string>();
            int blockCount = random.Next(0, 3);
            for (int b = 0; b < blockCount; b++)
            {
                var name = Chance(10) ? Pick(new[] { "Class", "Namespace", "Net", "Tensor", "Module", "Sequential" }) + N(b) : "B" + N(b) + Name("x");
                Comment();
                if (Chance(30)) Line("// " + Pick(HostileText));
                Line("block " + name + "(c: int = " + N(Pick(new[] { 4, 8, 16 })) + ", stride: int = " + N(random.Next(1, 3)) + ") {");
                indent++;
                Statements(random.Next(1, 5), depth: 0, inNetwork: false, blocks);
                indent--;
                Line("}");
                blocks.Add(name);
            }
            var net = Name("Net");
            Comment();
            Line("network " + net + "(width: int = " + N(Pick(new[] { 4, 8, 16 })) + ", num_classes: int = " + N(random.Next(1, 20)) + ", flag: bool = " + (Chance(50) ? "true" : "false") + ") {");
            indent++;
            int size = Pick(new[] { 8, 16, 32, 3, 1 });
            Line(Chance(85) ? "input " + N(Pick(new[] { 1, 3, 4 })) + "x" + N(size) + "x" + N(size) : "input [3, " + N(size) + ", " + N(size) + "]");
            Statements(random.Next(1, 7), depth: 0, inNetwork: true, blocks);
            if (Chance(60))
            {
                Line(Pick(new[] { "pool", "avgpool", "gap" }) + ": adaptive_avgpool(1)");
                Line("flatten");
                Line(Name("fc") + ": linear(num_classes" + (Chance(30) ? ", bias: false" : "") + ")");
            }
            indent--;
            Line("}");
            int variants = random.Next(0, 3);
            for (int v = 0; v < variants; v++)
            {
                var args = new List<string>();
                if (Chance(60)) args.Add("width: " + N(Pick(new[] { 4, 8, 12, 16, 3 })));
                if (Chance(40)) args.Add("num_classes: " + N(random.Next(1, 100)));
                if (Chance(10)) args.Add(Pick(new[] { "width: true", "nope: 1", "flag: 2", "8" }));
                var reference = Chance(50) ? " reference \"" + (Chance(40) ? Pick(HostileText) : "net(width=" + N(v) + ")") + "\"" : "";
                Line("variant V" + N(v) + Name("v") + " = " + net + "(" + string.Join(", ", args) + ")" + reference);
            }
            return text.ToString();
        }

        private void Statements(int count, int depth, bool inNetwork, List<string> blocks)
        {
            for (int i = 0; i < count; i++) Statement(depth, inNetwork, blocks);
        }

        private string Channels() => Pick(new[] { "c", "width", "in_channels", "2 * width", "width / 2", "c * 2", "max(4, width)", "make_divisible(width * 1.5, 4)", "16", "8", "in_channels * 2" });

        private string Channels(bool inNetwork)
        {
            var c = Channels();
            if (inNetwork && c.Contains('c') && !c.Contains("in_channels")) c = c.Replace("c", "width").Replace("widthwidth", "width");
            return c;
        }

        private string Layer(bool inNetwork)
        {
            switch (random.Next(14))
            {
                case 0:
                case 1:
                case 2:
                {
                    var k = Pick(new[] { 1, 3, 5 });
                    var args = new List<string> { Channels(inNetwork), Chance(85) ? N(k) : "[" + N(k) + ", 1]" };
                    if (Chance(40)) args.Add("stride: " + (inNetwork ? Pick(new[] { "1", "2", "flag ? 2 : 1" }) : Pick(new[] { "stride", "1", "2" })));
                    if (Chance(70)) args.Add("padding: " + N(k / 2));
                    if (Chance(15)) args.Add("groups: " + Pick(new[] { "1", "2", "in_channels", "4" }));
                    if (Chance(40)) args.Add("bias: " + (Chance(50) ? "false" : "true"));
                    if (Chance(5)) args.Add("dilation: 2");
                    return "conv(" + string.Join(", ", args) + ")";
                }
                case 3: return Chance(70) ? "batchnorm" : "batchnorm(eps: 0.001, momentum: 0.01)";
                case 4: case 5: return Pick(Activations);
                case 6: return "maxpool(" + Pick(new[] { "2", "3, stride: 2, padding: 1", "2, ceil_mode: true", "3, stride: 1, padding: 1" }) + ")";
                case 7: return "avgpool(" + Pick(new[] { "2", "3, stride: 1, padding: 1", "2, count_include_pad: false" }) + ")";
                case 8: return "dropout(" + Pick(new[] { "0.2", "0.5", "0" }) + ")";
                case 9: return Pick(new[] { "shuffle(2)", "shuffle(1)", "lrn(3)", "lrn(5, alpha: 0.0001, beta: 0.75, k: 2.0)" });
                case 10: return Pick(new[] { "adaptive_avgpool(1)", "adaptive_maxpool(2)", "adaptive_avgpool([2, 1])" });
                case 11: return "identity";
                case 12: return Pick(new[] { "conv(" + Channels(inNetwork) + ", 9)", "maxpool(64)", "conv(7, 1, groups: 3)", "linear(4)", "unknown_layer(3)", "conv()", "relu(1)" });
                default: return "conv(" + Channels(inNetwork) + ", 1)";
            }
        }

        private string Condition(bool inNetwork) =>
            Pick(inNetwork
                ? new[] { "flag", "width > 4", "in_channels == width", "!flag", "width % 2 == 0 && flag", "in_height > 2" }
                : new[] { "stride != 1", "in_channels != c", "c > 4 || stride == 2", "true", "false" });

        private void Statement(int depth, bool inNetwork, List<string> blocks)
        {
            Comment();
            int kind = depth >= 3 ? 0 : random.Next(16);
            string label = Chance(35) ? Name(Chance(15) ? "layer" : "l") + (Chance(10) ? "{" + Pick(new[] { "1", "0 + 1" }) + "}" : "") + ": " : "";
            switch (kind)
            {
                case 0: case 1: case 2: case 3:
                    Line(label + Layer(inNetwork));
                    return;
                case 4:
                    if (blocks.Count > 0)
                    {
                        var args = new List<string>();
                        if (Chance(70)) args.Add(Channels(inNetwork));
                        if (Chance(30)) args.Add("stride: " + Pick(new[] { "1", "2" }));
                        Line(label + Pick(blocks) + "(" + string.Join(", ", args) + ")");
                    }
                    else Line(label + Layer(inNetwork));
                    return;
                case 5:
                    Line("let " + Name("k") + " = " + Pick(new[] { "in_channels / 2", "max(1, in_channels / 4)", "round(2.5)", "[1, 2, 3][1]", "len([1, 2])", "abs(-3)", "ceil(0.5) + floor(1.5)", "1 + 2 * 3 ^ 2 % 5" }));
                    return;
                case 6:
                    Line(label + "repeat " + Pick(new[] { "1", "2", "0", "width / 4" }) + (Chance(50) ? " as j" : "") + " {");
                    Body(depth, inNetwork, blocks);
                    return;
                case 7:
                    Line("for " + Pick(new[] { "i in 0..2", "x in [1, 2]", "i in 1..1" }) + " {");
                    Body(depth, inNetwork, blocks);
                    return;
                case 8:
                    Line("if " + Condition(inNetwork) + " {");
                    indent++;
                    Statements(random.Next(1, 3), depth + 1, inNetwork, blocks);
                    indent--;
                    if (Chance(50))
                    {
                        Line("} else {");
                        indent++;
                        Statements(random.Next(1, 3), depth + 1, inNetwork, blocks);
                        indent--;
                    }
                    Line("}");
                    return;
                case 9:
                {
                    var channels = Channels(inNetwork);
                    Line(label + "residual" + (Chance(30) ? " when " + Condition(inNetwork) : "") + " {");
                    indent++;
                    Line("conv(" + channels + ", 3, padding: 1, bias: false)");
                    if (Chance(50)) Line("batchnorm");
                    if (Chance(40)) Statement(depth + 1, inNetwork, blocks);
                    indent--;
                    switch (random.Next(4))
                    {
                        case 0: Line("}"); break;
                        case 1: Line("} shortcut " + Name("down") + " when in_channels != " + channels + " {"); indent++; Line("conv(" + channels + ", 1)"); indent--; Line("}"); break;
                        case 2: Line("} shortcut zeropad"); break;
                        default: Line("} shortcut {"); indent++; Line("conv(" + channels + ", 1, bias: false)"); Line("batchnorm"); indent--; Line("}"); break;
                    }
                    return;
                }
                case 10:
                    Line(label + Pick(new[] { "concat", "add", "mul", "split" }) + " {");
                    indent++;
                    int branches = random.Next(1, 4);
                    for (int b = 0; b < branches; b++)
                    {
                        Line((Chance(60) ? Name("b") + ": " : "") + "{");
                        indent++;
                        Statements(random.Next(1, 3), depth + 2, inNetwork, blocks);
                        indent--;
                        Line("}");
                    }
                    indent--;
                    Line("}");
                    return;
                case 11:
                    Line(label + "dense repeat " + N(random.Next(1, 4)) + " as j {");
                    Body(depth, inNetwork, blocks);
                    return;
                case 12:
                {
                    var s = Name("s");
                    Line("let " + Name("cin") + " = in_channels");
                    Line(s + " = input |> " + Name("pool") + ": adaptive_avgpool(1) |> " + Name("fc") + ": conv(max(1, in_channels / 2), 1) |> relu |> conv(in_channels, 1) |> sigmoid");
                    Line(Pick(new[] { "input * " + s, s, "input + input", "input * 0.5", "input - " + s }));
                    return;
                }
                case 13:
                    if (inNetwork) { Line(Name("aux") + ": aux { " + Pick(new[] { "adaptive_avgpool(1)", "relu" }) + " }"); return; }
                    Line(label + "{");
                    Body(depth, inNetwork, blocks);
                    return;
                case 14:
                    Line("@" + Pick(new[] { "l0", "l1", "relu", "conv", "k2" }));
                    return;
                default:
                    Line(label + "{");
                    Body(depth, inNetwork, blocks);
                    return;
            }
        }

        private void Body(int depth, bool inNetwork, List<string> blocks)
        {
            indent++;
            Statements(random.Next(1, 3), depth + 1, inNetwork, blocks);
            indent--;
            Line("}");
        }
    }
}
