using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using ArchDsl.Layers;
using ArchDsl.Text;

namespace ArchDsl.Onnx
{
    /// <summary>A weight the graph reads: its state-dict key and the shape the elaborated layer gives it.</summary>
    public sealed record OnnxWeight(string Key, ImmutableArray<long> Shape);

    /// <summary>An elaborated network lowered to ONNX: the graph without weights (constants included), the weights it
    /// reads by state-dict key, and diagnostics (an op with no ONNX equivalent is an error at its place in the source;
    /// the graph is then null).</summary>
    public sealed record OnnxLoweredGraph(OnnxGraph? Graph, ImmutableArray<OnnxWeight> Weights, ImmutableArray<ArchDiagnostic> Diagnostics);

    /// <summary>
    /// Lowers an <see cref="ElaboratedNetwork"/> to standard ONNX operators (opset 17), op by op in execution order:
    /// the graph is written from the description, never traced. Tensors are NCHW float32 ([N, C] once flattened);
    /// batch norm is inference batch norm (running statistics); dropout and stochastic depth are the identity.
    /// </summary>
    public static class OnnxLowering
    {
        public const long Opset = 17;

        /// <summary>Id of the diagnostic for an op that has no ONNX form here.</summary>
        public const string UnsupportedId = "ONNX0001";

        public const string InputName = "input";
        public const string OutputName = "output";

        /// <summary>Lowers <paramref name="network"/>. <paramref name="sourceText"/> gives a file's text by path (for
        /// line and column of diagnostics).</summary>
        public static OnnxLoweredGraph Lower(ElaboratedNetwork network, Func<string, string?> sourceText, bool dynamicBatch = false, long batchSize = 1)
        {
            if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "the batch size must be at least 1");
            var state = new LoweringState(network, sourceText, dynamicBatch ? new OnnxDim(0, "batch") : new OnnxDim(batchSize));
            return state.Run();
        }

        private sealed class LoweringState
        {
            private readonly ElaboratedNetwork _network;
            private readonly Func<string, string?> _sourceText;
            private readonly OnnxDim _batch;
            private readonly Dictionary<Feature, string> _values = new Dictionary<Feature, string>(ReferenceEqualityComparer.Instance);
            private readonly HashSet<string> _names = new HashSet<string>(StringComparer.Ordinal);
            private readonly List<OnnxNode> _nodes = new List<OnnxNode>();
            private readonly List<OnnxTensor> _constants = new List<OnnxTensor>();
            private readonly List<OnnxValueInfo> _infos = new List<OnnxValueInfo>();
            private readonly Dictionary<string, OnnxWeight> _weights = new Dictionary<string, OnnxWeight>(StringComparer.Ordinal);
            private readonly List<ArchDiagnostic> _diagnostics = new List<ArchDiagnostic>();
            private readonly ChannelSplits _splits;
            private readonly HashSet<Feature> _refused = new HashSet<Feature>(ReferenceEqualityComparer.Instance);

            public LoweringState(ElaboratedNetwork network, Func<string, string?> sourceText, OnnxDim batch)
            {
                _network = network;
                _sourceText = sourceText;
                _batch = batch;
                _splits = new ChannelSplits(network);
            }

