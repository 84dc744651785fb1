using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
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

            private string Weight(ElaboratedOp op, string leaf)
            {
                var entry = CostModel.StateOf(op.Path, op.Config!).Single(e => e.Key == op.Path + "." + leaf);
                _weights[entry.Key] = new OnnxWeight(entry.Key, entry.Shape);
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
                        throw new UnsupportedOpException("ONNX export does not write up-sampling to another tensor's size ('" + Layers.LayerTable.Of(op.Config!.Kind).Name
                            + "(to: …)'); an integer factor ('" + Layers.LayerTable.Of(op.Config.Kind).Name + "(2)') is exported as Resize");
                    case OpKind.Scale:
                        throw new UnsupportedOpException("ONNX export cannot write this tensor-scalar expression: its number is not known when the network is elaborated");
                    default:
                        throw new UnsupportedOpException("ONNX export does not support the op " + op.Kind);
                }
            }

            private void LowerLayer(ElaboratedOp op, LayerConfig c)
            {
                var x = op.Inputs[0];
                switch (c.Kind)
                {
                    case LayerKind.Conv:
                    {
                        var inputs = new List<string> { Input(op, 0), Weight(op, "weight") };
                        if (c.Bias) inputs.Add(Weight(op, "bias"));
                        var output = Produce(op);
                        Node("Conv", output, inputs, new[] { output },
                            OnnxAttribute.Of("kernel_shape", c.Kernel.H, c.Kernel.W),
                            OnnxAttribute.Of("strides", c.Stride.H, c.Stride.W),
                            OnnxAttribute.Of("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W),
                            OnnxAttribute.Of("dilations", c.Dilation.H, c.Dilation.W),
                            OnnxAttribute.Of("group", c.Groups));
                        return;
                    }
                    case LayerKind.Linear when x.ChannelsLast:
                    {
                        // On the channels of an [N, H, W, C] map: MatMul with the transposed weight (it broadcasts over
                        // the positions), then the bias; Gemm takes only 2-D inputs.
                        var transposed = Fresh(op.Path + "/weight_t");
                        Node("Transpose", transposed, new[] { Weight(op, "weight") }, new[] { transposed }, OnnxAttribute.Of("perm", 1, 0));
                        var input = Input(op, 0);
                        var product = c.Bias ? Step(op.Path, "matmul", op.Output) : Produce(op);
                        Node("MatMul", product, new[] { input, transposed }, new[] { product });
                        if (!c.Bias) return;
                        var output = Produce(op);
                        Node("Add", output, new[] { product, Weight(op, "bias") }, new[] { output });
                        return;
                    }
                    case LayerKind.Linear:
                    {
                        var inputs = new List<string> { Input(op, 0), Weight(op, "weight") };
                        if (c.Bias) inputs.Add(Weight(op, "bias"));
                        var output = Produce(op);
                        Node("Gemm", output, inputs, new[] { output }, OnnxAttribute.Of("transB", 1L));
                        return;
                    }
                    case LayerKind.BatchNorm:
                    {
                        var inputs = new[] { Input(op, 0), Weight(op, "weight"), Weight(op, "bias"), Weight(op, "running_mean"), Weight(op, "running_var") };
                        var output = Produce(op);
                        Node("BatchNormalization", output, inputs, new[] { output }, OnnxAttribute.Of("epsilon", c.Eps));
                        return;
                    }
                    case LayerKind.ReLU: Unary(op, "Relu"); return;
                    case LayerKind.Sigmoid: Unary(op, "Sigmoid"); return;
                    case LayerKind.Tanh: Unary(op, "Tanh"); return;
                    case LayerKind.Hardswish: Unary(op, "HardSwish"); return;
                    // PyTorch's hardsigmoid is relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
                    case LayerKind.Hardsigmoid: Unary(op, "HardSigmoid", OnnxAttribute.Of("alpha", 1.0 / 6), OnnxAttribute.Of("beta", 0.5)); return;
                    case LayerKind.LeakyReLU: Unary(op, "LeakyRelu", OnnxAttribute.Of("alpha", c.Alpha)); return;
                    case LayerKind.ReLU6:
                    {
                        var input = Input(op, 0);
                        var min = Scalar(op.Path, "min", 0f);
                        var max = Scalar(op.Path, "max", 6f);
                        var output = Produce(op);
                        Node("Clip", output, new[] { input, min, max }, new[] { output });
                        return;
                    }
                    case LayerKind.SiLU:
                    {
                        var input = Input(op, 0);
                        var gate = Step(op.Path, "sigmoid", op.Output);
                        Node("Sigmoid", gate, new[] { input }, new[] { gate });
                        var output = Produce(op);
                        Node("Mul", output, new[] { input, gate }, new[] { output });
                        return;
                    }
                    case LayerKind.GELU:
                    {
                        // Opset 17 has no Gelu: x * (1 + erf(x / sqrt 2)) / 2, PyTorch's exact form.
                        var input = Input(op, 0);
                        var scaled = Step(op.Path, "scaled", op.Output);
                        Node("Div", scaled, new[] { input, Scalar(op.Path, "sqrt2", (float)Math.Sqrt(2)) }, new[] { scaled });
                        var erf = Step(op.Path, "erf", op.Output);
                        Node("Erf", erf, new[] { scaled }, new[] { erf });
                        var plus = Step(op.Path, "plus1", op.Output);
                        Node("Add", plus, new[] { erf, Scalar(op.Path, "one", 1f) }, new[] { plus });
                        var half = Step(op.Path, "half", op.Output);
                        Node("Mul", half, new[] { input, Scalar(op.Path, "onehalf", 0.5f) }, new[] { half });
                        var output = Produce(op);
                        Node("Mul", output, new[] { half, plus }, new[] { output });
                        return;
                    }
                    case LayerKind.MaxPool:
                    case LayerKind.AvgPool:
                    {
                        var input = Input(op, 0);
                        var output = Produce(op);
                        var attributes = new List<OnnxAttribute>
                        {
                            OnnxAttribute.Of("kernel_shape", c.Kernel.H, c.Kernel.W),
                            OnnxAttribute.Of("strides", c.Stride.H, c.Stride.W),
                            OnnxAttribute.Of("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W),
                            OnnxAttribute.Of("ceil_mode", c.CeilMode ? 1L : 0L),
                        };
                        if (c.Kind == LayerKind.AvgPool) attributes.Add(OnnxAttribute.Of("count_include_pad", c.CountIncludePad ? 1L : 0L));
                        Node(c.Kind == LayerKind.MaxPool ? "MaxPool" : "AveragePool", output, new[] { input }, new[] { output }, attributes.ToArray());
                        return;
                    }
                    case LayerKind.AdaptiveAvgPool:
                    case LayerKind.AdaptiveMaxPool:
                        Adaptive(op, c.Kind == LayerKind.AdaptiveMaxPool);
                        return;
                    case LayerKind.Flatten:
                    {
                        if (x.Flat) { Alias(op); return; }
                        var input = Input(op, 0);
                        var output = Produce(op);
                        Node("Flatten", output, new[] { input }, new[] { output }, OnnxAttribute.Of("axis", 1L));
                        return;
                    }
                    case LayerKind.Dropout:
                    case LayerKind.StochasticDepth:
                    case LayerKind.Identity:
                        Alias(op);
                        return;
                    case LayerKind.ChannelMean:
                    case LayerKind.ChannelMax:
                        Unary(op, c.Kind == LayerKind.ChannelMax ? "ReduceMax" : "ReduceMean", OnnxAttribute.Of("axes", new long[] { 1 }), OnnxAttribute.Of("keepdims", 1L));
                        return;
                    case LayerKind.Upsample:
                    case LayerKind.UpsampleBilinear:
                    {
                        // Resize by constant scales [1, 1, fh, fw] (no roi). PyTorch's nearest is the asymmetric
                        // transform with floor rounding; bilinear is half_pixel, or align_corners when asked.
                        bool bilinear = c.Kind == LayerKind.UpsampleBilinear;
                        var input = Input(op, 0);
                        var scales = Constant(op.Path, "scales", OnnxDataType.Float, ImmutableArray.Create(4L),
                            new float[] { 1, 1, c.Kernel.H, c.Kernel.W }.SelectMany(BitConverter.GetBytes).ToArray());
                        var output = Produce(op);
                        var attributes = bilinear
                            ? new[] { OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", c.AlignCorners ? "align_corners" : "half_pixel") }
                            : new[] { OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"), OnnxAttribute.Of("nearest_mode", "floor") };
                        Node("Resize", output, new[] { input, "", scales }, new[] { output }, attributes);
                        return;
                    }
                    case LayerKind.LocalResponseNorm:
                        Unary(op, "LRN", OnnxAttribute.Of("size", c.Size), OnnxAttribute.Of("alpha", c.Alpha), OnnxAttribute.Of("beta", c.Beta), OnnxAttribute.Of("bias", c.K));
                        return;
                    case LayerKind.ChannelShuffle:
                    {
                        // [N, g, C/g, H, W] -> swap the middle two -> [N, C, H, W]; 0 keeps the batch dimension as it is.
                        var input = Input(op, 0);
                        long g = c.Groups;
                        var grouped = Fresh(op.Path + "/grouped");
                        Node("Reshape", grouped, new[] { input, Longs(op.Path, "grouped_shape", 0, g, x.Channels / g, x.Height, x.Width) }, new[] { grouped });
                        var swapped = Fresh(op.Path + "/swapped");
                        Node("Transpose", swapped, new[] { grouped }, new[] { swapped }, OnnxAttribute.Of("perm", 0, 2, 1, 3, 4));
                        var output = Produce(op);
                        Node("Reshape", output, new[] { swapped, Longs(op.Path, "shape", 0, x.Channels, x.Height, x.Width) }, new[] { output });
                        return;
                    }
                    case LayerKind.LayerNorm:
                        Unary(op, "LayerNormalization", new[] { Weight(op, "weight"), Weight(op, "bias") }, OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", c.Eps));
                        return;
                    case LayerKind.LayerNorm2d:
                    {
                        // torchvision's LayerNorm2d: channels-last, normalised over the last axis, channels-first again.
                        var last = op.Output with { ChannelsLast = true };
                        var permuted = Step(op.Path, "channels_last", last);
                        Node("Transpose", permuted, new[] { Input(op, 0) }, new[] { permuted }, OnnxAttribute.Of("perm", 0, 2, 3, 1));
                        var normalised = Step(op.Path, "normalised", last);
                        Node("LayerNormalization", normalised, new[] { permuted, Weight(op, "weight"), Weight(op, "bias") }, new[] { normalised },
                            OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", c.Eps));
                        var output = Produce(op);
                        Node("Transpose", output, new[] { normalised }, new[] { output }, OnnxAttribute.Of("perm", 0, 3, 1, 2));
                        return;
                    }
                    case LayerKind.ChannelsLast: Unary(op, "Transpose", OnnxAttribute.Of("perm", 0, 2, 3, 1)); return;
                    case LayerKind.ChannelsFirst: Unary(op, "Transpose", OnnxAttribute.Of("perm", 0, 3, 1, 2)); return;
                    case LayerKind.Scale:
                    {
                        // The learnable tensor is the op's one state entry, keyed by the op's own path.
                        var entry = CostModel.StateOf(op.Path, c).Single();
                        _weights[entry.Key] = new OnnxWeight(entry.Key, entry.Shape);
                        _names.Add(entry.Key);   // the initializer has the op's name: its output takes another
                        Unary(op, "Mul", new[] { entry.Key });
                        return;
                    }
                    default:
                        throw new UnsupportedOpException("ONNX export has no lowering for the layer " + c.Kind);
                }
            }

            private void Unary(ElaboratedOp op, string opType, params OnnxAttribute[] attributes) => Unary(op, opType, Array.Empty<string>(), attributes);

            /// <summary>One node on the op's input and <paramref name="operands"/> (weights), producing its output.</summary>
            private void Unary(ElaboratedOp op, string opType, string[] operands, params OnnxAttribute[] attributes)
            {
                var input = Input(op, 0);
                var output = Produce(op);
                Node(opType, output, new[] { input }.Concat(operands).ToArray(), new[] { output }, attributes);
            }

            /// <summary>Adaptive pooling to (oh, ow): the identity at equal size, a global pool to 1x1, a plain pool when
            /// the size divides evenly, and otherwise PyTorch's bins exactly (row i covers floor(i*H/oh) to ceil((i+1)*H/oh)),
            /// each a slice reduced, the cells concatenated back.</summary>
            private void Adaptive(ElaboratedOp op, bool max)
            {
                var x = op.Inputs[0];
                var c = op.Config!;
                long oh = c.Kernel.H, ow = c.Kernel.W;
                if (oh == x.Height && ow == x.Width) { Alias(op); return; }
                var input = Input(op, 0);
                if (oh == 1 && ow == 1)
                {
                    var output = Produce(op);
                    Node(max ? "GlobalMaxPool" : "GlobalAveragePool", output, new[] { input }, new[] { output });
                    return;
                }
                if (x.Height % oh == 0 && x.Width % ow == 0)
                {
                    var output = Produce(op);
                    long kh = x.Height / oh, kw = x.Width / ow;
                    Node(max ? "MaxPool" : "AveragePool", output, new[] { input }, new[] { output },
                        OnnxAttribute.Of("kernel_shape", kh, kw), OnnxAttribute.Of("strides", kh, kw));
                    return;
                }
                var rows = new List<string>();
                for (long i = 0; i < oh; i++)
                {
                    long h0 = i * x.Height / oh, h1 = ((i + 1) * x.Height + oh - 1) / oh;
                    var cells = new List<string>();
                    for (long j = 0; j < ow; j++)
                    {
                        long w0 = j * x.Width / ow, w1 = ((j + 1) * x.Width + ow - 1) / ow;
                        var cellName = "cell" + i.ToString(CultureInfo.InvariantCulture) + "_" + j.ToString(CultureInfo.InvariantCulture);
                        var slice = Step(op.Path, cellName + "/window", x with { Height = h1 - h0, Width = w1 - w0 });
                        Node("Slice", slice, new[] { input, Longs(op.Path, cellName + "/starts", h0, w0), Longs(op.Path, cellName + "/ends", h1, w1), Longs(op.Path, cellName + "/axes", 2, 3) }, new[] { slice });
                        var cell = Step(op.Path, cellName, x with { Height = 1, Width = 1 });
                        Node(max ? "ReduceMax" : "ReduceMean", cell, new[] { slice }, new[] { cell }, OnnxAttribute.Of("axes", 2, 3), OnnxAttribute.Of("keepdims", 1L));
                        cells.Add(cell);
                    }
                    var row = Step(op.Path, "row" + i.ToString(CultureInfo.InvariantCulture), x with { Height = 1, Width = ow });
                    Node("Concat", row, cells, new[] { row }, OnnxAttribute.Of("axis", 3L));
                    rows.Add(row);
                }
                var result = Produce(op);
                Node("Concat", result, rows, new[] { result }, OnnxAttribute.Of("axis", 2L));
            }
        }
    }
}
