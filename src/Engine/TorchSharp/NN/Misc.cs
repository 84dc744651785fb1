using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    public sealed class Dropout : ParameterLessModule<Tensor, Tensor>
    {
        internal Dropout(double p, bool inplace) : base(nameof(Dropout))
        {
            this.p = p;
            this.inplace = inplace;
        }

        public double p { get; set; }
        public bool inplace { get; set; }
        public override Tensor forward(Tensor tensor) => F.dropout(tensor, p, training, inplace);
    }

    public sealed class Dropout2d : ParameterLessModule<Tensor, Tensor>
    {
        internal Dropout2d(double p, bool inplace) : base(nameof(Dropout2d))
        {
            this.p = p;
            this.inplace = inplace;
        }

        public double p { get; set; }
        public bool inplace { get; set; }
        public override Tensor forward(Tensor input) => F.dropout2d(input, p, training, inplace);
    }

    public sealed class Flatten : ParameterLessModule<Tensor, Tensor>
    {
        internal Flatten(long start_dim, long end_dim) : base(nameof(Flatten))
        {
            this.start_dim = start_dim;
            this.end_dim = end_dim;
        }

        public long start_dim { get; set; }
        public long end_dim { get; set; }
        public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);
    }

    public sealed class Unflatten : ParameterLessModule<Tensor, Tensor>
    {
        internal Unflatten(long dim, long[] unflattened_size) : base(nameof(Unflatten))
        {
            this.dim = dim;
            this.unflattened_size = unflattened_size;
        }

        public long dim { get; set; }
        public long[] unflattened_size { get; set; }
        public override Tensor forward(Tensor input) => input.unflatten(dim, unflattened_size);
    }

    /// <summary>Returns its input (as a new handle to the same tensor, so callers may dispose either).</summary>
    public sealed class Identity : ParameterLessModule<Tensor, Tensor>
    {
        internal Identity() : base(nameof(Identity)) { }
        public override Tensor forward(Tensor tensor) => tensor.alias();
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Dropout Dropout(double p = 0.5, bool inplace = false) => new Modules.Dropout(p, inplace);
            public static Modules.Dropout2d Dropout2d(double p = 0.5, bool inplace = false) => new Modules.Dropout2d(p, inplace);
            public static Modules.Flatten Flatten(long start_dim = 1, long end_dim = -1) => new Modules.Flatten(start_dim, end_dim);
            public static Modules.Unflatten Unflatten(long dim, long[] unflattened_size) => new Modules.Unflatten(dim, unflattened_size);
            public static Modules.Identity Identity() => new Modules.Identity();
        }
    }
}