            public OnnxLoweredGraph Run()
            {
                _names.Add(InputName);
                _names.Add(OutputName);
                _values[_network.Input] = InputName;
                foreach (var (name, _) in _network.AuxOutputs) _names.Add(name);
                foreach (var (name, _) in _network.NamedOutputs) _names.Add(name);
                for (int i = 0; i < _network.Ops.Length; i++)
                {
                    var op = _network.Ops[i];
                    // Downstream of an op already refused there is nothing to write (and one diagnostic says why).
                    if (op.Inputs.Any(_refused.Contains)) { _refused.Add(op.Output); continue; }
                    try
                    {
                        Lower(op);
                    }
                    catch (UnsupportedOpException e)
                    {
                        Report(op, e.Message);
                        _refused.Add(op.Output);
                    }
                }
                if (_diagnostics.Count > 0)
                    return new OnnxLoweredGraph(null, ImmutableArray<OnnxWeight>.Empty, _diagnostics.ToImmutableArray());

                var outputs = ImmutableArray.CreateBuilder<OnnxValueInfo>();
                outputs.Add(Output(_network.Output, OutputName));
                foreach (var (name, feature) in _network.NamedOutputs) outputs.Add(Output(feature, name));
                foreach (var (name, feature) in _network.AuxOutputs) outputs.Add(Output(feature, name));
                var input = Info(InputName, _network.Input);
                var graph = new OnnxGraph(_network.Name, _nodes.ToImmutableArray(), _constants.ToImmutableArray(),
                    ImmutableArray.Create(input), outputs.ToImmutable(), _infos.Where(v => !outputs.Any(o => o.Name == v.Name)).ToImmutableArray(),
                    "ArchDsl network " + _network.Name + " (" + _network.Network.File.Path + ")");
                return new OnnxLoweredGraph(graph, _weights.Values.ToImmutableArray(), ImmutableArray<ArchDiagnostic>.Empty);
            }

            /// <summary>A graph output named <paramref name="name"/>: an Identity node gives the value that name.</summary>
            private OnnxValueInfo Output(Feature feature, string name)
            {
                Node("Identity", name, new[] { Value(feature) }, new[] { name });
                return Info(name, feature);
            }

            private OnnxValueInfo Info(string name, Feature f)
            {
                var shape = ImmutableArray.CreateBuilder<OnnxDim>();
                shape.Add(_batch);
                foreach (var d in f.Shape) shape.Add(new OnnxDim(d));
                return new OnnxValueInfo(name, OnnxDataType.Float, shape.ToImmutable());
            }

            private void Report(ElaboratedOp op, string message)
            {
                var text = _sourceText(op.SourcePath) ?? "";
                var map = new LineMap(text);
                var (line, column) = map.Locate(op.Span.Start);
                var (endLine, endColumn) = map.Locate(op.Span.Start + op.Span.Length);
                _diagnostics.Add(new ArchDiagnostic(UnsupportedId, ArchSeverity.Error, message, op.SourcePath, op.Span.Start, op.Span.Length, line, column, endLine, endColumn));
            }

            private sealed class UnsupportedOpException : Exception
            {
                public UnsupportedOpException(string message) : base(message) { }
            }

            // ------------------------------------------------------------ values and names

            private string Value(Feature f) =>
                _values.TryGetValue(f, out var name) ? name : throw new InvalidOperationException("a value is used before it is produced");

            /// <summary>The value an op reads as its input <paramref name="index"/>: the producer's output, or the part of a
            /// channel split that the op's branch receives.</summary>
            private string Input(ElaboratedOp op, int index)
            {
                var f = op.Inputs[index];
                if (_splits.PartOf(op, index) is { } part) return SplitOutput(part.Whole, part.Index, part.Count);
                return Value(f);
            }

            private readonly Dictionary<Feature, string[]> _splitOutputs = new Dictionary<Feature, string[]>(ReferenceEqualityComparer.Instance);

            private string SplitOutput(Feature whole, int index, int count)
            {
                if (!_splitOutputs.TryGetValue(whole, out var outputs))
                {
                    var source = Value(whole);
                    outputs = Enumerable.Range(0, count).Select(i => Fresh(source + "(split" + i.ToString(CultureInfo.InvariantCulture) + ")")).ToArray();
                    Node("Split", source + "(split)", new[] { source }, outputs, OnnxAttribute.Of("axis", 1L));
                    var part = whole with { Channels = whole.Channels / count };
                    foreach (var o in outputs) _infos.Add(Info(o, part));
                    _splitOutputs[whole] = outputs;
                }
                return outputs[index];
            }

            /// <summary>A new value name based on <paramref name="path"/> (the op's path; "#2", "#3" for re-applications).</summary>
            private string Fresh(string path)
            {
                if (_names.Add(path)) return path;
                for (int n = 2; ; n++)
                {
                    var candidate = path + "#" + n.ToString(CultureInfo.InvariantCulture);
                    if (_names.Add(candidate)) return candidate;
                }
            }

