using System;

namespace ArchDsl.Layers
{
    public enum InitKind
    {
        /// <summary>No rule stated (a table entry must state one for each of its state entries).</summary>
        Unstated,
        Zeros,
        Ones,
        /// <summary>Every element <see cref="StateInit.Value"/>.</summary>
        Constant,
        /// <summary>Kaiming-uniform with negative slope <see cref="StateInit.Value"/>, fan-in from the tensor's shape.</summary>
        KaimingUniform,
        /// <summary>Uniform in ±1/√fan-in, the fan-in <see cref="StateInit.Value"/>.</summary>
        FanInUniform,
        /// <summary>An int64 count starting at 0 (batch norm's <c>num_batches_tracked</c>).</summary>
        Counter,
    }

    /// <summary>How a state entry starts, as PyTorch's and TorchSharp's layers initialise it.</summary>
    public readonly record struct StateInit(InitKind Kind, double Value = 0)
    {
        public static StateInit Zeros => new StateInit(InitKind.Zeros);
        public static StateInit Ones => new StateInit(InitKind.Ones);
        public static StateInit Counter => new StateInit(InitKind.Counter);
        public static StateInit Constant(double value) => new StateInit(InitKind.Constant, value);

        /// <summary>A convolution's or linear layer's weight: <c>kaiming_uniform_(weight, a: √5)</c>.</summary>
        public static StateInit LayerWeight => new StateInit(InitKind.KaimingUniform, Math.Sqrt(5));

        /// <summary>Their bias: uniform in ±1/√fan-in of the weight.</summary>
        public static StateInit LayerBias(long fanIn) => new StateInit(InitKind.FanInUniform, fanIn);
    }
}
