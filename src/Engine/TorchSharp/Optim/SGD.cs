using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Base of optimizers: owns parameter groups and clears gradients.</summary>
            public abstract partial class Optimizer : IDisposable
            {
                protected Optimizer() { }

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing) { }

                public virtual void zero_grad()
                {
                    foreach (var p in parameters()) p.ZeroGrad(set_to_none: true);
                }

                public virtual Tensor? step(Func<Tensor>? closure = null) => throw new NotImplementedException();

                public abstract IEnumerable<Parameter> parameters();
            }

            public static Modules.SGD SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new Modules.SGD(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);

            public static Modules.SGD SGD(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new Modules.SGD(parameters.Select(p => p.parameter), learningRate, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }
}

namespace TorchSharp.Modules
{
    /// <summary>
    /// Stochastic gradient descent with PyTorch's update rule (torch.optim.SGD): weight decay is
    /// added to the gradient, the momentum buffer starts as a copy of the first gradient, and
    /// Nesterov looks ahead along the buffer.
    /// </summary>
    public class SGD : torch.optim.Optimizer
    {
        private readonly List<Parameter> parameterList;
        private readonly Dictionary<Parameter, Tensor> momentumBuffers = new(ReferenceEqualityComparer.Instance);

        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0.0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        {
            if (lr < 0) throw new ArgumentException($"Invalid learning rate: {lr}");
            if (momentum < 0) throw new ArgumentException($"Invalid momentum value: {momentum}");
            if (weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {weight_decay}");
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
            parameterList = parameters.ToList();
            LearningRate = lr;
            Momentum = momentum;
            Dampening = dampening;
            WeightDecay = weight_decay;
            Nesterov = nesterov;
            Maximize = maximize;
        }

        public double LearningRate { get; set; }
        public double Momentum { get; set; }
        public double Dampening { get; set; }
        public double WeightDecay { get; set; }
        public bool Nesterov { get; set; }
        public bool Maximize { get; set; }

        public override IEnumerable<Parameter> parameters() => parameterList;

        public override Tensor? step(Func<Tensor>? closure = null)
        {
            Tensor? loss = null;
            if (closure is not null) {
                using (enable_grad()) loss = closure();
            }
            using (no_grad()) {
                foreach (var p in parameterList) {
                    using var grad = p.grad;
                    if (grad is null) continue;
                    var d = Maximize ? grad.neg() : grad.alias();
                    try {
                        if (WeightDecay != 0) {
                            var decayed = d.add(p, WeightDecay);
                            d.Dispose();
                            d = decayed;
                        }
                        if (Momentum != 0) {
                            if (!momentumBuffers.TryGetValue(p, out var buffer)) {
                                buffer = d.clone().detach().DetachFromDisposeScope();
                                momentumBuffers[p] = buffer;
                            } else {
                                buffer.mul_(Momentum).add_(d, 1 - Dampening);
                            }
                            Tensor next;
                            if (Nesterov) next = d.add(buffer, Momentum);
                            else next = buffer.alias();
                            d.Dispose();
                            d = next;
                        }
                        p.add_(d, -LearningRate);
                    } finally {
                        d.Dispose();
                    }
                }
            }
            return loss;
        }

        protected override void Dispose(bool disposing)
        {
            foreach (var b in momentumBuffers.Values) b.Dispose();
            momentumBuffers.Clear();
        }
    }
}
