using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using ArchDsl.Analysis;
using ArchDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Onnx
{
    /// <summary>How to export: the batch dimension (fixed, or symbolic "batch"), and the network's arguments when the
    /// instance was built with others than the defaults (as <see cref="ArchFrontEnd.AnalyzeNetwork(SourceFile, IImportResolver, string, IReadOnlyDictionary{string, object}?, ValueTuple{long, long, long}?, System.Threading.CancellationToken)"/> takes them).</summary>
    public sealed record OnnxExportOptions
    {
        /// <summary>A symbolic batch dimension ("batch") on the input and every output instead of <see cref="BatchSize"/>.</summary>
        public bool DynamicBatch { get; init; }

        /// <summary>The fixed batch size when <see cref="DynamicBatch"/> is off.</summary>
        public long BatchSize { get; init; } = 1;

        /// <summary>Arguments of the network (by .arch parameter name) that differ from its defaults or its variant's.</summary>
        public IReadOnlyDictionary<string, object>? Arguments { get; init; }

        /// <summary>Every state-dict entry must be read by the graph (num_batches_tracked aside); off: extra entries are ignored.</summary>
        public bool Strict { get; init; } = true;
    }

    /// <summary>An export's outcome: the model, or the diagnostics (located in the .arch source) that prevented it.</summary>
    public sealed record OnnxExportResult(OnnxModel? Model, ImmutableArray<ArchDiagnostic> Diagnostics)
    {
        public bool Succeeded => Model != null;

        /// <summary>The model as ONNX protobuf bytes.</summary>
        public byte[] ToBytes() => OnnxSerializer.Write(Model ?? throw new InvalidOperationException("the export failed:\n" + string.Join("\n", Diagnostics)));

        public void Save(string path) => File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>
    /// ONNX export of .arch networks: the graph comes from the elaborated network (<see cref="OnnxLowering"/>), the
    /// initializers from a state dict, named as its keys. Inputs: "input" [N, C, H, W]; outputs: "output" and each
    /// auxiliary head under its .arch name.
    /// </summary>
    public static class OnnxExport
    {
        public const long IrVersion = 8;

        /// <summary>Exports network (or variant) <paramref name="network"/> of the .arch file at <paramref name="archPath"/>
        /// with the weights of <paramref name="stateDict"/> (a module's state_dict(), or a weight file's entries).</summary>
        public static OnnxExportResult FromArch(string archPath, string network, IReadOnlyDictionary<string, Tensor> stateDict, OnnxExportOptions? options = null)
        {
            var full = Path.GetFullPath(archPath);
            return FromArch(new SourceFile(archPath, File.ReadAllText(full)), new ArchFileImports(), network, stateDict, options);
        }

        /// <summary>As above, for a source already read and a resolver for its imports.</summary>
        public static OnnxExportResult FromArch(SourceFile file, IImportResolver imports, string network, IReadOnlyDictionary<string, Tensor> stateDict, OnnxExportOptions? options = null)
        {
            options ??= new OnnxExportOptions();
            var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(file, imports, network, options.Arguments);
            var errors = diagnostics.Where(d => d.Severity == ArchSeverity.Error).ToImmutableArray();
            if (report == null || errors.Length > 0) return new OnnxExportResult(null, errors.IsEmpty ? diagnostics : errors);
            return FromReport(report, imports, file, stateDict, options);
        }

        /// <summary>Exports an analysed network with the weights of <paramref name="stateDict"/>. Throws
        /// <see cref="WeightMismatchException"/> when the weights do not fit the graph (missing, unexpected or misshapen
        /// keys, named as the weight loader names them).</summary>
        public static OnnxExportResult FromReport(NetworkReport report, IImportResolver imports, SourceFile file,
            IReadOnlyDictionary<string, Tensor> stateDict, OnnxExportOptions? options = null)
        {
            options ??= new OnnxExportOptions();
            var lowered = OnnxLowering.Lower(report.Network, path => SourceText(path, file, imports), options.DynamicBatch, options.BatchSize);
            if (lowered.Graph == null) return new OnnxExportResult(null, lowered.Diagnostics);
            var initializers = Initializers(report.Network.Name, lowered.Weights, stateDict, options.Strict);
            var graph = lowered.Graph with { Initializers = initializers.AddRange(lowered.Graph.Initializers) };
            var model = new OnnxModel(IrVersion, ImmutableArray.Create(("", OnnxLowering.Opset)), "ArchDsl",
                typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0", graph,
                new[] { new KeyValuePair<string, string>("arch_network", report.Network.Name), new KeyValuePair<string, string>("arch_source", report.Network.Network.File.Path) });
            return new OnnxExportResult(model, ImmutableArray<ArchDiagnostic>.Empty);
        }

        /// <summary>Exports a generated network instance: its class's network (the generated <c>Metadata.Name</c>) in the
        /// .arch file it was generated from, with the instance's own weights.</summary>
        public static OnnxExportResult Export(nn.Module module, string archPath, OnnxExportOptions? options = null)
        {
            var name = NetworkName(module) ?? throw new ArgumentException(module.GetType().Name + " is not a generated .arch network (it has no static Metadata)", nameof(module));
            var state = module.state_dict();
            return FromArch(archPath, name, state, options);
        }

        /// <summary>The network name a generated class carries in its static <c>Metadata</c>; null for other modules.</summary>
        public static string? NetworkName(nn.Module module) =>
            (module.GetType().GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as NetworkMetadata)?.Name;

        private static string? SourceText(string path, SourceFile file, IImportResolver imports)
        {
            if (path == file.Path) return file.Text;
            try
            {
                return imports.Resolve(file.Path, path)?.Text ?? (File.Exists(path) ? File.ReadAllText(path) : null);
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static ImmutableArray<OnnxTensor> Initializers(string network, ImmutableArray<OnnxWeight> weights, IReadOnlyDictionary<string, Tensor> stateDict, bool strict)
        {
            var missing = new List<string>();
            var mismatched = new List<string>();
            var result = ImmutableArray.CreateBuilder<OnnxTensor>(weights.Length);
            foreach (var w in weights.OrderBy(w => w.Key, StringComparer.Ordinal))
            {
                if (!stateDict.TryGetValue(w.Key, out var tensor)) { missing.Add(w.Key); continue; }
                if (!tensor.shape.SequenceEqual(w.Shape))
                {
                    mismatched.Add(w.Key + " [" + string.Join(", ", tensor.shape) + "] where the network has [" + string.Join(", ", w.Shape) + "]");
                    continue;
                }
                result.Add(new OnnxTensor(w.Key, OnnxDataType.Float, w.Shape, RawFloats(tensor)));
            }
            var read = new HashSet<string>(weights.Select(w => w.Key), StringComparer.Ordinal);
            var unexpected = strict
                ? stateDict.Keys.Where(k => !read.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList()
                : new List<string>();
            if (missing.Count > 0 || mismatched.Count > 0 || unexpected.Count > 0)
                throw new WeightMismatchException(network, missing, unexpected, mismatched);
            return result.MoveToImmutable();
        }

        private static byte[] RawFloats(Tensor tensor)
        {
            using var scope = torch.NewDisposeScope();
            var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
            return bytes;
        }
    }

    /// <summary>The runtime API on generated networks: <c>model.ExportOnnx("architectures/resnet.arch", "resnet18.onnx")</c>.</summary>
    public static class OnnxExportExtensions
    {
        /// <summary>Writes the network as ONNX to <paramref name="outputPath"/>; returns the module. Throws
        /// <see cref="OnnxExportException"/> with the located diagnostics when the network cannot be exported.</summary>
        public static T ExportOnnx<T>(this T module, string archPath, string outputPath, OnnxExportOptions? options = null) where T : nn.Module
        {
            var result = OnnxExport.Export(module, archPath, options);
            if (!result.Succeeded) throw new OnnxExportException(result.Diagnostics);
            result.Save(outputPath);
            return module;
        }
    }

    /// <summary>An export that could not be written; <see cref="Diagnostics"/> says where and why.</summary>
    public sealed class OnnxExportException : Exception
    {
        public OnnxExportException(ImmutableArray<ArchDiagnostic> diagnostics)
            : base("ONNX export failed:\n" + string.Join("\n", diagnostics)) { Diagnostics = diagnostics; }

        public ImmutableArray<ArchDiagnostic> Diagnostics { get; }
    }

    /// <summary>Imports resolved against the file system, relative to the importing file.</summary>
    public sealed class ArchFileImports : IImportResolver
    {
        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromPath) ?? ".", importPath));
            return File.Exists(path) ? new SourceFile(path, File.ReadAllText(path)) : null;
        }
    }
}
