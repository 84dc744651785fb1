using System;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>
    /// A tensor that a module owns and trains. Constructing one adopts the data tensor's native
    /// handle (the data tensor becomes empty), as TorchSharp does.
    /// </summary>
    public class Parameter : Tensor
    {
        public Parameter(Tensor data, bool requires_grad = true)
            : base(data.with_requires_grad(requires_grad).TakeScopeAndHandle(out var scope), register: false)
        {
            scope?.Attach(this);
        }

        internal Parameter(IntPtr handle) : base(handle)
        {
        }
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            /// <summary>Creates a tensor object for a handle, optionally outside any dispose scope.</summary>
            internal Tensor(IntPtr handle, bool register)
            {
                this.handle = handle;
                System.Threading.Interlocked.Increment(ref totalCount);
                if (register) OwningDisposeScope = DisposeScopeManager.ThreadSingleton.RegisterOnCurrentDisposeScope(this);
            }

            internal IntPtr TakeScopeAndHandle(out DisposeScope? scope)
            {
                scope = OwningDisposeScope;
                return MoveHandle();
            }

            /// <summary>Points this object at another native tensor, freeing the old one (dtype moves).</summary>
            internal void ReplaceHandle(IntPtr replacement)
            {
                var old = System.Threading.Interlocked.Exchange(ref handle, replacement);
                if (old != IntPtr.Zero) NativeMethods.adt_free(old);
            }
        }

        public static partial class nn
        {
            public static Modules.Parameter Parameter(Tensor data, bool requires_grad = true) => new Modules.Parameter(data, requires_grad);
        }
    }

    public static class TensorParameterExtensions
    {
        public static Modules.Parameter AsParameter(this torch.Tensor tensor) => new Modules.Parameter(tensor);
    }
}
