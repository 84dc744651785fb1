using System;
using System.Collections.Generic;

namespace ArchDsl.Binding
{
    /// <summary>Nested name scopes: a lookup walks outwards; a declaration goes into the innermost scope.
    /// The binder, the elaborator and the emitter each keep one (of symbols, values and C# locals).</summary>
    public sealed class ScopeChain<T> where T : class
    {
        private readonly Dictionary<string, T> _items = new Dictionary<string, T>(StringComparer.Ordinal);

        public ScopeChain(ScopeChain<T>? parent) { Parent = parent; }

        public ScopeChain<T>? Parent { get; }

        public T? Lookup(string name)
        {
            for (var s = this; s != null; s = s.Parent)
                if (s._items.TryGetValue(name, out var item)) return item;
            return null;
        }

        public void Declare(string name, T item) => _items[name] = item;

        /// <summary>The innermost scope's own entries.</summary>
        public IEnumerable<T> Own => _items.Values;

        /// <summary>Every visible entry, one per name, the innermost winning.</summary>
        public Dictionary<string, T> Visible()
        {
            var chain = new List<ScopeChain<T>>();
            for (var s = this; s != null; s = s.Parent) chain.Insert(0, s);
            var result = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var s in chain) foreach (var kv in s._items) result[kv.Key] = kv.Value;
            return result;
        }
    }
}
