using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ArchDsl.Fuzzing
{
    /// <summary>Programs built to sit on or just past a limit, on purpose, where random programs and mutations seldom
    /// go: nesting at the depth limit and beyond it (every construct that nests), bodies, pipes, branches, chains,
    /// variants and names thousands wide, loop and layer counts up to 2^63, literals at the ends of the int and
    /// float ranges, and names that collide with each other, with C# keywords or with what the generated C# and
    /// TorchSharp declare. Each program is mostly valid, so that the part under test reaches the emitter and the
    /// C# compiler instead of stopping at a syntax error.</summary>
    public sealed class HostileShapes
    {
        /// <summary>The kinds of program, in the order <see cref="Program"/> cycles through them.</summary>
        public static readonly string[] Kinds = { "deep", "wide", "count", "literal", "names" };

        private readonly Random random;
        private int next;

        public HostileShapes(Random random) => this.random = random;

        private bool Chance(int percent) => random.Next(100) < percent;

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string Times(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

        /// <summary>A size from a ladder weighted to the small end, with the limits (ReliabilityLimits) and their
        /// neighbours on it: most programs are cheap, and every limit is met from both sides.</summary>
        private int Size(params int[] ladder)
        {
            // Rung k is drawn with weight 2^-k: the first rungs most often.
            int k = 0;
            while (k + 1 < ladder.Length && Chance(45)) k++;
            return ladder[k];
        }

        private static string Network(string name, string body, string parameters = "", string input = "3x8x8") =>
            "network " + name + "(" + parameters + ") {\n  input " + input + "\n" + body + "\n}\n";

        /// <summary>The next program and its kind (deep, wide, count, literal, names), the kinds in turn.</summary>
        public (string Kind, string Text) Program()
        {
            string kind = Kinds[next++ % Kinds.Length];
            string text = kind switch
            {
                "deep" => Deep(),
                "wide" => Wide(),
                "count" => Count(),
                "literal" => Literal(),
                _ => Names(),
            };
            return (kind, text);
        }

        // ------------------------------------------------------------ deep

        private string Deep()
        {
            int d = Size(3, 30, 99, 100, 190, 199, 200, 201, 400, 5000);
            switch (random.Next(13))
            {
                case 0: return Network("Deep", "  conv(" + Times("(", d) + "4" + Times(")", d) + ", 1)");
                case 1: return Network("Deep", "  let l = " + Times("[", d) + "4" + Times("]", d) + "\n  conv(4, 1)");
                case 2: return Network("Deep", Times("{ ", d) + "relu" + Times(" }", d));
                case 3: return Network("Deep", Times("repeat 1 { ", d) + "conv(4, 1)" + Times(" }", d));
                case 4: return Network("Deep", Times("if true { ", d) + "relu" + Times(" }", d));
                case 5: return Network("Deep", Times("residual { ", d) + "relu" + Times(" }", d));
                case 6: return Network("Deep", Times("concat { ", d) + "conv(1, 1)" + Times(" }", d));
                case 7: return Network("Deep", "  conv(" + Times(Pick(new[] { "-", "- " }), d) + "4, 1)");
                case 8: return Network("Deep", "  conv(" + Times("true ? ", d) + "4" + Times(" : 1", d) + ", 1)");
                case 9: return Network("Deep", "  x = input" + Times(" |> { relu", d) + Times(" }", d) + "\n  x");
                case 10:
                {
                    // Blocks applying the previous one: block depth, not tree depth (the limit is 64).
                    int n = Math.Min(d, 300);
                    var sb = new StringBuilder("block B0() { relu }\n");
                    for (int i = 1; i < n; i++) sb.Append("block B" + N(i) + "() { B" + N(i - 1) + "() }\n");
                    return sb + Network("Deep", "  B" + N(n - 1) + "()");
                }
                case 11: return ElseIfChain(Size(2, 250, 299, 300, 301, 1000), Chance(50) ? Math.Min(d, 99) : 0);
                default: return Network("Deep", "  conv(" + Times("1 + (", d) + "1" + Times(")", d) + ", 1)");
            }
        }

        /// <summary>An <c>else if</c> chain of <paramref name="branches"/>, its last branch nesting <paramref name="depth"/> groups.</summary>
        private string ElseIfChain(int branches, int depth)
        {
            var sb = new StringBuilder("block Pick(k: int) {\n  if k == 0 { conv(1, 1) }\n");
            for (int i = 1; i < branches; i++)
                sb.Append("  else if k == " + N(i) + " { " + (i == branches - 1 ? Times("{ ", depth) + "conv(2, 1)" + Times(" }", depth) : "conv(" + N(1 + i % 7) + ", 1)") + " }\n");
            sb.Append("  else { relu }\n}\n");
            return sb + Network("Chain", "  Pick(" + N(random.Next(branches + 1)) + ")");
        }

        // ------------------------------------------------------------ wide

        private string Wide()
        {
            int w = Size(10, 100, 1000, 3000);
            int big = Size(100, 10_000, 100_000, 1_100_000);
            switch (random.Next(13))
            {
                case 0: return Network("Wide", Times("  relu\n", w));
                case 1: return Network("Wide", "  x = input" + Times(" |> relu", w) + "\n  x");
                case 2: return Network("Wide", "  concat {\n" + Times("    conv(1, 1)\n", w) + "  }");
                case 3: return Network("Wide", "  add {\n" + string.Concat(Enumerable.Range(0, w).Select(i => "    b" + N(i) + ": conv(4, 1)\n")) + "  }");
                case 4: return Network("Wide", "  " + string.Join("; ", Enumerable.Range(0, w).Select(i => "l" + N(i) + ": conv(" + N(1 + i % 5) + ", 1)")));
                case 5:
                {
                    // Variants: the limit is 1,000 networks and variants per file.
                    int v = Size(2, 100, 999, 1000, 1001, 5000);
                    return Network("Base", "  conv(c, 1)", "c: int = 4") + string.Concat(Enumerable.Range(0, v).Select(i => "variant V" + N(i) + " = Base(c: " + N(1 + i % 9) + ")\n"));
                }
                case 6: return string.Concat(Enumerable.Range(0, w).Select(i => "block B" + N(i) + "() { conv(" + N(1 + i % 5) + ", 1) }\n")) + Network("Wide", "  B" + N(w - 1) + "()");
                case 7: return "block B(" + string.Join(", ", Enumerable.Range(0, w).Select(i => "p" + N(i) + ": int = " + N(i))) + ") { conv(p1, 1) }\n" + Network("Wide", "  B()");
                case 8: return Network("Wide", "  let l = [" + string.Join(", ", Enumerable.Range(0, big / 4).Select(i => N(i % 10))) + "]\n  conv(len(l) % 7 + 1, 1)");
                case 9: return Network("N" + new string('n', big), "  relu");
                case 10: return Network("Wide", "  " + new string('l', big) + ": relu");
                case 11: return Network("Wide", "  relu") + "variant V = Wide() reference \"" + new string('r', big) + "\"\n";
                default: return Network("Wide", "  for i in 0.." + N(w) + " {\n    l{i}: conv(i % 5 + 1, 1)\n  }");
            }
        }

        // ------------------------------------------------------------ huge counts

        private static readonly string[] HugeInts =
        {
            "0", "1", "2", "3", "-1", "65536", "2147483647", "2147483648", "4294967296", "2 ^ 31", "2 ^ 32", "2 ^ 40", "2 ^ 53", "2 ^ 53 + 1",
            "2 ^ 62", "2 ^ 63 - 1 + 1", "9223372036854775807", "-9223372036854775807", "-9223372036854775807 - 1", "4611686018427387904",
        };

        private string Count()
        {
            string h = Pick(HugeInts);
            switch (random.Next(16))
            {
                case 0: return Network("Count", "  repeat " + h + " { relu }");
                case 1: return Network("Count", "  repeat " + h + " { repeat " + Pick(HugeInts) + " { } }");
                case 2: return Network("Count", "  for i in " + h + ".." + Pick(HugeInts) + " { let z = i + 1 }");
                case 3: return Network("Count", "  conv(" + h + ", " + Pick(new[] { "1", "3, padding: 1", h }) + ")");
                case 4: return Network("Count", "  conv(4, 3, stride: " + h + ", padding: " + Pick(HugeInts) + ")");
                case 5: return Network("Count", "  adaptive_avgpool(" + h + ")\n  flatten\n  linear(10)");
                case 6: return Network("Count", "  flatten\n  linear(" + h + ")");
                case 7: return Network("Count", "  maxpool(" + h + ")");
                case 8: return Network("Count", "  conv(8, 1)\n  conv(8, 3, groups: " + h + ")");
                case 9: return Network("Count", "  conv(8, 1)\n  shuffle(" + h + ")");
                case 10: return Network("Count", "  conv(4, 3, dilation: " + h + ")");
                case 11:
                {
                    // Each block applies the previous one twice: 2^n applications.
                    int n = Size(3, 10, 16, 17, 18, 40);
                    var sb = new StringBuilder("block D0() { relu }\n");
                    for (int i = 1; i <= n; i++) sb.Append("block D" + N(i) + "() { D" + N(i - 1) + "()\n  D" + N(i - 1) + "() }\n");
                    return sb + Network("Count", "  D" + N(n) + "()");
                }
                case 12:
                {
                    string dims = string.Join("x", Enumerable.Range(0, 3).Select(_ => Pick(new[] { "1", "3", "8", "224", "65536", "99999999", "2147483648", "9223372036854775807" })));
                    return Network("Count", "  conv(16, 3, padding: 1)\n  maxpool(2)\n  adaptive_avgpool(1)\n  flatten\n  linear(10)", input: dims);
                }
                case 13: return Network("Count", "  let s = \"ab\"\n" + Times("  let s = s + s\n", Size(5, 20, 30, 40)) + "  relu");
                case 14:
                {
                    // A network near the layer limit and variants of it (amplification).
                    int layers = Size(10, 1000, 100_000, 199_999, 200_001);
                    return Network("Big", "  repeat n { relu }", "n: int = " + N(layers)) + Times("variant V" + N(random.Next(1000)) + " = Big(n: " + N(layers) + ")\n", Size(1, 3, 20));
                }
                default: return Network("Count", "  dense repeat " + h + " as j { conv(1, 1) }");
            }
        }

        // ------------------------------------------------------------ extreme literals

        private static readonly string[] ExtremeValues =
        {
            "9223372036854775807", "9223372036854775808", "-9223372036854775807", "(-9223372036854775807 - 1)", "0", "-0", "1", "-1",
            "1e308", "1e309", "-1e308", "1e-308", "1e-324", "0.0", "-0.0", "4.9e-324", "1.7976931348623157e308", "0.1", "2.5", "0.5",
            "2147483647", "-2147483648", "4294967295", "9007199254740993", "123456789012345678901234567890", "1e19", "9.3e18",
        };

        private static readonly string[] Operators = { "+", "-", "*", "/", "%", "^" };

        private string Extreme()
        {
            string a = Pick(ExtremeValues), b = Pick(ExtremeValues);
            switch (random.Next(12))
            {
                case 0: return a + " " + Pick(Operators) + " " + b;
                case 1: return "-" + a;
                case 2: return "abs(" + a + ")";
                case 3: return Pick(new[] { "max", "min" }) + "(" + a + ", " + b + ")";
                case 4: return Pick(new[] { "round", "ceil", "floor", "int" }) + "(" + a + ")";
                case 5: return "make_divisible(" + a + ", " + Pick(new[] { "8", "0", "-8", b }) + ")";
                case 6: return "float(" + a + ") " + Pick(Operators) + " " + b;
                case 7: return "(" + a + " " + Pick(Operators) + " " + b + ") " + Pick(Operators) + " " + Pick(ExtremeValues);
                case 8: return "[" + a + ", " + b + "][" + Pick(new[] { "0", "1", "2", "-1", a }) + "]";
                case 9: return a + " ^ " + Pick(new[] { "0", "1", "2", "63", "64", "-1", "0.5", b });
                case 10: return "len([" + a + "]) + " + b;
                default: return a;
            }
        }

        private string Literal()
        {
            string e = Extreme();
            switch (random.Next(10))
            {
                case 0: return Network("Literal", "  let v = " + e + "\n  conv(4, 1)");
                case 1: return Network("Literal", "  conv(max(1, min(16, " + e + ")), 1)");
                case 2: return Network("Literal", "  conv(" + e + ", 1)");
                case 3: return Network("Literal", "  if " + e + " > 0 { relu } else { conv(2, 1) }");
                case 4:
                {
                    var layer = Pick(new[] { "dropout(V)", "leaky_relu(V)", "batchnorm(eps: V)", "batchnorm(momentum: V)", "lrn(3, alpha: V)", "lrn(3, k: V)", "lrn(V)", "lrn(size: V)", "stochastic_depth(V)" });
                    return Network("Literal", "  conv(4, 1)\n  " + layer.Replace("V", e));
                }
                case 5: return Network("Literal", "  conv(4, 1)", "a: int = " + e);
                case 6: return Network("Literal", "  conv(c, 1)", "c: int = 4") + "variant V = Literal(c: " + e + ")\n";
                case 7: return Network("Literal", "  conv(4, [" + e + ", 1])");
                case 8: return Network("Literal", "  conv(4, 3, padding: " + e + ")");
                default: return Network("Literal", "  repeat " + e + " { relu }");
            }
        }

        // ------------------------------------------------------------ colliding names

        /// <summary>Names the generated C# or TorchSharp declare or use, C# keywords (reserved and contextual), and the
        /// namespace the fuzzer emits into.</summary>
        private static readonly string[] TakenNames =
        {
            "nn", "torch", "TorchSharp", "System", "global", "FeatureShape", "IArchModule", "Blocks", "FuzzBlocks", "Fuzz", "Generated", "ArchDsl",
            "Module", "Tensor", "Sequential", "ShapeGuard", "Runtime", "Summary", "OutputShape", "InputShape", "Layers", "forward", "Forward",
            "ToString", "GetHashCode", "Equals", "GetType", "Dispose", "register_module", "_modules", "training", "train", "eval", "Create",
            "x", "input", "shape", "value", "this", "base", "var", "dynamic", "record", "await", "yield", "nameof", "async", "file", "required",
            "scoped", "class", "int", "object", "string", "__arglist", "__makeref", "_", "__", "net", "n", "N", "Net", "NET", "a_b", "aB", "A_b",
            "aux1", "Aux1", "AUX1", "Net1", "Net_1", "net_1", "Layer1", "layer1", "layer_1", "Fc", "fc", "FC",
        };

        private string Taken() => Pick(TakenNames);

        private string Names()
        {
            string a = Taken(), b = Taken();
            switch (random.Next(12))
            {
                case 0: return Network(a, "  conv(4, 1)");
                case 1: return Network(a, "  conv(4, 1)") + Network(b, "  relu");
                case 2: return "block " + a + "() { conv(4, 1) }\n" + Network(b, "  " + a + "()");
                case 3: return Network("Labels", "  " + a + ": conv(4, 1)\n  " + b + ": conv(4, 1)\n  " + Taken() + ": relu");
                case 4: return Network("Aux", "  conv(8, 1)\n  " + a + ": aux { adaptive_avgpool(1) }\n  " + b + ": aux { adaptive_avgpool(1) }");
                case 5: return Network("Params", "  conv(" + a + ", 1)", a + ": int = 4");
                case 6: return "block B(" + a + ": int = 4, " + b + ": int = 2) { conv(" + a + " + " + b + ", 1) }\n" + Network("Params", "  B()");
                case 7: return Network("Base", "  conv(c, 1)", "c: int = 4") + "variant " + a + " = Base(c: 2)\nvariant " + b + " = Base(c: 3)\n";
                case 8:
                {
                    // A name built by a loop and the same name written out.
                    string stem = Pick(new[] { "l", "layer", "L", "x" });
                    return Network("Indexed", "  for i in 0..3 {\n    " + stem + "{i}: conv(4, 1)\n  }\n  " + stem + Pick(new[] { "1", "_1", "01" }) + ": relu\n  @" + stem + "{1}");
                }
                case 9:
                {
                    // The same name in an imported catalogue file and here.
                    var (file, name, isBlock) = Pick(new[] { ("resnet.arch", "BasicBlock", true), ("resnet.arch", "ResNet", false), ("lenet.arch", "LeNet5", false), ("vgg.arch", "VGG", false) });
                    string own = isBlock ? "block " + name + "(planes: int) { conv(planes, 1) }\n" + Network("Uses", "  " + name + "(4)") : Network(name, "  relu");
                    return "import \"" + file + "\"\n" + own;
                }
                case 10: return Network(a, "  relu") + Network(a.ToUpperInvariant(), "  relu") + Network(a.ToLowerInvariant(), "  relu");
                default: return Network("Group", "  " + a + ": {\n    " + b + ": conv(4, 1)\n    " + a + ": relu\n  }\n  " + b + ": { relu }");
            }
        }
    }
}
