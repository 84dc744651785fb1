using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp.Modules;
using TorchSharp.Utils;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>
            /// Base of all modules: owns named parameters, buffers and submodules in registration
            /// order, which is the order of state_dict keys (as in PyTorch).
            /// </summary>
            public class Module : IDisposable
            {
                protected string? name;
                private bool isTraining = true;
                private bool areComponentsRegistered;

                protected OrderedDict<string, Module> _internal_submodules = new OrderedDict<string, Module>();
                protected OrderedDict<string, (Tensor, bool)> _internal_buffers = new OrderedDict<string, (Tensor, bool)>();
                protected OrderedDict<string, Parameter> _internal_params = new OrderedDict<string, Parameter>();

                protected Module(string name)
                {
                    this.name = name;
                }

                public virtual string GetName() => name ?? GetType().Name;

                // ---- lifetime

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                /// <summary>Frees the parameters, buffers and submodules this module owns.</summary>
                protected virtual void Dispose(bool disposing)
                {
                    if (!disposing) return;
                    foreach (var (_, m) in _internal_submodules) m.Dispose();
                    foreach (var (_, p) in _internal_params) p.Dispose();
                    foreach (var (_, (b, _)) in _internal_buffers) b.Dispose();
                    _internal_submodules.clear();
                    _internal_params.clear();
                    _internal_buffers.clear();
                }

                // ---- registration

                private static void CheckName(string name, string what)
                {
                    if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{what} name can't be empty");
                    if (name.Contains('.')) throw new ArgumentException($"{what} name can't contain \".\", got: {name}");
                }

                public virtual void register_module(string name, Module submodule)
                {
                    CheckName(name, "module");
                    if (submodule is null) return;
                    if (_internal_params.ContainsKey(name) || _internal_buffers.ContainsKey(name))
                        throw new InvalidOperationException($"attribute '{name}' already exists");
                    _internal_submodules[name] = submodule;
                }

                public void add_module(string name, Module module) => register_module(name, module);

                /// <summary>Registers a parameter; the module takes it out of any dispose scope.</summary>
                public virtual void register_parameter(string name, Parameter param)
                {
                    CheckName(name, "parameter");
                    if (param is null) {
                        _internal_params.Remove(name);
                        return;
                    }
                    if (_internal_submodules.ContainsKey(name) || _internal_buffers.ContainsKey(name))
                        throw new InvalidOperationException($"attribute '{name}' already exists");
                    param.DetachFromDisposeScope();
                    _internal_params[name] = param;
                }

                public virtual void register_buffer(string name, Tensor tensor, bool persistent = true)
                {
                    CheckName(name, "buffer");
                    if (tensor is null) {
                        _internal_buffers.Remove(name);
                        return;
                    }
                    if (_internal_submodules.ContainsKey(name) || _internal_params.ContainsKey(name))
                        throw new InvalidOperationException($"attribute '{name}' already exists");
                    tensor.DetachFromDisposeScope();
                    _internal_buffers[name] = (tensor, persistent);
                }

                /// <summary>
                /// Registers fields holding modules, parameters and tensors (buffers) under their field
                /// names, in declaration order. Generated code registers explicitly instead.
                /// </summary>
                protected virtual void RegisterComponents()
                {
                    if (areComponentsRegistered) return;
                    foreach (var field in FieldsOf(GetType())) {
                        var fieldName = field.ComponentName();
                        if (_internal_submodules.ContainsKey(fieldName) || _internal_params.ContainsKey(fieldName) || _internal_buffers.ContainsKey(fieldName))
                            continue;
                        switch (field.GetValue(this)) {
                        case Module module:
                            register_module(fieldName, module);
                            break;
                        case Parameter param:
                            register_parameter(fieldName, param);
                            break;
                        case Tensor tensor:
                            register_buffer(fieldName, tensor);
                            break;
                        }
                    }
                    areComponentsRegistered = true;
                }

                private static IEnumerable<FieldInfo> FieldsOf(Type type)
                {
                    // Most-derived class first, as the fields appear in source within each class.
                    var seen = new HashSet<string>();
                    for (var t = type; t is not null && t != typeof(Module); t = t.BaseType) {
                        foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)) {
                            if (f.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) && f.Name.Contains('<')) {
                                // Auto-property backing field: register under the property's name.
                                if (seen.Add(f.Name)) yield return f;
                                continue;
                            }
                            if (seen.Add(f.Name)) yield return f;
                        }
                    }
                }

                // ---- queries

                public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
                {
                    var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                    foreach (var (n, p) in NamedParametersAll(recurse, "")) {
                        if (seen.Add(p)) yield return (n, p);
                    }
                }

                private IEnumerable<(string, Parameter)> NamedParametersAll(bool recurse, string prefix)
                {
                    foreach (var (n, p) in _internal_params) yield return (prefix + n, p);
                    if (!recurse) yield break;
                    foreach (var (mn, m) in _internal_submodules)
                        foreach (var item in m.NamedParametersAll(true, prefix + mn + "."))
                            yield return item;
                }

                public virtual IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

                public virtual bool has_parameter(string target) => get_parameter(target) is not null;

                public virtual Parameter? get_parameter(string target)
                {
                    var (owner, leaf) = Resolve(target);
                    return owner is not null && owner._internal_params.TryGetValue(leaf, out var p) ? p : null;
                }

                public virtual IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)
                {
                    var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                    foreach (var (n, b) in NamedBuffersAll(recurse, include_nonpersistent, "")) {
                        if (seen.Add(b)) yield return (n, b);
                    }
                }

                private IEnumerable<(string, Tensor)> NamedBuffersAll(bool recurse, bool includeNonPersistent, string prefix)
                {
                    foreach (var (n, (b, persistent)) in _internal_buffers)
                        if (persistent || includeNonPersistent) yield return (prefix + n, b);
                    if (!recurse) yield break;
                    foreach (var (mn, m) in _internal_submodules)
                        foreach (var item in m.NamedBuffersAll(true, includeNonPersistent, prefix + mn + "."))
                            yield return item;
                }

                public virtual IEnumerable<Tensor> buffers(bool recurse = true, bool include_nonpersistent = true) =>
                    named_buffers(recurse, include_nonpersistent).Select(b => b.buffer);

                public virtual bool has_buffer(string target) => get_buffer(target) is not null;

                public virtual Tensor? get_buffer(string target)
                {
                    var (owner, leaf) = Resolve(target);
                    return owner is not null && owner._internal_buffers.TryGetValue(leaf, out var b) ? b.Item1 : null;
                }

                public virtual IEnumerable<(string name, Module module)> named_children() => _internal_submodules;

                public virtual IEnumerable<Module> children() => named_children().Select(c => c.module);

                /// <summary>All descendant modules, depth first (TorchSharp leaves out the module itself).</summary>
                public virtual IEnumerable<(string name, Module module)> named_modules()
                {
                    foreach (var (n, m) in _internal_submodules) {
                        yield return (n, m);
                        foreach (var (cn, c) in m.named_modules()) yield return ($"{n}.{cn}", c);
                    }
                }

                public virtual IEnumerable<Module> modules() => named_modules().Select(m => m.module);

                public virtual bool has_module(string target) => get_submodule(target) is not null;

                public virtual Module? get_submodule(string target)
                {
                    Module? current = this;
                    foreach (var part in target.Split('.')) {
                        if (current is null || !current._internal_submodules.TryGetValue(part, out var next)) return null;
                        current = next;
                    }
                    return current;
                }

                private (Module? owner, string leaf) Resolve(string target)
                {
                    var dot = target.LastIndexOf('.');
                    if (dot < 0) return (this, target);
                    return (get_submodule(target.Substring(0, dot)), target.Substring(dot + 1));
                }

                // ---- modes

                public virtual bool training => isTraining;

                public virtual void train(bool train = true)
                {
                    isTraining = train;
                    foreach (var (_, m) in _internal_submodules) m.train(train);
                }

                public virtual void eval() => train(false);

                public virtual Module apply(Action<Module> fn)
                {
                    foreach (var (_, m) in _internal_submodules) m.apply(fn);
                    fn(this);
                    return this;
                }

                public virtual void zero_grad(bool set_to_none = true)
                {
                    foreach (var p in parameters()) p.ZeroGrad(set_to_none);
                }

                // ---- state dict

                /// <summary>
                /// Parameters and persistent buffers keyed by dotted path, module by module in
                /// registration order (PyTorch's order). Values are the live tensors, not copies.
                /// </summary>
                public virtual Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
                {
                    destination ??= new Dictionary<string, Tensor>();
                    var head = string.IsNullOrEmpty(prefix) ? "" : prefix + ".";
                    foreach (var (n, p) in _internal_params) destination.TryAdd(head + n, p);
                    foreach (var (n, (b, persistent)) in _internal_buffers)
                        if (persistent) destination.TryAdd(head + n, b);
                    foreach (var (n, m) in _internal_submodules) m.state_dict(destination, head + n);
                    return destination;
                }

                /// <summary>
                /// Copies matching entries into this module. Every problem (missing or unexpected keys
                /// under strict, any shape or type mismatch) is found before anything is copied, so a
                /// failed load leaves the weights untouched.
                /// </summary>
                public virtual (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
                {
                    skip ??= Array.Empty<string>();
                    var destination = state_dict();
                    var missing = destination.Keys.Where(k => !skip.Contains(k) && !source.ContainsKey(k)).ToList();
                    var unexpected = source.Keys.Where(k => !skip.Contains(k) && !destination.ContainsKey(k)).ToList();
                    var mismatched = new List<string>();
                    foreach (var (key, value) in source) {
                        if (skip.Contains(key) || !destination.TryGetValue(key, out var target)) continue;
                        var have = target.shape;
                        var got = value.shape;
                        if (!have.SequenceEqual(got))
                            mismatched.Add($"size mismatch for {key}: copying a param with shape [{string.Join(", ", got)}] from checkpoint, the shape in current model is [{string.Join(", ", have)}].");
                    }

                    if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0))) {
                        var lines = new List<string>();
                        if (strict && unexpected.Count > 0)
                            lines.Add("Unexpected key(s) in state_dict: " + string.Join(", ", unexpected.Select(k => $"\"{k}\"")) + ".");
                        if (strict && missing.Count > 0)
                            lines.Add("Missing key(s) in state_dict: " + string.Join(", ", missing.Select(k => $"\"{k}\"")) + ".");
                        lines.AddRange(mismatched);
                        throw new InvalidOperationException($"Error(s) in loading state_dict for {GetName()}:\n\t" + string.Join("\n\t", lines));
                    }

                    // Parameters are leaves that require grad: copy outside autograd.
                    using (no_grad()) {
                        foreach (var (key, value) in source) {
                            if (skip.Contains(key) || !destination.TryGetValue(key, out var target)) continue;
                            target.copy_(value);
                        }
                    }
                    return (missing, unexpected);
                }

                // ---- persistence in TorchSharp's format

                public Module save(string location, IList<string>? skip = null)
                {
                    using var stream = System.IO.File.Create(location);
                    using var writer = new System.IO.BinaryWriter(stream);
                    return save(writer, skip);
                }

                public Module save(System.IO.BinaryWriter writer, IList<string>? skip = null)
                {
                    save_state_dict(writer, state_dict(), skip);
                    return this;
                }

                public Module save(System.IO.Stream stream, IList<string>? skip = null)
                {
                    using var writer = new System.IO.BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                    return save(writer, skip);
                }

                public static void save_state_dict(System.IO.BinaryWriter writer, Dictionary<string, Tensor> sd, IList<string>? skip = null)
                {
                    var entries = sd.Where(kv => skip is null || !skip.Contains(kv.Key)).ToList();
                    LEB128Codec.Encode(writer, entries.Count);
                    foreach (var (key, value) in entries) {
                        writer.Write(key);
                        TensorExtensionMethods.Save(value, writer);
                    }
                }

                public virtual Module load(string location, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
                {
                    if (!System.IO.File.Exists(location)) throw new System.IO.FileNotFoundException(location);
                    using var stream = System.IO.File.OpenRead(location);
                    using var reader = new System.IO.BinaryReader(stream);
                    return load(reader, strict, skip, loadedParameters);
                }

                /// <summary>
                /// Reads a whole weight file, validates it against this module, then copies. Unlike a
                /// streaming load, a bad file changes nothing.
                /// </summary>
                public virtual Module load(System.IO.BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
                {
                    skip ??= Array.Empty<string>();
                    var sd = state_dict();
                    var loaded = new Dictionary<string, Tensor>();
                    // Every problem is collected before anything is copied, so one exception names every offending
                    // key and a failed load leaves the weights untouched.
                    var unexpected = new List<string>();
                    var mismatched = new List<string>();
                    try {
                        var count = LEB128Codec.Decode(reader);
                        if (count < 0 || count > int.MaxValue)
                            throw new System.IO.InvalidDataException($"Corrupt weight file: it claims {count} entries.");
                        for (long i = 0; i < count; i++) {
                            string key;
                            Tensor tensor;
                            try {
                                key = reader.ReadString();
                                tensor = TensorExtensionMethods.Load(reader);
                            } catch (System.IO.EndOfStreamException) {
                                throw new System.IO.InvalidDataException($"Truncated weight file: it ends inside entry {i + 1} of {count}.");
                            } catch (System.IO.IOException e) {
                                throw new System.IO.InvalidDataException($"Corrupt weight file: entry {i + 1} of {count} is unreadable ({e.Message}).");
                            } catch (FormatException) {
                                throw new System.IO.InvalidDataException($"Corrupt weight file: the name of entry {i + 1} of {count} is unreadable.");
                            }
                            var found = sd.ContainsKey(key);
                            loadedParameters?.TryAdd(key, found);
                            if (!found || skip.Contains(key)) {
                                tensor.Dispose();
                                if (!found && strict) unexpected.Add(key);
                                continue;
                            }
                            var target = sd[key];
                            if (tensor.dtype != target.dtype)
                                mismatched.Add($"'{key}': file has {tensor.dtype}, module has {target.dtype}");
                            else if (!tensor.shape.SequenceEqual(target.shape))
                                mismatched.Add($"'{key}': file has [{string.Join(", ", tensor.shape)}], module has [{string.Join(", ", target.shape)}]");
                            if (loaded.TryGetValue(key, out var duplicate)) duplicate.Dispose();
                            loaded[key] = tensor;
                        }
                        var absent = strict ? sd.Keys.Where(k => !loaded.ContainsKey(k) && !skip.Contains(k)).ToList() : new List<string>();
                        if (unexpected.Count > 0 || mismatched.Count > 0 || absent.Count > 0) {
                            var lines = new List<string>();
                            if (absent.Count > 0) lines.Add("Missing key(s) in the weight file: " + string.Join(", ", absent.Select(k => $"'{k}'")));
                            if (unexpected.Count > 0) lines.Add("Unexpected key(s) in the weight file: " + string.Join(", ", unexpected.Select(k => $"'{k}'")));
                            if (mismatched.Count > 0) lines.Add("Mismatched tensor(s): " + string.Join("; ", mismatched));
                            throw new ArgumentException($"Cannot load weights into {GetName()}:\n\t" + string.Join("\n\t", lines));
                        }
                        using (no_grad()) {
                            foreach (var (key, tensor) in loaded) sd[key].copy_(tensor);
                        }
                    } finally {
                        foreach (var t in loaded.Values) t.Dispose();
                    }
                    return this;
                }

                public Module load(System.IO.Stream stream, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
                {
                    using var reader = new System.IO.BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                    return load(reader, strict, skip, loadedParameters);
                }

                public static Module Create<T>(string path) where T : Module, new() => new T().load(path);

                // ---- moves (CPU only; dtype conversion swaps handles so fields stay valid)

                internal Module MoveTo(ScalarType? dtype, Device? device)
                {
                    RequireCpu(device);
                    if (dtype is null) return this;
                    using (no_grad()) {
                        foreach (var p in parameters()) Convert(p, dtype.Value);
                        foreach (var b in buffers()) Convert(b, dtype.Value);
                    }
                    return this;
                }

                private static void Convert(Tensor t, ScalarType type)
                {
                    // Only floating tensors follow a dtype move (num_batches_tracked stays Int64).
                    if (!is_floating_point(t.dtype) || t.dtype == type) return;
                    var requiresGrad = t.requires_grad;
                    using var converted = t.to(type);
                    var replacement = converted.detach();
                    if (requiresGrad) replacement.requires_grad = true;
                    t.ReplaceHandle(replacement.MoveHandle());
                }

                public Module _to(Tensor other, bool non_blocking) => MoveTo(other.dtype, other.device);
            }
        }
    }

    public static class ModuleExtensionMethods
    {
        public static T to<T>(this T module, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(type, null);
        public static T to<T>(this T module, torch.Device device, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(type, device);
        public static T to<T>(this T module, DeviceType deviceType, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(null, new torch.Device(deviceType, deviceIndex));
        public static T to<T>(this T module, torch.Device device, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(null, device);
        public static T to<T>(this T module, string device, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(null, new torch.Device(device));
        public static T to<T>(this T module, torch.Tensor other, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(other.dtype, null);
        public static T cpu<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module;
        public static T cuda<T>(this T module, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(null, new torch.Device(DeviceType.CUDA, deviceIndex));
        public static T @float<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(torch.ScalarType.Float32, null);
        public static T @double<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(torch.ScalarType.Float64, null);
        public static T half<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => (T)module.MoveTo(torch.ScalarType.Float16, null);
    }

    /// <summary>Overrides the name a field is registered under by RegisterComponents.</summary>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class ComponentNameAttribute : Attribute
    {
        public string Name { get; set; } = "";
    }

    public static class FieldInfoExtensionMethods
    {
        public static string ComponentName(this FieldInfo field)
        {
            var attribute = field.GetCustomAttribute<ComponentNameAttribute>();
            if (attribute is not null && attribute.Name.Length > 0) return attribute.Name;
            var n = field.Name;
            // Auto-property backing fields are named "<Name>k__BackingField".
            if (n.StartsWith('<')) n = n.Substring(1, n.IndexOf('>') - 1);
            return n;
        }
    }
}
