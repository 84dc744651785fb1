using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    public sealed class ReLU : ParameterLessModule<Tensor, Tensor>
    {
        internal ReLU(bool inplace) : base(nameof(ReLU)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.relu(tensor, inplace);
    }

    public sealed class ReLU6 : ParameterLessModule<Tensor, Tensor>
    {
        internal ReLU6(bool inplace) : base(nameof(ReLU6)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.relu6(tensor, inplace);
    }

    public sealed class Sigmoid : ParameterLessModule<Tensor, Tensor>
    {
        internal Sigmoid(bool inplace) : base(nameof(Sigmoid)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.sigmoid(tensor, inplace);
    }

    public sealed class SiLU : ParameterLessModule<Tensor, Tensor>
    {
        internal SiLU(bool inplace) : base(nameof(SiLU)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.silu(tensor, inplace);
        public override string GetName() => nameof(SiLU);
    }

    public sealed class Tanh : ParameterLessModule<Tensor, Tensor>
    {
        internal Tanh(bool inplace) : base(nameof(Tanh)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.tanh(tensor, inplace);
        public override string GetName() => nameof(Tanh);
    }

    public sealed class Hardswish : ParameterLessModule<Tensor, Tensor>
    {
        internal Hardswish(bool inplace) : base(nameof(Hardswish)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.hardswish(tensor, inplace);
    }

    public sealed class Hardsigmoid : ParameterLessModule<Tensor, Tensor>
    {
        internal Hardsigmoid(bool inplace) : base(nameof(Hardsigmoid)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.hardsigmoid(tensor, inplace);
    }

    public sealed class GELU : ParameterLessModule<Tensor, Tensor>
    {
        internal GELU(bool tanhApproximation) : base(nameof(GELU)) => approximate_tanh = tanhApproximation;
        public bool approximate_tanh { get; }
        public override Tensor forward(Tensor tensor) => F.gelu(tensor, approximate_tanh);
    }

    public sealed class LeakyReLU : ParameterLessModule<Tensor, Tensor>
    {
        internal LeakyReLU(double negative_slope, bool inplace) : base(nameof(LeakyReLU))
        {
            this.negative_slope = negative_slope;
            this.inplace = inplace;
        }

        public double negative_slope { get; set; }
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.leaky_relu(tensor, negative_slope, inplace);
    }

    public sealed class Mish : ParameterLessModule<Tensor, Tensor>
    {
        internal Mish(bool inplace) : base(nameof(Mish)) => this.inplace = inplace;
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.mish(tensor, inplace);
    }

    public sealed class Softmax : ParameterLessModule<Tensor, Tensor>
    {
        internal Softmax(long dim) : base(nameof(Softmax)) => this.dim = dim;
        public long dim { get; set; }
        public override Tensor forward(Tensor tensor) => F.softmax(tensor, dim);
    }

    public sealed class LogSoftmax : ParameterLessModule<Tensor, Tensor>
    {
        internal LogSoftmax(long dim) : base(nameof(LogSoftmax)) => this.dim = dim;
        public long dim { get; set; }
        public override Tensor forward(Tensor tensor) => F.log_softmax(tensor, dim);
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.ReLU ReLU(bool inplace = false) => new Modules.ReLU(inplace);
            public static Modules.ReLU6 ReLU6(bool inplace = false) => new Modules.ReLU6(inplace);
            public static Modules.Sigmoid Sigmoid() => new Modules.Sigmoid(false);
            public static Modules.Sigmoid Sigmoid(bool inplace) => new Modules.Sigmoid(inplace);
            public static Modules.SiLU SiLU() => new Modules.SiLU(false);
            public static Modules.SiLU SiLU(bool inplace) => new Modules.SiLU(inplace);
            public static Modules.Tanh Tanh() => new Modules.Tanh(false);
            public static Modules.Tanh Tanh(bool inplace = false) => new Modules.Tanh(inplace);
            public static Modules.Hardswish Hardswish(bool inplace = false) => new Modules.Hardswish(inplace);
            public static Modules.Hardsigmoid Hardsigmoid(bool inplace = false) => new Modules.Hardsigmoid(inplace);
            public static Modules.GELU GELU() => new Modules.GELU(false);
            public static Modules.GELU GELU(bool approximate_tanh) => new Modules.GELU(approximate_tanh);
            public static Modules.LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => new Modules.LeakyReLU(negative_slope, inplace);
            public static Modules.Mish Mish(bool inplace = false) => new Modules.Mish(inplace);
            public static Modules.Softmax Softmax(long dim) => new Modules.Softmax(dim);
            public static Modules.LogSoftmax LogSoftmax(long dim) => new Modules.LogSoftmax(dim);
        }
    }
}
