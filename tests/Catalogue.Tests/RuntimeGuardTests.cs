using System;
using ArchDsl.Catalogue;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests
{
    /// <summary>A generated network checks its input before any native call: a wrong rank, channel count or a spatial
    /// size the network cannot take is an ArgumentException naming the network, the expected and the actual shape.</summary>
    public sealed class RuntimeGuardTests
    {
        private static ArgumentException Rejected(nn.Module<Tensor, Tensor> model, params long[] shape)
        {
            using var input = zeros(shape);
            var ex = Assert.Throws<ArgumentException>(() => model.call(input));
            // Thrown by the guard, not by libtorch after a native call.
            Assert.Contains("ShapeGuard.Check", ex.StackTrace);
            Assert.Contains("[" + string.Join(", ", shape) + "]", ex.Message);
            return ex;
        }

        [Fact]
        public void LeNet5_rejects_a_wrong_rank_channel_count_and_size()
        {
            using var model = new LeNet5();
            model.eval();
            foreach (var ex in new[] { Rejected(model, 1, 32, 32), Rejected(model, 2, 1, 1, 32, 32), Rejected(model, 2, 3, 32, 32), Rejected(model, 2, 1, 28, 28), Rejected(model, 2, 1, 36, 36) })
            {
                Assert.Contains("LeNet5", ex.Message);
                Assert.Contains("[N, 1, 32, 32]", ex.Message);
            }
            using var ok = zeros(2, 1, 32, 32);
            using var output = model.call(ok);
            Assert.Equal(new long[] { 2, 10 }, output.shape);
        }

        [Fact]
        public void ResNet18_rejects_a_wrong_rank_and_channel_count()
        {
            using var model = new ResNet18();
            model.eval();
            Assert.Contains("ResNet", Rejected(model, 3, 64, 64).Message);
            var ex = Rejected(model, 1, 1, 64, 64);
            Assert.Contains("ResNet", ex.Message);
            Assert.Contains("3 input channels", ex.Message);
        }

        [Fact]
        public void A_size_too_small_for_the_layers_is_rejected()
        {
            // AlexNet pools adaptively, so any size from its minimum up is accepted; 8x8 shrinks below 1x1 inside.
            using var model = new AlexNet();
            model.eval();
            var ex = Rejected(model, 1, 3, 8, 8);
            Assert.Contains("AlexNet", ex.Message);
            Assert.Contains("H>=", ex.Message);
        }
    }
}
