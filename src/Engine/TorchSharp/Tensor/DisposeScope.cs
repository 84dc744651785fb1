using System;
using System.Collections.Generic;
using System.Linq;

namespace TorchSharp
{
    /// <summary>
    /// Collects disposables (tensors) created while it is the thread's innermost scope and
    /// disposes whatever is still attached when it ends, so temporaries in a loop body are freed
    /// deterministically instead of waiting for the garbage collector.
    /// </summary>
    public sealed class DisposeScope : IDisposable
    {
        private readonly DisposeScopeManager manager;
        private HashSet<IDisposable> disposables = new HashSet<IDisposable>(ReferenceEqualityComparer.Instance);

        internal DisposeScope(DisposeScope? outer, DisposeScopeManager manager)
        {
            OuterScope = outer;
            this.manager = manager;
        }

        /// <summary>The scope that becomes innermost again when this one ends.</summary>
        public DisposeScope? OuterScope { get; }

        public IReadOnlyList<IDisposable> DisposablesView => disposables.ToList();

        public int DisposablesCount => disposables.Count;

        public T MoveToOuter<T>(T disposable) where T : IDisposable => MoveToOther(OuterScope, disposable);

        public (T1 first, T2 second) MoveToOuter<T1, T2>(T1 first, T2 second)
            where T1 : IDisposable where T2 : IDisposable
            => (MoveToOuter(first), MoveToOuter(second));

        public (T1 first, T2 second, T3 third) MoveToOuter<T1, T2, T3>(T1 first, T2 second, T3 third)
            where T1 : IDisposable where T2 : IDisposable where T3 : IDisposable
            => (MoveToOuter(first), MoveToOuter(second), MoveToOuter(third));

        public void MoveToOuter(params IDisposable[] disposables) => MoveToOther(OuterScope, (IEnumerable<IDisposable>)disposables);

        public void MoveToOuter(IEnumerable<IDisposable> disposables) => MoveToOther(OuterScope, disposables);

        public T MoveToOther<T>(DisposeScope? scope, T disposable) where T : IDisposable
        {
            if (disposables.Remove(disposable)) {
                SetOwner(disposable, null);
                if (scope is not null) scope.Attach(disposable);
            }
            return disposable;
        }

        public void MoveToOther(DisposeScope? scope, params IDisposable[] disposables) =>
            MoveToOther(scope, (IEnumerable<IDisposable>)disposables);

        public void MoveToOther(DisposeScope? scope, IEnumerable<IDisposable> disposables)
        {
            foreach (var d in disposables) MoveToOther(scope, d);
        }

        /// <summary>Removes the disposable from this scope; the caller owns it from now on.</summary>
        public T Detach<T>(T disposable) where T : IDisposable
        {
            if (disposables.Remove(disposable)) SetOwner(disposable, null);
            return disposable;
        }

        public (T1 first, T2 second) Detach<T1, T2>(T1 first, T2 second)
            where T1 : IDisposable where T2 : IDisposable
            => (Detach(first), Detach(second));

        public void Detach(params IDisposable[] disposables) => Detach((IEnumerable<IDisposable>)disposables);

        public void Detach(IEnumerable<IDisposable> disposables)
        {
            foreach (var d in disposables) Detach(d);
        }

        public void Attach(IDisposable disposable)
        {
            if (disposable is torch.Tensor t) {
                if (t.OwningDisposeScope == this) return;
                t.OwningDisposeScope?.Detach(t);
                t.OwningDisposeScope = this;
            }
            disposables.Add(disposable);
        }

        public void Attach(params IDisposable[] disposables)
        {
            foreach (var d in disposables) Attach(d);
        }

        public IReadOnlyList<IDisposable> Attach(IEnumerable<IDisposable> disposables)
        {
            var list = disposables.ToList();
            foreach (var d in list) Attach(d);
            return list;
        }

        public void DisposeEverything() => DisposeEverythingBut(Array.Empty<IDisposable>());

        public void DisposeEverythingBut(IEnumerable<IDisposable> inKeep)
        {
            var keep = new HashSet<IDisposable>(inKeep, ReferenceEqualityComparer.Instance);
            var doomed = disposables.Where(d => !keep.Contains(d)).ToList();
            disposables = new HashSet<IDisposable>(disposables.Where(keep.Contains), ReferenceEqualityComparer.Instance);
            foreach (var d in doomed) {
                SetOwner(d, null);
                d.Dispose();
            }
        }

        public void DisposeEverythingBut(params IDisposable[] keep) => DisposeEverythingBut((IEnumerable<IDisposable>)keep);

        public T DisposeEverythingBut<T>(T keep) where T : IDisposable
        {
            DisposeEverythingBut(new IDisposable[] { keep });
            return keep;
        }

        public (T1 first, T2 second) DisposeEverythingBut<T1, T2>(T1 first, T2 second)
            where T1 : IDisposable where T2 : IDisposable
        {
            DisposeEverythingBut(new IDisposable[] { first, second });
            return (first, second);
        }

        /// <summary>Disposes everything still attached and makes the outer scope current again.</summary>
        public void Dispose()
        {
            DisposeEverything();
            manager.RemoveDisposeScope(this);
        }

        /// <summary>Called when an attached disposable is disposed by other means.</summary>
        public void MarkAsDisposed(IDisposable disposable) => disposables.Remove(disposable);

        public bool Contains(IDisposable disposable) => disposables.Contains(disposable);

        private static void SetOwner(IDisposable disposable, DisposeScope? owner)
        {
            if (disposable is torch.Tensor t) t.OwningDisposeScope = owner;
        }
    }

    /// <summary>Counters for tests and diagnostics, per thread.</summary>
    public sealed class ThreadDisposeScopeStatistics
    {
        public long CreatedOutsideScopeCount { get; internal set; }
        public long CreatedInScopeCount { get; internal set; }
        public long DisposedInScopeCount { get; internal set; }

        public void Reset()
        {
            CreatedOutsideScopeCount = 0;
            CreatedInScopeCount = 0;
            DisposedInScopeCount = 0;
        }
    }

    /// <summary>The per-thread stack of dispose scopes.</summary>
    public class DisposeScopeManager
    {
        [ThreadStatic] private static DisposeScopeManager? threadSingleton;

        internal static DisposeScopeManager ThreadSingleton => threadSingleton ??= new DisposeScopeManager();

        private readonly ThreadDisposeScopeStatistics statistics = new ThreadDisposeScopeStatistics();

        public static ThreadDisposeScopeStatistics Statistics => ThreadSingleton.statistics;

        internal DisposeScope? CurrentDisposeScope { get; private set; }

        internal DisposeScope NewDisposeScope()
        {
            CurrentDisposeScope = new DisposeScope(CurrentDisposeScope, this);
            return CurrentDisposeScope;
        }

        internal DisposeScope? RegisterOnCurrentDisposeScope(torch.Tensor tensor)
        {
            var scope = CurrentDisposeScope;
            if (scope is null) {
                statistics.CreatedOutsideScopeCount++;
                return null;
            }
            statistics.CreatedInScopeCount++;
            scope.Attach(tensor);
            return scope;
        }

        internal void RemoveDisposeScope(DisposeScope scope)
        {
            // Scopes normally end innermost-first; tolerate out-of-order ends by unlinking.
            if (CurrentDisposeScope == scope) CurrentDisposeScope = scope.OuterScope;
        }
    }

    public static partial class torch
    {
        /// <summary>Starts a dispose scope on this thread; dispose it to free the tensors created in it.</summary>
        public static DisposeScope NewDisposeScope() => DisposeScopeManager.ThreadSingleton.NewDisposeScope();
    }
}
