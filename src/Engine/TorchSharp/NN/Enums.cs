namespace TorchSharp
{
    /// <summary>How a convolution pads its input.</summary>
    public enum PaddingModes
    {
        Zeros = 0,
        Reflect = 1,
        Replicate = 2,
        Circular = 3,
        Constant = 4,
    }

    /// <summary>Symbolic convolution padding.</summary>
    public enum Padding
    {
        Valid = 0,
        Same = 1,
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>How a loss reduces over the batch (native code relies on this order).</summary>
            public enum Reduction : long
            {
                None = 0,
                Mean = 1,
                Sum = 2,
            }
        }
    }
}
