using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Assembles a module class from translated parts, and writes the static metadata members.</summary>
    internal static partial class ClassEmitter
    {
        /// <summary>A class name for a block, network or variant: an identifier that is also none of the members the
        /// generated class declares or inherits (C# forbids a member named like its enclosing type).</summary>
        public static string TypeName(string name)
        {
            var id = Naming.Identifier(name);
            return System.Array.IndexOf(ReservedMembers, id) >= 0 ? id + "_" : id;
        }

        /// <summary>The simple names generated code refers to without qualification (TorchSharp's, ArchDsl.Runtime's and
        /// System). No local, parameter or field takes one (it would hide the type inside the class); a network, block
        /// or variant named like one is ARCH0028 (a class of that name in the project namespace would hide it for every
        /// generated file), and so is a namespace part.</summary>
        public static readonly string[] ReferencedNames =
        {
            "nn", "torch", "Tensor", "TorchSharp", "System", "ArchMath", "ArchOps", "ChildNames", "FeatureShape",
            "ArchModule", "IArchModule", "IDataflowModule", "LayerInfo", "NetworkMetadata", "ParameterChoices", "ShapeGuard",
            "SlimmableLayers", "StochasticDepth", "LayerNorm2d", "Permute", "ChannelMean", "ChannelMax", "Upsample2d",
            "Backbone", "FeatureTap", "IBackbone", "ArchModels", "ModelCard", "ModelRegistry", "DataConfig",
        };

        /// <summary>Names for a member's locals and a module's constructor parameters; every place that names a
        /// constructor's parameters (its declaration, a block application's and a variant's named arguments) starts here,
        /// so they agree.</summary>
        public static NameAllocator LocalNames() => new NameAllocator(new[] { "input", "scope", "shape", "x" }.Concat(ReferencedNames));

        /// <summary>Member names a generated field must not take (Module's API and the generated members).</summary>
        public static readonly string[] ReservedMembers =
        {
            "forward", "call", "Add", "Children", "training", "train", "eval", "OutputShape", "InputShape", "Metadata", "Summary",
            "ParameterCount", "MultiplyAccumulates", "MemoryAccessCost", "MinimumHeight", "MinimumWidth", "ExactInputSize",
            "register_module", "register_buffer", "register_parameter", "add_module", "state_dict", "load_state_dict",
            "parameters", "named_parameters", "buffers", "named_buffers", "children", "named_children", "modules",
            "named_modules", "to", "cuda", "cpu", "Dispose", "GetName", "apply", "zero_grad", "load", "save",
            "get_buffer", "get_parameter", "has_buffer", "has_parameter", "register_forward_hook", "register_forward_pre_hook",
            "half", "float", "double", "bfloat16", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone",
            "Finalize", "handle", "Create", "_to", "x", "input", "scope", "Outputs", "forward_with_aux",
            "forward_features", "forward_head", "forward_body", "FeatureInfo", "FeatureTaps", "ClassifierPath", "ResetClassifier", "Features",
        };

        /// <summary>The Outputs record's property for the network's main output (auxiliary heads take the others).</summary>
        public const string OutputsMainProperty = "Output";

        /// <summary>Guard facts for a network's forward: the declared input and the smallest size the layers accept.</summary>
        public sealed record Guard(string NetworkName, long MinHeight, long MinWidth, bool Exact);

        public static string ModuleClass(string name, string modifiers, string docSummary, IList<string> ctorParameters,
            IEnumerable<ModuleEmitter.Parameter> parameters, IndentedWriter ctorBody, IndentedWriter forwardBody, ModuleEmitter emitter,
            Guard? guard, bool isNetwork, string? inputShape = null, IEnumerable<string>? extraMembers = null, string? docRemarks = null,
            Head? head = null, string? sharedNames = null)
        {
            var w = new IndentedWriter(1);
            w.Line("/// <summary>" + docSummary + "</summary>");
            if (docRemarks != null) w.Lines(docRemarks, "/// ");
            w.Open(modifiers + " partial class " + name + " : ArchModule, IArchModule" + (isNetwork ? ", IBackbone" : "") + (emitter.IsDataflow ? ", IDataflowModule" : ""));
            foreach (var f in emitter.Fields) w.Line(f);
            if (emitter.Fields.Count > 0) w.Line();
            if (isNetwork)
            {
                w.Line("/// <summary>The input [C, H, W] this instance was built for.</summary>");
                w.Line("public FeatureShape InputShape { get; }");
                w.Line();
            }
            w.Line("/// <summary>The output shape for the input this instance was built for.</summary>");
            w.Line("public FeatureShape OutputShape { get;" + (isNetwork ? " private set;" : "") + " }");
            w.Line();
            if (guard != null)
            {
                w.Line("/// <summary>The smallest input height the layers accept (at the default arguments).</summary>");
                w.Line("public const long MinimumHeight = " + Naming.Long(guard.MinHeight) + ";");
                w.Line("/// <summary>The smallest input width the layers accept (at the default arguments).</summary>");
                w.Line("public const long MinimumWidth = " + Naming.Long(guard.MinWidth) + ";");
                w.Line("/// <summary>True when a flatten before a linear layer fixes the input size to the declared one.</summary>");
                w.Line("public const bool ExactInputSize = " + Naming.Bool(guard.Exact) + ";");
                w.Line();
            }
            if (extraMembers != null)
                foreach (var m in extraMembers) { w.Lines(m, skipEmpty: true); w.Line(); }

            w.Open("public " + name + "(" + string.Join(", ", ctorParameters) + ") : base(" + Naming.StringLiteral(name) + (sharedNames != null ? ", " + sharedNames : "") + ")");
            // A network's arithmetic on run-time arguments is checked (ArchMath); an overflow names the network.
            if (isNetwork) w.Open("try");
            foreach (var p in parameters) if (p.Prologue != null) w.Line(p.Prologue);
            if (isNetwork)
            {
                w.Line("var shape = " + inputShape + ";");
                w.Line("InputShape = shape;");
            }
            else w.Line("var shape = input;");
            w.Append(ctorBody);
            // Keeps training off a libtorch 2.10 crash; equal outputs (see the runtime's StridedPointwise).
            if (isNetwork) w.Line("StridedPointwise.SubsampleFirst(this);");
            w.Line("OutputShape = shape;");
            if (isNetwork)
            {
                w.Close();
                w.Line("catch (global::System.OverflowException e) { throw global::ArchDsl.Runtime.ArchMath.InNetwork(" + Naming.StringLiteral(name) + ", e); }");
            }
            w.Close();
            w.Line();
            // TorchSharp registers a module's fields under their field names when the module is registered in a parent;
            // the constructor has registered every child already, under its .arch name.
            w.Line("/// <summary>Every child is registered by the constructor, under its name in the .arch file.</summary>");
            w.Line("protected override void RegisterComponents() { }");
            w.Line();
            var aux = emitter.AuxOutputs;
            bool named = emitter.NamedOutputs.Count > 0;
            if (aux.Count > 0 && !named) AuxOutputMembers(w, aux);
            if (named) NamedOutputMembers(w, forwardBody, guard, aux, emitter.NamedOutputs, isNetwork);
            else if (isNetwork && head?.Body != null) SplitForward(w, forwardBody, head, guard, aux);
            else
            {
                w.Open(aux.Count > 0 ? "public Outputs forward_with_aux(Tensor input)" : "public override Tensor forward(Tensor input)");
                BodyLines(w, forwardBody, guard, aux);
                if (aux.Count > 0) w.Line("return " + NewOutputs("x", aux) + ";");
                else w.Line("return x.MoveToOuterDisposeScope();");
                w.Close();
                if (isNetwork) BackboneMembers.WholeForward(w);
            }
            if (isNetwork) BackboneMembers.Members(w, head ?? new Head(null, null, false));
            foreach (var nested in emitter.NestedClasses)
            {
                w.Line();
                w.Indent();
                foreach (var line in nested.Split('\n')) if (line.Length > 0) w.Line(line.Substring(System.Math.Min(4, line.Length - line.TrimStart().Length)));
                w.Outdent();
            }
            w.Close();
            return w.ToString();
        }

        /// <summary>A network's head, split off its body: the head's forward statements (null when the network has no head
        /// that can be split off), the classifier <c>ResetClassifier</c> replaces, and whether the class has static taps.</summary>
        public sealed record Head(IndentedWriter? Body, string? Classifier, bool HasFeatureInfo);

        /// <summary>The forward's prologue (the input guard, the dispose scope, the auxiliary outputs' locals) and the body's statements.</summary>
        private static void BodyLines(IndentedWriter w, IndentedWriter forwardBody, Guard? guard, IReadOnlyList<(string Local, string Name)> aux)
        {
            if (guard != null)
                w.Line("ShapeGuard.Check(input, " + Naming.StringLiteral(guard.NetworkName) + ", InputShape, MinimumHeight, MinimumWidth, ExactInputSize);");
            w.Line("using var scope = torch.NewDisposeScope();");
            foreach (var a in aux) w.Line("Tensor? " + a.Local + " = null;");
            w.Line("var x = input;");
            w.Append(forwardBody);
        }

        private static string NewOutputs(string main, IReadOnlyList<(string Local, string Name)> aux) =>
            "new Outputs(" + main + ".MoveToOuterDisposeScope()" + string.Concat(aux.Select(a => ", " + a.Local + "?.MoveToOuterDisposeScope()")) + ")";

        /// <summary>A network whose head splits off: <c>forward</c> (or <c>forward_with_aux</c>) is the head applied to
        /// the body, <c>forward_features</c> the body, <c>forward_head</c> the head. With auxiliary heads the body is
        /// <c>forward_body</c>, which returns the features as its <c>Output</c> beside the heads' outputs.</summary>
        private static void SplitForward(IndentedWriter w, IndentedWriter forwardBody, Head head, Guard? guard, IReadOnlyList<(string Local, string Name)> aux)
        {
            if (aux.Count > 0)
            {
                w.Line("/// <summary>The head applied to the body, and each auxiliary head's output.</summary>");
                w.Open("public Outputs forward_with_aux(Tensor input)");
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("var body = forward_body(input);");
                w.Line("return new Outputs(forward_head(body.Output).MoveToOuterDisposeScope()"
                    + string.Concat(aux.Select(a => ", body." + Naming.Pascal(a.Name) + "?.MoveToOuterDisposeScope()")) + ");");
                w.Close();
                w.Line();
                w.Line("/// <summary>The body: the input's last feature map, before the head (pooling and classifier).</summary>");
                w.Open("public Tensor forward_features(Tensor input)");
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("return forward_body(input).Output.MoveToOuterDisposeScope();");
                w.Close();
                w.Line();
                w.Line("/// <summary>The body's features, as Output, and each auxiliary head's output.</summary>");
                w.Open("private Outputs forward_body(Tensor input)");
                BodyLines(w, forwardBody, guard, aux);
                w.Line("return " + NewOutputs("x", aux) + ";");
                w.Close();
            }
            else
            {
                w.Line("/// <summary>The head applied to the body: forward_head(forward_features(input)).</summary>");
                w.Open("public override Tensor forward(Tensor input)");
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("return forward_head(forward_features(input)).MoveToOuterDisposeScope();");
                w.Close();
                w.Line();
                w.Line("/// <summary>The body: the input's last feature map, before the head (pooling and classifier).</summary>");
                w.Open("public Tensor forward_features(Tensor input)");
                BodyLines(w, forwardBody, guard, aux);
                w.Line("return x.MoveToOuterDisposeScope();");
                w.Close();
            }
            w.Line();
            w.Line("/// <summary>The head: what follows the body, applied to forward_features' result.</summary>");
            w.Open("public Tensor forward_head(Tensor input)");
            w.Line("using var scope = torch.NewDisposeScope();");
            w.Line("var x = input;");
            w.Append(head.Body!);
            w.Line("return x.MoveToOuterDisposeScope();");
            w.Close();
        }

        /// <summary>For a network with auxiliary heads: the typed result of <c>forward_with_aux</c> (one property per head,
        /// named by its .arch label, null in eval mode or when the head is not built), and a <c>forward</c> that returns
        /// the main output alone, as nn.Module's contract wants.</summary>
        private static void AuxOutputMembers(IndentedWriter w, IReadOnlyList<(string Local, string Name)> aux)
        {
            w.Line("/// <summary>The main output and each auxiliary head's output (null unless training and the head exists).</summary>");
            w.Line("public sealed record Outputs(Tensor " + OutputsMainProperty + string.Concat(aux.Select(a => ", Tensor? " + Naming.Pascal(a.Name))) + ");");
            w.Line();
            w.Open("public override Tensor forward(Tensor input)");
            w.Line("var all = forward_with_aux(input);");
            foreach (var a in aux) w.Line("all." + Naming.Pascal(a.Name) + "?.Dispose();");
            w.Line("return all.Output;");
            w.Close();
            w.Line();
        }

        /// <summary>Static metadata members: the table's totals as constants, the full table as a
        /// <c>NetworkMetadata</c>, <c>Summary()</c>, and the feature taps.</summary>
        public static List<string> MetadataMembers(Analysis.NetworkReport report, bool hide)
        {
            var s = report.Summary;
            string newKw = hide ? "new " : "";
            var members = new List<string>
            {
                "/// <summary>Parameters (learnable elements) at the declared input.</summary>\npublic " + newKw + "const long ParameterCount = " + Naming.Long(s.Params) + ";",
                "/// <summary>Conv + linear multiply-accumulates for one sample at the declared input (FLOPs = 2 x MACs).</summary>\npublic " + newKw + "const long MultiplyAccumulates = " + Naming.Long(s.Macs) + ";",
                "/// <summary>Memory access cost (ShuffleNet V2): elements read and written by all layers for one sample.</summary>\npublic " + newKw + "const long MemoryAccessCost = " + Naming.Long(s.MemoryAccess) + ";",
            };
            var m = new System.Text.StringBuilder();
            m.Append("/// <summary>The shape/cost table computed by the .arch front end.</summary>\n");
            m.Append("public static " + newKw + "NetworkMetadata Metadata { get; } = NetworkMetadata.FromRows(\n");
            m.Append("    " + Naming.StringLiteral(s.Name) + ", " + Naming.StringLiteral(s.File) + ", " + s.Line.ToString(CultureInfo.InvariantCulture) + ", "
                + (s.Reference == null ? "null" : Naming.StringLiteral(s.Reference)) + ",\n");
            m.Append("    ");
            AppendShape(m, s.Input).Append(", ");
            AppendShape(m, s.Output).Append(",\n");
            m.Append("    " + Naming.LongArgument(s.Params) + ", " + Naming.LongArgument(s.Buffers) + ", " + Naming.LongArgument(s.Macs) + ", "
                + Naming.LongArgument(s.MemoryAccess) + ", " + Naming.LongArgument(s.ActivationElements) + ",\n");
            AppendRows(m, s.Layers);
            m.Append(");");
            members.Add(m.ToString());
            members.Add("/// <summary>The per-layer shape/cost table with totals, as text.</summary>\npublic static " + newKw + "string Summary() => Metadata.ToTable();");
            members.Add(BackboneMembers.FeatureInfo(BackbonePlan.Taps(report), hide));
            return members;
        }

        private static System.Text.StringBuilder AppendShape(System.Text.StringBuilder sb, System.Collections.Immutable.ImmutableArray<long> shape)
        {
            sb.Append("new long[] { ");
            for (int i = 0; i < shape.Length; i++) (i == 0 ? sb : sb.Append(", ")).Append(Naming.LongArgument(shape[i]));
            return sb.Append(" }");
        }

        /// <summary>The layer rows in <c>NetworkMetadata.FromRows</c>'s format: a line per row, six cells split by
        /// <c>|</c>, one string constant the compiler joins. Not a <c>new LayerInfo(…)</c> per row: the larger networks
        /// have a thousand rows and more, and as constructor calls they were most of the generated text, of the
        /// emitter's time, of what the user's build binds and of the type initialiser the first use compiles.</summary>
        private static void AppendRows(System.Text.StringBuilder sb, System.Collections.Immutable.ImmutableArray<LayerRow> layers)
        {
            sb.Append("    // path|operation|output shape|params|MACs|memory access\n");
            if (layers.IsEmpty) { sb.Append("    \"\""); return; }
            for (int r = 0; r < layers.Length; r++)
            {
                var row = layers[r];
                // Paths are labels and indices, operations the layer table's descriptions: neither can hold the
                // separator, a line break or a character the literal would have to escape.
                if (row.Path.IndexOfAny(RowBreakers) >= 0 || row.Operation.IndexOfAny(RowBreakers) >= 0)
                    throw new System.InvalidOperationException("A metadata cell holds a separator: " + row.Path + " " + row.Operation);
                sb.Append(r == 0 ? "    \"" : " +\n    \"").Append(row.Path).Append('|').Append(row.Operation).Append('|');
                for (int i = 0; i < row.OutputShape.Length; i++) (i == 0 ? sb : sb.Append('x')).Append(row.OutputShape[i].ToString(CultureInfo.InvariantCulture));
                sb.Append('|').Append(row.Params.ToString(CultureInfo.InvariantCulture))
                  .Append('|').Append(row.Macs.ToString(CultureInfo.InvariantCulture))
                  .Append('|').Append(row.MemoryAccess.ToString(CultureInfo.InvariantCulture)).Append("\\n\"");
            }
        }

        private static readonly char[] RowBreakers = { '|', '\n', '\r', '"', '\\' };

        /// <summary>The doc-comment table: totals and the first rows, XML-escaped.</summary>
        public static string DocTable(NetworkSummary s, int maxRows = 40)
        {
            var lines = new List<string>
            {
                "<remarks>",
                "<para>At input [" + string.Join(", ", s.Input) + "]: output [" + string.Join(", ", s.Output) + "], "
                    + s.Params.ToString("#,0", CultureInfo.InvariantCulture) + " parameters, "
                    + s.Macs.ToString("#,0", CultureInfo.InvariantCulture) + " MACs, memory access "
                    + s.MemoryAccess.ToString("#,0", CultureInfo.InvariantCulture) + ".</para>",
                "<code>",
            };
            foreach (var row in s.Layers.Take(maxRows))
                lines.Add(Naming.Xml(row.Path.PadRight(28) + " " + row.Operation.PadRight(26) + " [" + string.Join(", ", row.OutputShape) + "]"
                    + " params " + row.Params.ToString(CultureInfo.InvariantCulture) + " MACs " + row.Macs.ToString(CultureInfo.InvariantCulture)));
            if (s.Layers.Length > maxRows) lines.Add("… " + (s.Layers.Length - maxRows).ToString(CultureInfo.InvariantCulture) + " more rows: see Summary()");
            lines.Add("</code>");
            lines.Add("</remarks>");
            return string.Join("\n", lines);
        }
    }
}