            /// <summary>Names the op's output value and records its shape.</summary>
            private string Produce(ElaboratedOp op)
            {
                var name = Fresh(op.Path);
                _values[op.Output] = name;
                _infos.Add(Info(name, op.Output));
                return name;
            }

            /// <summary>The op's output is its input, unchanged (identity, dropout, stochastic depth, flatten of a flat input).</summary>
            private void Alias(ElaboratedOp op) => _values[op.Output] = Input(op, 0);

            private void Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params OnnxAttribute[] attributes) =>
                _nodes.Add(new OnnxNode(opType, name, inputs.ToImmutableArray(), outputs.ToImmutableArray(), attributes.ToImmutableArray()));

            /// <summary>An intermediate value of a multi-node lowering: <paramref name="path"/>/<paramref name="step"/>.</summary>
            private string Step(string path, string step, Feature shape)
            {
                var name = Fresh(path + "/" + step);
                _infos.Add(Info(name, shape));
                return name;
            }

            private string Constant(string path, string what, OnnxDataType type, ImmutableArray<long> dims, byte[] raw)
            {
                var name = Fresh(path + "/" + what);
                _constants.Add(new OnnxTensor(name, type, dims, raw));
                return name;
            }

            private string Scalar(string path, string what, float value) =>
                Constant(path, what, OnnxDataType.Float, ImmutableArray<long>.Empty, BitConverter.GetBytes(value));

            private string Longs(string path, string what, params long[] values) =>
                Constant(path, what, OnnxDataType.Int64, ImmutableArray.Create((long)values.Length), values.SelectMany(BitConverter.GetBytes).ToArray());

            /// <summary>The layer's state entry <paramref name="leaf"/> (<c>path.leaf</c>; the empty leaf: the entry keyed
            /// by the path itself), read as an initializer; its key is a name no value may take.</summary>
            private string Weight(ElaboratedOp op, string leaf)
            {
                var key = leaf.Length == 0 ? op.Path : op.Path + "." + leaf;
                var entry = CostModel.StateOf(op.Path, op.Config!).Single(e => e.Key == key);
                _weights[entry.Key] = new OnnxWeight(entry.Key, entry.Shape);
                _names.Add(entry.Key);
                return entry.Key;
            }

            // ------------------------------------------------------------ ops

            private void Lower(ElaboratedOp op)
            {
                switch (op.Kind)
                {
                    case OpKind.Layer:
                        LowerLayer(op, op.Config!);
                        return;
                    case OpKind.Add:
                    case OpKind.Mul:
                    {
                        // A subtraction is elaborated as an add (same shapes); its path names it.
                        string opType = op.Kind == OpKind.Mul ? "Mul" : op.Path.EndsWith("(sub)", StringComparison.Ordinal) ? "Sub" : "Add";
                        var acc = Input(op, 0);
                        for (int i = 1; i < op.Inputs.Length; i++)
                        {
                            // Many-way sums fold left to right, as the generated code adds them.
                            bool last = i == op.Inputs.Length - 1;
                            var partial = last ? Produce(op) : Step(op.Path, "partial" + i.ToString(CultureInfo.InvariantCulture), op.Output);
                            Node(opType, partial, new[] { acc, Input(op, i) }, new[] { partial });
                            acc = partial;
                        }
                        if (op.Inputs.Length == 1) Alias(op);
                        return;
                    }
                    case OpKind.Concat:
                    {
                        var output = Produce(op);
                        Node("Concat", output, Enumerable.Range(0, op.Inputs.Length).Select(i => Input(op, i)), new[] { output }, OnnxAttribute.Of("axis", 1L));
                        return;
                    }
                    case OpKind.ZeroPad:
                    {
                        var input = Input(op, 0);
                        long extra = op.Output.Channels - op.Inputs[0].Channels;
                        var pads = Longs(op.Path, "pads", 0, 0, 0, 0, 0, extra, 0, 0);
                        var output = Produce(op);
                        Node("Pad", output, new[] { input, pads }, new[] { output });
                        return;
                    }
                    case OpKind.Split:
                        // Splits are read from ElaboratedNetwork.Splits (ChannelSplits); no op of this kind is recorded.
                        throw new UnsupportedOpException("ONNX export does not support a split op recorded without its parts");
                    case OpKind.Scale when op.Scalar is { } step:
                    {
                        // The generated code combines a float32 tensor with the number, so the constant is float32 too.
                        var constant = Scalar(op.Path, "constant", (float)step.Constant);
                        var tensor = Input(op, 0);
                        var output = Produce(op);
                        var opType = step.Operator switch { "*" => "Mul", "+" => "Add", "-" => "Sub", _ => throw new UnsupportedOpException("ONNX export has no lowering for the operator " + step.Operator) };
                        Node(opType, output, step.ConstantFirst ? new[] { constant, tensor } : new[] { tensor, constant }, new[] { output });
                        return;
                    }
                    case OpKind.Resize:
                        throw new UnsupportedOpException("ONNX export does not write up-sampling to another tensor's size ('" + LayerTable.Of(op.Config!.Kind).Name
                            + "(to: …)'); an integer factor ('" + LayerTable.Of(op.Config.Kind).Name + "(2)') is exported as Resize");
                    case OpKind.Scale:
                        throw new UnsupportedOpException("ONNX export cannot write this tensor-scalar expression: its number is not known when the network is elaborated");
                    default:
                        throw new UnsupportedOpException("ONNX export does not support the op " + op.Kind);
                }
            }

