using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>The base of a generated module: registers children in the order the constructor builds them, under
    /// their .arch names, so the state-dict keys are torchvision's without a separate registration step per layer.
    /// A child without a name takes its position among all the children before it, as in nn.Sequential.</summary>
    public abstract class ArchModule : nn.Module<Tensor, Tensor>
    {
        /// <param name="name">The module's type name.</param>
        /// <param name="children">The names of another module's children, for a module whose children are registered
        /// as that module's own (one iteration of a loop body); null for a module that names its own.</param>
        protected ArchModule(string name, ChildNames? children = null) : base(name)
        {
            Children = children ?? new ChildNames();
        }

        /// <summary>The names this module's children have taken so far.</summary>
        protected ChildNames Children { get; }

        /// <summary>Registers <paramref name="module"/> as the next child, named <paramref name="name"/> (its position
        /// when null), and returns it.</summary>
        protected T Add<T>(string? name, T module) where T : nn.Module
        {
            register_module(Children.Next(name), module);
            return module;
        }
    }
}
