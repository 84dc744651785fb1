using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    public sealed class Linear : torch.nn.Module<Tensor, Tensor>
    {
        internal Linear(long inputSize, long outputSize, bool hasBias, Device? device, ScalarType? dtype) : base(nameof(Linear))
        {
            RequireCpu(device);
            in_features = inputSize;
            out_features = outputSize;
            var type = dtype ?? get_default_dtype();
            register_parameter("weight", new Parameter(empty(new[] { outputSize, inputSize }, type)));
            if (hasBias) register_parameter("bias", new Parameter(empty(new[] { outputSize }, type)));
            reset_parameters();
        }

        /// <summary>PyTorch's default: kaiming_uniform(a=√5) weights, bias uniform in ±1/√in_features.</summary>
        public void reset_parameters()
        {
            torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            var b = bias;
            if (b is not null) {
                var (fanIn, _) = torch.nn.init.CalculateFanInAndFanOut(weight);
                var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                torch.nn.init.uniform_(b, -bound, bound);
            }
        }

        public long in_features { get; set; }
        public long out_features { get; set; }

        public Parameter weight {
            get => _internal_params["weight"];
            set {
                if (_internal_params.TryGetValue("weight", out var old) && !ReferenceEquals(old, value)) old.Dispose();
                register_parameter("weight", value);
            }
        }

        public Parameter? bias {
            get => _internal_params.TryGetValue("bias", out var b) ? b : null;
            set {
                if (_internal_params.TryGetValue("bias", out var old) && !ReferenceEquals(old, value)) old.Dispose();
                register_parameter("bias", value!);
            }
        }

        public override Tensor forward(Tensor tensor) => F.linear(tensor, weight, bias);
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.Linear(inputSize, outputSize, hasBias, device, dtype);
        }
    }
}