            /// <summary>Writes a layer as its table entry's recipe says: each node's inputs in order, then its result (the
            /// layer's output for the last node), then the node.</summary>
            private void LowerLayer(ElaboratedOp op, LayerConfig c)
            {
                var rule = LayerTable.Of(c.Kind);
                if (rule.Onnx == null) throw new UnsupportedOpException("ONNX export has no form for the layer '" + rule.Name + "'");
                var recipe = rule.Onnx(c, op.Inputs[0]);
                if (recipe.Refusal != null) throw new UnsupportedOpException(recipe.Refusal);
                if (recipe.PassesThrough) { Alias(op); return; }
                var results = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i < recipe.Nodes.Length; i++)
                {
                    var node = recipe.Nodes[i];
                    var inputs = node.Inputs.Select(v => Operand(op, v, results)).ToArray();
                    string output = i == recipe.Nodes.Length - 1 ? Produce(op)
                        : node.Unshaped ? Fresh(op.Path + "/" + node.Step)
                        : Step(op.Path, node.Step, node.Shape ?? op.Output);
                    results[node.Step] = output;
                    Node(node.OpType, output, inputs, new[] { output }, node.Attributes.Select(Attribute).ToArray());
                }
            }

            private string Operand(ElaboratedOp op, RecipeValue value, Dictionary<string, string> results) => value switch
            {
                LayerInput => Input(op, 0),
                OmittedInput => "",
                StepResult r => results[r.Step],
                StateInput s => Weight(op, s.Leaf),
                FloatConstant f when f.Scalar => Scalar(op.Path, f.Name, f.Values[0]),
                FloatConstant f => Constant(op.Path, f.Name, OnnxDataType.Float, ImmutableArray.Create((long)f.Values.Length), f.Values.SelectMany(BitConverter.GetBytes).ToArray()),
                LongConstant l => Longs(op.Path, l.Name, l.Values.ToArray()),
                _ => throw new InvalidOperationException("unknown recipe value " + value),
            };

            private static OnnxAttribute Attribute(RecipeAttribute a) => a.Value switch
            {
                long l => OnnxAttribute.Of(a.Name, l),
                double d => OnnxAttribute.Of(a.Name, d),
                string t => OnnxAttribute.Of(a.Name, t),
                ImmutableArray<long> ints => OnnxAttribute.Of(a.Name, ints.ToArray()),
                _ => throw new InvalidOperationException("attribute " + a.Name + " has a value of type " + a.Value.GetType().Name),
            };
        }
    }
}
