using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>Runs its modules in order; unnamed modules are registered as "0", "1", … .</summary>
    public class Sequential : torch.nn.Module<Tensor, Tensor>
    {
        private readonly List<torch.nn.IModule<Tensor, Tensor>> steps = new();

        internal Sequential() : base(nameof(Sequential)) { }

        internal Sequential(IEnumerable<(string name, torch.nn.Module<Tensor, Tensor> submodule)> modules) : base(nameof(Sequential))
        {
            foreach (var (n, m) in modules) Add(n, m);
        }

        internal Sequential(IEnumerable<torch.nn.Module<Tensor, Tensor>> modules) : base(nameof(Sequential))
        {
            foreach (var m in modules) Add(steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        }

        private void Add(string name, torch.nn.IModule<Tensor, Tensor> module)
        {
            if (module is not torch.nn.Module m) throw new ArgumentException("Sequential items must be modules");
            register_module(name, m);
            steps.Add(module);
        }

        public Sequential append(string name, torch.nn.IModule<Tensor, Tensor> module)
        {
            Add(name, module);
            return this;
        }

        public Sequential append(torch.nn.IModule<Tensor, Tensor> module)
        {
            Add(steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
            return this;
        }

        /// <summary>
        /// Calls each step on the previous result. Intermediates are left to the caller's dispose
        /// scope, as in TorchSharp (a step may legitimately keep a reference to its input).
        /// </summary>
        public override Tensor forward(Tensor tensor)
        {
            if (steps.Count == 0) return tensor.alias();
            var current = tensor;
            foreach (var step in steps) current = step.call(current);
            return current;
        }

        public int Count => steps.Count;

        public torch.nn.IModule<Tensor, Tensor> this[int index] => steps[index];

        public Sequential this[(int? start, int? end) index] {
            get {
                var start = index.start ?? 0;
                var end = index.end ?? steps.Count;
                return Slice(start, end);
            }
        }

        public Sequential this[Range index] {
            get {
                var (offset, length) = index.GetOffsetAndLength(steps.Count);
                return Slice(offset, offset + length);
            }
        }

        private Sequential Slice(int start, int end)
        {
            var result = new Sequential();
            var names = _internal_submodules.Keys.ToList();
            for (int i = start; i < end; i++) result.Add(names[i], steps[i]);
            return result;
        }
    }

    /// <summary>A list of modules registered under their indices.</summary>
    public class ModuleList<T> : torch.nn.Module, IList<T> where T : torch.nn.Module
    {
        private readonly List<T> list = new();

        public ModuleList(params T[] modules) : base(nameof(ModuleList<T>))
        {
            foreach (var m in modules) Add(m);
        }

        private void Reregister()
        {
            _internal_submodules.clear();
            for (int i = 0; i < list.Count; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), list[i]);
        }

        public T this[int index] {
            get => list[index];
            set {
                list[index] = value;
                Reregister();
            }
        }

        public int Count => list.Count;
        public bool IsReadOnly => false;

        public void Add(T item)
        {
            list.Add(item);
            register_module((list.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), item);
        }

        public void append(params T[] parameters)
        {
            foreach (var p in parameters) Add(p);
        }

        public void extend(IEnumerable<T> modules)
        {
            foreach (var m in modules) Add(m);
        }

        public void Clear()
        {
            list.Clear();
            _internal_submodules.clear();
        }

        public bool Contains(T item) => list.Contains(item);
        public void CopyTo(T[] array, int arrayIndex) => list.CopyTo(array, arrayIndex);
        public IEnumerator<T> GetEnumerator() => list.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public int IndexOf(T item) => list.IndexOf(item);

        public void Insert(int index, T item)
        {
            list.Insert(index, item);
            Reregister();
        }

        public bool Remove(T item)
        {
            var removed = list.Remove(item);
            if (removed) Reregister();
            return removed;
        }

        public void RemoveAt(int index)
        {
            list.RemoveAt(index);
            Reregister();
        }
    }

    /// <summary>Modules registered under string keys, in insertion order.</summary>
    public class ModuleDict<T> : torch.nn.Module, IDictionary<string, T>, IList<(string, T)> where T : torch.nn.Module
    {
        private readonly List<(string key, T module)> list = new();

        public ModuleDict() : base(nameof(ModuleDict<T>)) { }

        public void clear() => Clear();
        public IEnumerator<(string, T)> items() => GetEnumerator();
        public IEnumerable<string> keys() => list.Select(e => e.key);
        public IEnumerable<T> values() => list.Select(e => e.module);

        public (string, T) this[int index] {
            get => list[index];
            set => throw new NotSupportedException("replace entries by key");
        }

        public bool IsReadOnly => false;
        public ICollection<string> Keys => list.Select(e => e.key).ToList();
        public ICollection<T> Values => list.Select(e => e.module).ToList();
        public int Count => list.Count;

        public T this[string key] {
            get => list.First(e => e.key == key).module;
            set {
                var i = list.FindIndex(e => e.key == key);
                if (i < 0) Add(key, value);
                else {
                    list[i] = (key, value);
                    _internal_submodules[key] = value;
                }
            }
        }

        public void Add((string, T) item) => Add(item.Item1, item.Item2);

        public void Add(string key, T value)
        {
            if (ContainsKey(key)) throw new ArgumentException($"duplicate key '{key}'");
            list.Add((key, value));
            register_module(key, value);
        }

        public void Add(KeyValuePair<string, T> item) => Add(item.Key, item.Value);
        public bool Contains((string, T) item) => list.Contains(item);
        public void CopyTo((string, T)[] array, int arrayIndex) => list.CopyTo(array, arrayIndex);
        public int IndexOf((string, T) item) => list.IndexOf(item);

        public void Insert(int index, (string, T) item)
        {
            if (ContainsKey(item.Item1)) throw new ArgumentException($"duplicate key '{item.Item1}'");
            list.Insert(index, item);
            _internal_submodules.Insert(index, item.Item1, item.Item2);
        }

        public bool Remove((string, T) item) => list.Contains(item) && Remove(item.Item1);

        public void RemoveAt(int index) => Remove(list[index].key);

        public bool ContainsKey(string key) => list.Exists(e => e.key == key);

        public bool Remove(string key)
        {
            var i = list.FindIndex(e => e.key == key);
            if (i < 0) return false;
            list.RemoveAt(i);
            _internal_submodules.Remove(key);
            return true;
        }

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
        {
            var i = list.FindIndex(e => e.key == key);
            value = i < 0 ? null : list[i].module;
            return i >= 0;
        }

        public void Clear()
        {
            list.Clear();
            _internal_submodules.clear();
        }

        public bool Contains(KeyValuePair<string, T> item) => list.Contains((item.Key, item.Value));

        public void CopyTo(KeyValuePair<string, T>[] array, int arrayIndex)
        {
            foreach (var (k, v) in list) array[arrayIndex++] = new KeyValuePair<string, T>(k, v);
        }

        public bool Remove(KeyValuePair<string, T> item) => Remove((item.Key, item.Value));

        public IEnumerator<(string, T)> GetEnumerator() => list.GetEnumerator();

        IEnumerator<KeyValuePair<string, T>> IEnumerable<KeyValuePair<string, T>>.GetEnumerator() =>
            list.Select(e => new KeyValuePair<string, T>(e.key, e.module)).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Sequential Sequential() => new Modules.Sequential();
            public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> submodule)[] modules) => new Modules.Sequential(modules);
            public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new Modules.Sequential(modules);
            public static Modules.Sequential Sequential(params Tuple<string, Module<Tensor, Tensor>>[] modules) => new Modules.Sequential(modules.Select(t => (t.Item1, t.Item2)));
            public static Modules.Sequential Sequential(IEnumerable<(string name, Module<Tensor, Tensor> submodule)> modules) => new Modules.Sequential(modules);
            public static Modules.Sequential Sequential(IEnumerable<Tuple<string, Module<Tensor, Tensor>>> modules) => new Modules.Sequential(modules.Select(t => (t.Item1, t.Item2)));
            public static Modules.Sequential Sequential(IEnumerable<Module<Tensor, Tensor>> modules) => new Modules.Sequential(modules);

            public static Modules.ModuleList<Module> ModuleList(params Module[] modules) => new Modules.ModuleList<Module>(modules);
            public static Modules.ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new Modules.ModuleList<T>(modules);

            public static Modules.ModuleDict<Module> ModuleDict(params (string, Module)[] modules)
            {
                var result = new Modules.ModuleDict<Module>();
                foreach (var (k, m) in modules) result.Add(k, m);
                return result;
            }

            public static Modules.ModuleDict<T> ModuleDict<T>(params (string, T)[] modules) where T : Module
            {
                var result = new Modules.ModuleDict<T>();
                foreach (var (k, m) in modules) result.Add(k, m);
                return result;
            }
        }
    }
}
