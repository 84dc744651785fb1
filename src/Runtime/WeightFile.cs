using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>TorchSharp's weight format (what <c>Module.save</c> writes), read defensively and loaded
    /// all-or-nothing. TorchSharp's own <c>load</c> copies entry by entry as it reads, stops at the first problem
    /// (leaving the model half-loaded) and trusts every count in the file; a weight file from elsewhere needs
    /// better: the whole file is checked before any tensor is allocated, and a file that does not fit the model
    /// is one exception naming every missing, unexpected and mis-shaped key, thrown before anything is copied.
    /// PyTorch's <c>torch.save(model.state_dict())</c> files and safetensors files load the same way, with no
    /// Python (<see cref="PyTorchWeights"/>).</summary>
    /// <remarks>The format: an LEB128 entry count; per entry a BinaryWriter string (LEB128 byte length, UTF-8)
    /// for the name, the LEB128 element type code, the LEB128 rank, one LEB128 per dimension, then the elements'
    /// raw bytes in the machine's (little-endian) order.</remarks>
    public static class WeightFile
    {
        /// <summary>Every entry of a weight file (TorchSharp's format in file order; also a PyTorch
        /// <c>torch.save(state_dict)</c> archive or a safetensors file, told apart by their first bytes: see
        /// <see cref="WeightFormat"/>). The caller owns the tensors.</summary>
        /// <exception cref="InvalidDataException">the file is truncated, corrupt or not a weight file</exception>
        public static Dictionary<string, Tensor> Read(string path)
        {
            using var stream = File.OpenRead(path);
            return Read(stream, path);
        }

        /// <inheritdoc cref="Read(string)"/>
        public static Dictionary<string, Tensor> Read(Stream stream) => Read(stream, "the weight stream");

        /// <summary>The format of the weight file at <paramref name="path"/>, from its first bytes.</summary>
        /// <exception cref="InvalidDataException">a pickle from before PyTorch 1.6, which is not read</exception>
        public static WeightFormat FormatOf(string path)
        {
            using var stream = File.OpenRead(path);
            return PyTorchWeights.Detect(stream, path);
        }

        /// <summary>Loads a weight file into <paramref name="module"/>, all or nothing (see
        /// <see cref="LoadStateDict"/>).</summary>
        /// <returns>the keys a non-strict load left alone (both lists are empty when strict)</returns>
        /// <exception cref="InvalidDataException">the file is truncated or corrupt; the module is unchanged</exception>
        /// <exception cref="WeightMismatchException">the file does not fit the module; the module is unchanged</exception>
        public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(nn.Module module, string path, bool strict = true)
        {
            using var stream = File.OpenRead(path);
            return Load(module, stream, strict, path);
        }

        /// <inheritdoc cref="Load(nn.Module, string, bool)"/>
        public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(nn.Module module, Stream stream, bool strict = true) =>
            Load(module, stream, strict, "the weight stream");

        /// <summary>Copies <paramref name="source"/> into the module's parameters and buffers, all or nothing: every
        /// key is compared with <c>module.state_dict()</c> first, and any problem is one
        /// <see cref="WeightMismatchException"/> naming every offending key. With <paramref name="strict"/> false,
        /// missing and unexpected keys are allowed (a new classifier head, say), a shape or element type that
        /// differs still is not.</summary>
        /// <returns>the keys a non-strict load left alone (both lists are empty when strict)</returns>
        public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(nn.Module module,
            IReadOnlyDictionary<string, Tensor> source, bool strict = true)
        {
            ArgumentNullException.ThrowIfNull(module);
            ArgumentNullException.ThrowIfNull(source);
            var target = module.state_dict();
            var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
            var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
            var mismatched = new List<string>();
            foreach (var (key, have) in target) {
                if (!source.TryGetValue(key, out var given)) continue;
                bool sameShape = given.shape.SequenceEqual(have.shape);
                if (sameShape && given.dtype == have.dtype) continue;
                mismatched.Add($"{(sameShape ? "dtype" : "size")} mismatch for '{key}': the weights have {Describe(given)}, the model {Describe(have)}");
            }
            if (mismatched.Count > 0 || strict && (missing.Count > 0 || unexpected.Count > 0))
                throw new WeightMismatchException(module.GetType().Name, strict ? missing : [], strict ? unexpected : [], mismatched);

            // Parameters are leaves that require grad: an in-place copy into them is only allowed without autograd.
            using (no_grad())
                foreach (var (key, have) in target)
                    if (source.TryGetValue(key, out var given)) have.copy_(given);
            return (missing, unexpected);
        }

        /// <summary>Writes the module's state dict in TorchSharp's format (TorchSharp's own <c>save</c>).</summary>
        public static void Save(nn.Module module, string path)
        {
            ArgumentNullException.ThrowIfNull(module);
            module.save(path);
        }

        private static (IReadOnlyList<string>, IReadOnlyList<string>) Load(nn.Module module, Stream stream, bool strict, string origin)
        {
            ArgumentNullException.ThrowIfNull(module);
            var entries = Read(stream, origin);
            try {
                return LoadStateDict(module, entries, strict);
            } finally {
                foreach (var t in entries.Values) t.Dispose();
            }
        }

        private static string Describe(Tensor t) => t.dtype + " [" + string.Join(", ", t.shape) + "]";

        /// <summary>The element types TorchSharp can save, with their sizes. Quantized types are left out: their
        /// storage is not plain elements, and TorchSharp cannot allocate them with <c>empty</c>.</summary>
        private static readonly Dictionary<long, (ScalarType Type, int Size)> ElementTypes = new[] {
            (ScalarType.Byte, 1), (ScalarType.Int8, 1), (ScalarType.Int16, 2), (ScalarType.Int32, 4), (ScalarType.Int64, 8),
            (ScalarType.Float16, 2), (ScalarType.BFloat16, 2), (ScalarType.Float32, 4), (ScalarType.Float64, 8),
            (ScalarType.ComplexFloat32, 8), (ScalarType.ComplexFloat64, 16), (ScalarType.Bool, 1),
        }.ToDictionary(e => (long)e.Item1, e => e);

        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private readonly record struct Entry(string Name, ScalarType Type, long[] Shape, long DataOffset);

        private static Dictionary<string, Tensor> Read(Stream stream, string origin)
        {
            ArgumentNullException.ThrowIfNull(stream);
            // Validation needs the length and a second pass over the data, so a stream that cannot seek is copied
            // first; that costs what the stream really holds, never what a corrupt header claims.
            if (!stream.CanSeek) {
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                stream = copy;
            }
            switch (PyTorchWeights.Detect(stream, origin)) {
                case WeightFormat.PyTorch: return PyTorchWeights.ReadPyTorch(stream, origin);
                case WeightFormat.Safetensors: return PyTorchWeights.ReadSafetensors(stream, origin);
            }
            var entries = ReadHeaders(stream, origin);
            var result = new Dictionary<string, Tensor>();
            try {
                foreach (var e in entries) {
                    var t = empty(e.Shape, e.Type);
                    result.Add(e.Name, t);
                    stream.Position = e.DataOffset;
                    t.ReadBytesFromStream(stream);
                }
            } catch {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
            return result;
        }

        /// <summary>Walks the whole file, checking every count against the bytes that remain, and returns where
        /// each entry's data lies. Allocates nothing in proportion to what the file claims.</summary>
        private static List<Entry> ReadHeaders(Stream s, string origin)
        {
            long end = s.Length;
            long Remaining() => end - s.Position;
            InvalidDataException Bad(string detail) => new($"{origin} is not a usable TorchSharp weight file: {detail}.");

            long ReadLeb(string what)
            {
                ulong value = 0;
                for (int shift = 0; ; shift += 7) {
                    int b = s.ReadByte();
                    if (b < 0) throw Bad($"the file ends inside {what}");
                    // The tenth byte holds the 64th bit only; more would overflow.
                    if (shift == 63 && b > 1) throw Bad($"{what} does not fit in 64 bits");
                    value |= (ulong)(b & 0x7f) << shift;
                    if ((b & 0x80) == 0) break;
                }
                // TorchSharp writes non-negative values only; a set top bit is a negative number or corruption.
                if (value > long.MaxValue) throw Bad($"{what} is negative ({unchecked((long)value)})");
                return (long)value;
            }

            long count = ReadLeb("the entry count");
            // The smallest entry takes 4 bytes: name length, a 1-byte name, element type, rank 0 (and 1 data byte).
            if (count > Remaining() / 4) throw Bad($"it claims {count} entries but only {Remaining()} bytes follow");

            var entries = new List<Entry>();
            var names = new HashSet<string>();
            for (long i = 1; i <= count; i++) {
                string where = $"entry {i} of {count}";
                long nameLength = ReadLeb(where + "'s name length");
                if (nameLength == 0) throw Bad(where + " has an empty name");
                if (nameLength > Remaining()) throw Bad($"the file ends inside {where}'s name ({nameLength} bytes, {Remaining()} remain)");
                var nameBytes = new byte[nameLength];
                s.ReadExactly(nameBytes);
                string name;
                try { name = StrictUtf8.GetString(nameBytes); }
                catch (DecoderFallbackException) { throw Bad(where + "'s name is not UTF-8"); }
                if (!names.Add(name)) throw Bad($"'{name}' appears twice");

                where = $"entry {i} ('{name}')";
                long code = ReadLeb(where + "'s element type");
                if (!ElementTypes.TryGetValue(code, out var element)) throw Bad($"{where} has an unknown element type code {code}");
                long rank = ReadLeb(where + "'s rank");
                // Each dimension takes at least one byte, so a rank beyond the remaining bytes is corruption.
                if (rank > Remaining()) throw Bad($"the file ends inside {where}'s dimensions (rank {rank}, {Remaining()} bytes remain)");
                var shape = new long[rank];
                long bytes = element.Size;
                for (int d = 0; d < rank; d++) {
                    shape[d] = ReadLeb($"{where}'s dimension {d}");
                    try { bytes = checked(bytes * shape[d]); }
                    catch (OverflowException) { throw Bad($"{where}'s dimensions multiply beyond 64 bits"); }
                }
                if (bytes > Remaining())
                    throw Bad($"the file ends inside {where}'s data: {element.Type} [{string.Join(", ", shape)}] needs {bytes} bytes, {Remaining()} remain");
                entries.Add(new Entry(name, element.Type, shape, s.Position));
                s.Seek(bytes, SeekOrigin.Current);
            }
            // A wrong count in an otherwise readable file shows here: bytes left over that no entry accounts for.
            if (Remaining() != 0) throw Bad($"{Remaining()} bytes follow the last of its {count} entries");
            return entries;
        }
    }

    /// <summary>A state dict that does not fit a module: every missing, unexpected and mis-shaped key at once.
    /// Thrown before anything is copied, so the module keeps its weights.</summary>
    public sealed class WeightMismatchException : ArgumentException
    {
        public IReadOnlyList<string> Missing { get; }
        public IReadOnlyList<string> Unexpected { get; }
        /// <summary>One line per key whose shape or element type differs, naming both.</summary>
        public IReadOnlyList<string> Mismatched { get; }

        public WeightMismatchException(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
            : base(Format(module, missing, unexpected, mismatched))
        {
            Missing = missing;
            Unexpected = unexpected;
            Mismatched = mismatched;
        }

        private static string Format(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        {
            var text = new StringBuilder($"The weights do not fit {module}; nothing was loaded.");
            if (missing.Count > 0) text.Append("\n  Missing key(s): ").AppendJoin(", ", missing.Select(k => "'" + k + "'"));
            if (unexpected.Count > 0) text.Append("\n  Unexpected key(s): ").AppendJoin(", ", unexpected.Select(k => "'" + k + "'"));
            foreach (var line in mismatched) text.Append("\n  ").Append(line);
            return text.ToString();
        }
    }

    /// <summary><c>model.LoadWeights(path)</c> / <c>model.SaveWeights(path)</c>: <see cref="WeightFile"/> as methods.</summary>
    public static class WeightFileExtensions
    {
        /// <inheritdoc cref="WeightFile.Load(nn.Module, string, bool)"/>
        public static T LoadWeights<T>(this T module, string path, bool strict = true) where T : nn.Module
        {
            WeightFile.Load(module, path, strict);
            return module;
        }

        /// <inheritdoc cref="WeightFile.Load(nn.Module, Stream, bool)"/>
        public static T LoadWeights<T>(this T module, Stream stream, bool strict = true) where T : nn.Module
        {
            WeightFile.Load(module, stream, strict);
            return module;
        }

        /// <inheritdoc cref="WeightFile.LoadStateDict"/>
        public static T LoadWeights<T>(this T module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true) where T : nn.Module
        {
            WeightFile.LoadStateDict(module, stateDict, strict);
            return module;
        }

        /// <inheritdoc cref="WeightFile.Save"/>
        public static T SaveWeights<T>(this T module, string path) where T : nn.Module
        {
            WeightFile.Save(module, path);
            return module;
        }
    }
}
