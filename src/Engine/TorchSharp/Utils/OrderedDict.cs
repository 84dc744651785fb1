using System;
using System.Collections;
using System.Collections.Generic;

namespace TorchSharp.Utils
{
    /// <summary>
    /// Insertion-ordered dictionary: module registries must enumerate in registration order, and
    /// re-assigning a key keeps its original position (as Python's dict does).
    /// </summary>
    public sealed class OrderedDict<TKey, TValue> : IEnumerable<(TKey, TValue)> where TKey : notnull
    {
        private readonly List<(TKey key, TValue value)> items = new();
        private readonly Dictionary<TKey, int> positions = new();

        public int Count => items.Count;

        public bool ContainsKey(TKey key) => positions.ContainsKey(key);

        public TValue this[TKey key] {
            get => items[positions[key]].value;
            set {
                if (positions.TryGetValue(key, out var i)) items[i] = (key, value);
                else Add(key, value);
            }
        }

        public (TKey, TValue) this[int index] => items[index];

        public void Add(TKey key, TValue value)
        {
            if (positions.ContainsKey(key)) throw new ArgumentException($"duplicate key '{key}'");
            positions[key] = items.Count;
            items.Add((key, value));
        }

        public bool TryGetValue(TKey key, out TValue value)
        {
            if (positions.TryGetValue(key, out var i)) {
                value = items[i].value;
                return true;
            }
            value = default!;
            return false;
        }

        public bool Remove(TKey key)
        {
            if (!positions.TryGetValue(key, out var i)) return false;
            items.RemoveAt(i);
            positions.Remove(key);
            for (int j = i; j < items.Count; j++) positions[items[j].key] = j;
            return true;
        }

        public void Insert(int index, TKey key, TValue value)
        {
            if (positions.ContainsKey(key)) throw new ArgumentException($"duplicate key '{key}'");
            items.Insert(index, (key, value));
            for (int j = index; j < items.Count; j++) positions[items[j].key] = j;
        }

        public void clear()
        {
            items.Clear();
            positions.Clear();
        }

        public IEnumerable<TKey> Keys { get { foreach (var (k, _) in items) yield return k; } }

        public IEnumerable<TValue> Values { get { foreach (var (_, v) in items) yield return v; } }

        public IEnumerator<(TKey, TValue)> GetEnumerator()
        {
            foreach (var (k, v) in items) yield return (k, v);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
