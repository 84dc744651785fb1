using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ArchDsl.Runtime
{
    /// <summary>The width a slimmable network runs at (Yu et al., "Slimmable Neural Networks", ICLR 2019). Every
    /// slimmable layer of one network reads the same switch, so setting it switches the whole network.</summary>
    public sealed class WidthSwitch
    {
        private int _index;

        public WidthSwitch(IReadOnlyList<double> widths)
        {
            Widths = widths;
            _index = widths.Count - 1;
        }

        /// <summary>The widths, narrowest first.</summary>
        public IReadOnlyList<double> Widths { get; }

        /// <summary>Position of the active width in <see cref="Widths"/>.</summary>
        public int Index
        {
            get => _index;
            set => _index = value >= 0 && value < Widths.Count ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public double Width
        {
            get => Widths[_index];
            set
            {
                for (int i = 0; i < Widths.Count; i++)
                    if (Math.Abs(Widths[i] - value) < 1e-9) { _index = i; return; }
                throw new ArgumentException("Width " + value.ToString(CultureInfo.InvariantCulture) + " is not one of "
                    + string.Join(", ", Widths.Select(w => w.ToString(CultureInfo.InvariantCulture))));
            }
        }
    }

    /// <summary>A network built by <see cref="SlimmableLayers.Build{T}"/>: one set of weights sized for the widest
    /// width, a private batch norm per width, and the width chosen at run time.</summary>
    public sealed class SlimmableNetwork<T> : IDisposable where T : nn.Module<Tensor, Tensor>
    {
        internal SlimmableNetwork(T network, WidthSwitch widthSwitch)
        {
            Network = network;
            Switch = widthSwitch;
        }

        public T Network { get; }
        public WidthSwitch Switch { get; }
        public IReadOnlyList<double> Widths => Switch.Widths;

        public double Width
        {
            get => Switch.Width;
            set => Switch.Width = value;
        }

        public Tensor call(Tensor input) => Network.call(input);

        /// <summary>Learnable elements the active width uses (sliced weights plus that width's batch norms).</summary>
        public long ActiveParameters => Network.modules().OfType<ISlimmableLayer>().Sum(l => l.ActiveParameters);

        /// <summary>Multiply-accumulates per sample of the last forward pass (convolutions and linear layers).</summary>
        public long LastMultiplyAccumulates => Network.modules().OfType<ISlimmableLayer>().Sum(l => l.LastMultiplyAccumulates);

        public void Dispose() => Network.Dispose();
    }

    /// <summary>A layer whose active size follows a <see cref="WidthSwitch"/>.</summary>
    public interface ISlimmableLayer
    {
        long ActiveParameters { get; }
        long LastMultiplyAccumulates { get; }
    }

    /// <summary>
    /// The layers generated code creates for a file that declares a slimmable network. Outside
    /// <see cref="Build{T}"/> they are the plain TorchSharp layers, so the network class also builds an ordinary
    /// network at any one width. Inside it, the network is constructed once per width: the narrower passes only
    /// record each layer's channels, the widest pass creates shared-weight layers that slice those channels.
    /// </summary>
    public static class SlimmableLayers
    {
        private sealed record Spec(string Kind, long In, long Out, long Groups, long[] Geometry, bool Bias, double Eps, double Momentum);

        private sealed class BuildState
        {
            public List<Spec>? Recording;
            public List<Spec>[]? Recorded;
            public WidthSwitch? Switch;
            public int Next;
        }

        [ThreadStatic] private static BuildState? _build;

        /// <summary>Builds one slimmable network from a constructor of the plain network at a given width.
        /// Every width must give the same layers in the same order, differing only in channel counts.</summary>
        public static SlimmableNetwork<T> Build<T>(IEnumerable<double> widths, Func<double, T> construct) where T : nn.Module<Tensor, Tensor>
        {
            var sorted = widths.Distinct().OrderBy(w => w).ToArray();
            if (sorted.Length == 0 || sorted[0] <= 0) throw new ArgumentException("Widths must be positive and at least one", nameof(widths));
            if (_build != null) throw new InvalidOperationException("Slimmable networks cannot be nested");
            var recorded = new List<Spec>[sorted.Length - 1];
            try
            {
                for (int i = 0; i < recorded.Length; i++)
                {
                    _build = new BuildState { Recording = recorded[i] = new List<Spec>() };
                    construct(sorted[i]).Dispose();
                }
                var widthSwitch = new WidthSwitch(sorted);
                var state = new BuildState { Recorded = recorded, Switch = widthSwitch };
                _build = state;
                var network = construct(sorted[sorted.Length - 1]);
                if (recorded.Any(r => r.Count != state.Next))
                    throw new InvalidOperationException("The widths build different numbers of layers; a slimmable network must keep its structure");
                return new SlimmableNetwork<T>(network, widthSwitch);
            }
            finally
            {
                _build = null;
            }
        }

        public static nn.Module<Tensor, Tensor> Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
            long dilation = 1, long groups = 1, bool bias = true) =>
            Conv2d(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), (dilation, dilation), groups, bias);

        public static nn.Module<Tensor, Tensor> Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null,
            (long, long)? padding = null, (long, long)? dilation = null, long groups = 1, bool bias = true)
        {
            var s = stride ?? (1, 1);
            var p = padding ?? (0, 0);
            var d = dilation ?? (1, 1);
            var geometry = new[] { kernel_size.Item1, kernel_size.Item2, s.Item1, s.Item2, p.Item1, p.Item2, d.Item1, d.Item2 };
            var widest = new Spec("conv", in_channels, out_channels, groups, geometry, bias, 0, 0);
            if (_build == null)
                return nn.Conv2d(in_channels, out_channels, kernel_size, s, p, d, groups: groups, bias: bias);
            return Layer(widest, specs => new SlimmableConv2d(specs.Select(x => (x.In, x.Out, x.Groups)).ToArray(), geometry, bias, _build.Switch!));
        }

        public static nn.Module<Tensor, Tensor> Linear(long inputSize, long outputSize, bool hasBias = true)
        {
            var widest = new Spec("linear", inputSize, outputSize, 1, Array.Empty<long>(), hasBias, 0, 0);
            if (_build == null) return nn.Linear(inputSize, outputSize, hasBias);
            return Layer(widest, specs => new SlimmableLinear(specs.Select(x => (x.In, x.Out)).ToArray(), hasBias, _build.Switch!));
        }

        public static nn.Module<Tensor, Tensor> BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1)
        {
            var widest = new Spec("batchnorm", num_features, num_features, 1, Array.Empty<long>(), true, eps, momentum);
            if (_build == null) return nn.BatchNorm2d(num_features, eps, momentum);
            return Layer(widest, specs => new SwitchableBatchNorm2d(specs.Select(x => x.Out).ToArray(), eps, momentum, _build.Switch!));
        }

        /// <summary>Records the layer in a narrow pass; in the widest pass, gathers its channels at every width.</summary>
        private static nn.Module<Tensor, Tensor> Layer(Spec widest, Func<Spec[], nn.Module<Tensor, Tensor>> create)
        {
            var state = _build!;
            if (state.Recording != null)
            {
                state.Recording.Add(widest);
                return nn.Identity();
            }
            int k = state.Next++;
            var specs = new Spec[state.Recorded!.Length + 1];
            for (int i = 0; i < state.Recorded.Length; i++)
            {
                var r = state.Recorded[i];
                if (k >= r.Count) throw new InvalidOperationException("The widths build different numbers of layers; a slimmable network must keep its structure");
                var narrow = r[k];
                if (narrow.Kind != widest.Kind || narrow.Bias != widest.Bias || !narrow.Geometry.SequenceEqual(widest.Geometry)
                    || narrow.In > widest.In || narrow.Out > widest.Out || narrow.In / narrow.Groups > widest.In / widest.Groups)
                    throw new InvalidOperationException("Layer " + k + " (" + widest.Kind + ") differs between widths in more than its channels");
                specs[i] = narrow;
            }
            specs[specs.Length - 1] = widest;
            return create(specs);
        }
    }

    /// <summary>A convolution whose weight is sized for the widest width; at width i it uses
    /// weight[:out_i, :in_i / groups_i] with groups_i groups (depthwise layers keep one input channel per group).</summary>
    public sealed class SlimmableConv2d : nn.Module<Tensor, Tensor>, ISlimmableLayer
    {
        private readonly (long In, long Out, long Groups)[] _channels;
        private readonly long[] _geometry;
        private readonly WidthSwitch _switch;

        internal SlimmableConv2d((long In, long Out, long Groups)[] channels, long[] geometry, bool bias, WidthSwitch widthSwitch) : base(nameof(SlimmableConv2d))
        {
            _channels = channels;
            _geometry = geometry;
            _switch = widthSwitch;
            var widest = channels[channels.Length - 1];
            var weight = torch.empty(new[] { widest.Out, widest.In / widest.Groups, geometry[0], geometry[1] });
            // PyTorch's Conv2d initialisation at the widest size.
            torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            register_parameter("weight", new TorchSharp.Modules.Parameter(weight));
            if (bias)
            {
                double bound = 1 / Math.Sqrt(widest.In / widest.Groups * geometry[0] * geometry[1]);
                register_parameter("bias", new TorchSharp.Modules.Parameter(torch.empty(widest.Out).uniform_(-bound, bound)));
            }
        }

        public TorchSharp.Modules.Parameter weight => named_parameters(recurse: false).First(p => p.name == "weight").parameter;
        public TorchSharp.Modules.Parameter? bias => named_parameters(recurse: false).FirstOrDefault(p => p.name == "bias").parameter;

        /// <summary>(input channels, output channels, groups) at each width, narrowest first.</summary>
        public IReadOnlyList<(long In, long Out, long Groups)> Channels => _channels;

        public long ActiveParameters
        {
            get
            {
                var c = _channels[_switch.Index];
                return c.Out * (c.In / c.Groups) * _geometry[0] * _geometry[1] + (bias is null ? 0 : c.Out);
            }
        }

        public long LastMultiplyAccumulates { get; private set; }

        public override Tensor forward(Tensor input)
        {
            var c = _channels[_switch.Index];
            using var w = weight.narrow(0, 0, c.Out).narrow(1, 0, c.In / c.Groups);
            using var b = bias?.narrow(0, 0, c.Out);
            var y = F.conv2d(input, w, b, new[] { _geometry[2], _geometry[3] }, new[] { _geometry[4], _geometry[5] }, new[] { _geometry[6], _geometry[7] }, c.Groups);
            LastMultiplyAccumulates = y.shape[2] * y.shape[3] * c.Out * (c.In / c.Groups) * _geometry[0] * _geometry[1];
            return y;
        }
    }

    /// <summary>A fully connected layer sized for the widest width; at width i it uses weight[:out_i, :in_i].</summary>
    public sealed class SlimmableLinear : nn.Module<Tensor, Tensor>, ISlimmableLayer
    {
        private readonly (long In, long Out)[] _features;
        private readonly WidthSwitch _switch;

        internal SlimmableLinear((long In, long Out)[] features, bool bias, WidthSwitch widthSwitch) : base(nameof(SlimmableLinear))
        {
            _features = features;
            _switch = widthSwitch;
            var widest = features[features.Length - 1];
            var weight = torch.empty(widest.Out, widest.In);
            torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            register_parameter("weight", new TorchSharp.Modules.Parameter(weight));
            if (bias)
            {
                double bound = 1 / Math.Sqrt(widest.In);
                register_parameter("bias", new TorchSharp.Modules.Parameter(torch.empty(widest.Out).uniform_(-bound, bound)));
            }
        }

        public TorchSharp.Modules.Parameter weight => named_parameters(recurse: false).First(p => p.name == "weight").parameter;
        public TorchSharp.Modules.Parameter? bias => named_parameters(recurse: false).FirstOrDefault(p => p.name == "bias").parameter;

        public long ActiveParameters
        {
            get
            {
                var f = _features[_switch.Index];
                return f.Out * f.In + (bias is null ? 0 : f.Out);
            }
        }

        public long LastMultiplyAccumulates { get; private set; }

        public override Tensor forward(Tensor input)
        {
            var f = _features[_switch.Index];
            using var w = weight.narrow(0, 0, f.Out).narrow(1, 0, f.In);
            using var b = bias?.narrow(0, 0, f.Out);
            LastMultiplyAccumulates = f.Out * f.In;
            return F.linear(input, w, b);
        }
    }

    /// <summary>Switchable batch norm: a private BatchNorm2d per width (children "0", "1", … narrowest first),
    /// since the statistics of a narrow sub-network differ from those of a wide one.</summary>
    public sealed class SwitchableBatchNorm2d : nn.Module<Tensor, Tensor>, ISlimmableLayer
    {
        private readonly nn.Module<Tensor, Tensor>[] _norms;
        private readonly long[] _features;
        private readonly WidthSwitch _switch;

        internal SwitchableBatchNorm2d(long[] features, double eps, double momentum, WidthSwitch widthSwitch) : base(nameof(SwitchableBatchNorm2d))
        {
            _features = features;
            _switch = widthSwitch;
            _norms = new nn.Module<Tensor, Tensor>[features.Length];
            for (int i = 0; i < features.Length; i++)
            {
                _norms[i] = nn.BatchNorm2d(features[i], eps, momentum);
                register_module(i.ToString(CultureInfo.InvariantCulture), _norms[i]);
            }
        }

        /// <summary>The batch norm of width i (narrowest first).</summary>
        public nn.Module<Tensor, Tensor> this[int i] => _norms[i];

        public long ActiveParameters => 2 * _features[_switch.Index];

        public long LastMultiplyAccumulates => 0;

        public override Tensor forward(Tensor input) => _norms[_switch.Index].call(input);
    }
}
