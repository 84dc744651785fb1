using System;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>The weight formats <see cref="WeightFile"/> reads, told apart by their first bytes.</summary>
    public enum WeightFormat
    {
        /// <summary>TorchSharp's own (<c>Module.save</c>, <c>archdsl export-weights</c>).</summary>
        TorchSharp,
        /// <summary><c>torch.save(model.state_dict(), path)</c> from PyTorch 1.6 or later (a zip archive).</summary>
        PyTorch,
        /// <summary>The safetensors format: a little-endian 64-bit header length, a JSON header, the raw data.</summary>
        Safetensors,
    }

    /// <summary>PyTorch's and safetensors' weight files, read into a state dict without Python. The pickle inside a
    /// <c>torch.save</c> archive is read by TorchSharp.PyBridge, which builds only tensors and plain containers (it
    /// never runs code, unlike Python's <c>torch.load</c>). Safetensors files are read here: PyBridge's reader
    /// allocates every shape the header claims before checking it against the data, and a header is cheap to
    /// check first.</summary>
    internal static class PyTorchWeights
    {
        /// <summary>The format of the file at the stream's position; the position is left where it was.</summary>
        internal static WeightFormat Detect(Stream stream, string origin)
        {
            long start = stream.Position;
            Span<byte> head = stackalloc byte[9];
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = start;
            if (read >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
                return WeightFormat.PyTorch;
            if (read == 9 && head[8] == (byte)'{'
                && BinaryPrimitives.ReadUInt64LittleEndian(head) <= (ulong)(stream.Length - start - 8))
                return WeightFormat.Safetensors;
            if (read >= 2 && head[0] == 0x80 && head[1] <= 5)
                throw new InvalidDataException(origin + " is a pickle, not a zip archive: PyTorch's format before 1.6 (or torch.save with "
                    + "_use_new_zipfile_serialization=False), which is not read; save it again with torch.save(model.state_dict(), path)");
            return WeightFormat.TorchSharp;
        }

        /// <summary>Every tensor of a <c>torch.save(state_dict)</c> archive. The caller owns the tensors.</summary>
        internal static Dictionary<string, Tensor> ReadPyTorch(Stream stream, string origin)
        {
            Hashtable pickled;
            try {
                pickled = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
            } catch (Exception e) when (e is not OutOfMemoryException) {
                throw new InvalidDataException($"{origin} is not a readable torch.save state dict: {e.Message}", e);
            }
            var result = new Dictionary<string, Tensor>();
            string? problem = null;
            foreach (DictionaryEntry entry in pickled) {
                var key = entry.Key as string;
                if (key is null || entry.Value is not Tensor t) {
                    problem ??= $"its entry {entry.Key} is a {entry.Value?.GetType().Name ?? "null"}, not a tensor: a checkpoint "
                        + "holding more than a state dict (save model.state_dict() itself)";
                    (entry.Value as Tensor)?.Dispose();
                    continue;
                }
                // PyBridge reads each tensor from the start of its storage: a view into shared storage (tied or
                // sliced weights) would come out with another tensor's elements.
                if (t.storage_offset() != 0 || !t.is_contiguous())
                    problem ??= $"'{key}' is a view into storage it shares with other tensors; save clones (t.clone()) instead";
                result[key] = t;
            }
            if (problem is not null) {
                foreach (var t in result.Values) t.Dispose();
                throw new InvalidDataException($"{origin}: {problem}");
            }
            return result;
        }

        /// <summary>Every tensor of a safetensors file, the header checked against the file before anything is
        /// allocated. The caller owns the tensors.</summary>
        internal static Dictionary<string, Tensor> ReadSafetensors(Stream stream, string origin)
        {
            long start = stream.Position;
            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            long dataStart = start + 8 + headerLength, dataLength = stream.Length - dataStart;
            var header = new byte[headerLength];   // Detect checked it fits in the file
            stream.ReadExactly(header);

            var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin)>();
            try {
                using var json = JsonDocument.Parse(header);
                foreach (var property in json.RootElement.EnumerateObject()) {
                    if (property.Name == "__metadata__") continue;
                    var v = property.Value;
                    var dtype = v.GetProperty("dtype").GetString();
                    if (!SafetensorsTypes.TryGetValue(dtype ?? "", out var type))
                        throw new InvalidDataException($"'{property.Name}' has element type {dtype}, which TorchSharp cannot hold");
                    var shape = v.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    var offsets = v.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    long elements = shape.Any(d => d < 0) ? -1 : shape.Aggregate(1L, (n, d) => checked(n * d));
                    if (entries.Any(e => e.Name == property.Name))
                        throw new InvalidDataException($"'{property.Name}' appears twice in the header");
                    if (offsets.Length != 2 || elements < 0 || offsets[0] < 0 || offsets[1] > dataLength
                        || offsets[1] - offsets[0] != checked(elements * type.Size))
                        throw new InvalidDataException($"'{property.Name}' claims shape [{string.Join(", ", shape)}] of {dtype} at "
                            + $"bytes [{string.Join(", ", offsets)}], which the file's {dataLength} data bytes do not hold");
                    entries.Add((property.Name, type.Type, shape, offsets[0]));
                }
            } catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException) {
                throw new InvalidDataException($"{origin} has a malformed safetensors header: {e.Message}", e);
            } catch (InvalidDataException e) {
                throw new InvalidDataException($"{origin}: {e.Message}", e);
            }

            var result = new Dictionary<string, Tensor>();
            try {
                foreach (var (name, type, shape, begin) in entries) {
                    var t = empty(shape, type);
                    result.Add(name, t);
                    stream.Position = dataStart + begin;
                    t.ReadBytesFromStream(stream);
                }
            } catch {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
            return result;
        }

        /// <summary>The safetensors element type names TorchSharp has a type for, with their sizes.</summary>
        private static readonly Dictionary<string, (ScalarType Type, int Size)> SafetensorsTypes = new() {
            ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
            ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
            ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1),
            ["BOOL"] = (ScalarType.Bool, 1),
        };
    }
}
