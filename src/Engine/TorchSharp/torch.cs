namespace TorchSharp { public static partial class torch { } }
