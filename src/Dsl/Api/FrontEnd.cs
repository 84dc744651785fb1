using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Elaboration;
using ArchDsl.Text;

namespace ArchDsl
{
    /// <summary>One .arch source: its path (as the user or the compiler names it) and its text.</summary>
    public sealed record SourceFile(string Path, string Text);

    /// <summary>Finds the file an <c>import "x.arch"</c> names, relative to the importing file. Null when absent.</summary>
    public interface IImportResolver
    {
        SourceFile? Resolve(string fromPath, string importPath);
    }

    /// <summary>Thrown by an <see cref="IImportResolver"/> that found the imported path but will not read it (a FIFO, a
    /// device, a folder, a file over the size limit); the front end reports the message at the import.</summary>
    public sealed class ImportRefusedException : System.Exception
    {
        public ImportRefusedException(string reason) : base(reason) { }
    }

    /// <summary>An import resolver that knows no files.</summary>
    public sealed class NoImports : IImportResolver
    {
        public static readonly NoImports Instance = new NoImports();
        public SourceFile? Resolve(string fromPath, string importPath) => null;
    }

    public enum ArchSeverity { Error, Warning, Info }

    /// <summary>A diagnostic as data: stable id, severity, message and a span inside <see cref="Path"/>.
    /// Lines and columns are 1-based; Start/Length are character offsets into the file's text.</summary>
    public sealed record ArchDiagnostic(
        string Id, ArchSeverity Severity, string Message, string Path,
        int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
    {
        /// <summary>Compiler format: <c>path(line,col): error ARCH0007: message</c>.</summary>
        public override string ToString() =>
            Path + "(" + Line.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," +
            Column.ToString(System.Globalization.CultureInfo.InvariantCulture) + "): " +
            (Severity == ArchSeverity.Error ? "error" : Severity == ArchSeverity.Warning ? "warning" : "info") +
            " " + Id + ": " + Message;
    }

    /// <summary>One row of a network's shape/cost table.</summary>
    public sealed record LayerRow(
        string Path, string Operation, ImmutableArray<long> OutputShape,
        long Params, long Macs, long MemoryAccess);

    /// <summary>Static facts about one network (or variant) at its declared input size. <see cref="Buffers"/> counts
    /// buffer tensors (PyTorch's <c>len(list(model.buffers()))</c>).</summary>
    public sealed record NetworkSummary(
        string Name, string File, int Line,
        ImmutableArray<long> Input, ImmutableArray<long> Output,
        long Params, long Buffers, long Macs, long MemoryAccess, long ActivationElements,
        string? Reference, ImmutableArray<LayerRow> Layers)
    {
        /// <summary>Elements of all buffers (batch norm's running means and variances, one per step counter).</summary>
        public long BufferElements { get; init; }

        /// <summary>Entries of the state dict: parameter tensors and buffers (PyTorch's <c>len(model.state_dict())</c>).</summary>
        public long StateDictKeys { get; init; }

        /// <summary>How input images are prepared for this variant (its <c>data</c> clause), when declared.</summary>
        public Analysis.DataConfig? Data { get; init; }

        /// <summary>The network's named outputs (<c>output name</c>, computed on every forward beside the main output),
        /// in declaration order, each with its shape.</summary>
        public ImmutableArray<OutputShape> NamedOutputs { get; init; } = ImmutableArray<OutputShape>.Empty;
    }

    /// <summary>A named output of a network: its name and shape (one sample, without batch).</summary>
    public sealed record OutputShape(string Name, ImmutableArray<long> Shape);

    /// <summary>What the front end knows about one file: diagnostics (never exceptions) and networks.</summary>
    public sealed record FrontEndResult(
        ImmutableArray<ArchDiagnostic> Diagnostics,
        ImmutableArray<NetworkSummary> Networks);

    /// <summary>The full analysis of one file: diagnostics, the bound program (null only after an internal
    /// error) and a report per analysed network (every variant, and every network whose parameters all have defaults).</summary>
    public sealed record AnalysisResult(
        ImmutableArray<ArchDiagnostic> Diagnostics,
        BoundProgram? Program,
        ImmutableArray<NetworkReport> Reports)
    {
        public bool HasErrors => Diagnostics.Any(d => d.Severity == ArchSeverity.Error);

        /// <summary>The work budget the analysis spent from; later work on the same file (the emitter's size probes and
        /// its output) spends from it too, so one file has one budget.</summary>
        public WorkBudget Budget { get; init; } = new WorkBudget();
    }

    /// <summary>The front end's entry point: parse, bind, elaborate, analyse. Never throws (cancellation aside).</summary>
    public static class ArchFrontEnd
    {
        public static FrontEndResult Check(SourceFile file, IImportResolver imports, CancellationToken cancellationToken = default)
        {
            var result = Analyze(file, imports, cancellationToken);
            return new FrontEndResult(result.Diagnostics, result.Reports.Select(r => r.Summary).ToImmutableArray());
        }

        public static AnalysisResult Analyze(SourceFile file, IImportResolver imports, CancellationToken cancellationToken = default)
        {
            var bag = new DiagnosticBag();
            var budget = new WorkBudget(cancellationToken);
            BoundProgram? program = null;
            var reports = ImmutableArray.CreateBuilder<NetworkReport>();
            try
            {
                program = Binder.Bind(file, imports ?? NoImports.Instance, bag, cancellationToken);
                if (bag.ErrorCount == 0)
                {
                    var reuse = new ReportReuse(program, budget);
                    foreach (var def in program.LocalDefinitions.Where(d => d.IsNetwork))
                    {
                        if (!budget.TryCharge(WorkKind.Variants))
                        {
                            bag.Report(DiagnosticCatalogue.TooLarge, def.File.Path, def.Syntax.NameSpan, WorkBudget.ExceededMessage(WorkKind.Variants));
                            break;
                        }
                        var missing = def.Parameters.Where(p => p.Syntax.Default == null).Select(p => p.Name).ToList();
                        if (missing.Count > 0)
                        {
                            if (!program.Variants.Any(v => v.Target == def))
                                bag.Report(DiagnosticCatalogue.MissingDefault, def.File.Path, def.Syntax.NameSpan, def.Name, string.Join(", ", missing));
                            continue;
                        }
                        var r = reuse.Remember(bag, () => Analyzed(Elaborate(program, def, def.Name, null, new Dictionary<string, (Value, TextSpan, string)>(), null, bag, budget), bag));
                        if (r != null) reports.Add(r);
                    }
                    foreach (var variant in program.Variants)
                    {
                        if (!budget.TryCharge(WorkKind.Variants))
                        {
                            bag.Report(DiagnosticCatalogue.TooLarge, variant.File.Path, variant.Syntax.Span, WorkBudget.ExceededMessage(WorkKind.Variants));
                            break;
                        }
                        var args = variant.Target == null ? null : VariantArguments(program, variant, bag, budget);
                        var r = args == null ? null : reuse.Find(variant.Target!, args, variant.Name, variant.Syntax.Reference)
                            ?? reuse.Remember(bag, () => Analyzed(Elaborate(program, variant.Target!, variant.Name, variant.Syntax.Reference, args, null, bag, budget, variant), bag));
                        if (r != null && variant.Syntax.Data != null)
                            r = r with { Summary = r.Summary with { Data = Analysis.DataConfigs.Evaluate(program, variant, r.Summary.Input, bag, budget) } };
                        if (r != null) reports.Add(r);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                bag.Report(DiagnosticCatalogue.InternalError, file?.Path ?? "", new TextSpan(0, 0), ex.GetType().Name + ": " + ex.Message);
            }
            return new AnalysisResult(Place(bag, program, file), program, reports.ToImmutable()) { Budget = budget };
        }

        /// <summary>Analyses one network or variant of a file with some arguments replaced and, optionally, another
        /// input size (channels, height, width). Arguments are .NET values: long/int, double, bool, string,
        /// arrays of those, or a block's name (string) for a block parameter.</summary>
        public static (NetworkReport? Report, ImmutableArray<ArchDiagnostic> Diagnostics) AnalyzeNetwork(
            SourceFile file, IImportResolver imports, string name,
            IReadOnlyDictionary<string, object>? arguments = null, (long C, long H, long W)? input = null,
            CancellationToken cancellationToken = default)
        {
            var bag = new DiagnosticBag();
            BoundProgram? program = null;
            NetworkReport? report = null;
            try
            {
                program = Binder.Bind(file, imports ?? NoImports.Instance, bag, cancellationToken);
                if (bag.ErrorCount == 0) report = Analyzed(ElaborateBound(program, file.Path, name, arguments, input, bag, new WorkBudget(cancellationToken)), bag);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                bag.Report(DiagnosticCatalogue.InternalError, file?.Path ?? "", new TextSpan(0, 0), ex.GetType().Name + ": " + ex.Message);
            }
            return (report, Place(bag, program, file));
        }

        /// <summary>As <see cref="AnalyzeNetwork(SourceFile, IImportResolver, string, IReadOnlyDictionary{string, object}?, (long C, long H, long W)?, CancellationToken)"/>
        /// on a program already bound without errors (by <see cref="Analyze"/>), so callers that elaborate one network at
        /// many sizes bind the file once. Returns null where the network does not elaborate; never throws.</summary>
        public static NetworkReport? AnalyzeNetwork(BoundProgram program, string name,
            IReadOnlyDictionary<string, object>? arguments = null, (long C, long H, long W)? input = null,
            CancellationToken cancellationToken = default) => AnalyzeNetwork(program, name, arguments, input, new WorkBudget(cancellationToken));

        /// <summary>As above, spending from <paramref name="budget"/> (an <see cref="AnalysisResult.Budget"/>: the file's).</summary>
        public static NetworkReport? AnalyzeNetwork(BoundProgram program, string name,
            IReadOnlyDictionary<string, object>? arguments, (long C, long H, long W)? input, WorkBudget budget)
        {
            var cancellationToken = budget.Cancellation;
            try
            {
                var bag = new DiagnosticBag();
                return Analyzed(ElaborateBound(program, program.Files.FirstOrDefault()?.Path ?? "", name, arguments, input, bag, budget), bag);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>Whether a network or variant of a program bound without errors elaborates (its shapes check) at
        /// another input size: <see cref="AnalyzeNetwork(BoundProgram, string, IReadOnlyDictionary{string, object}?, (long C, long H, long W)?, CancellationToken)"/>
        /// without the cost analysis, for callers that only probe sizes. Never throws.</summary>
        public static bool Elaborates(BoundProgram program, string name, (long C, long H, long W) input, CancellationToken cancellationToken = default) =>
            Elaborates(program, name, input, new WorkBudget(cancellationToken));

        /// <summary>As above, spending from <paramref name="budget"/> (an <see cref="AnalysisResult.Budget"/>: the file's).</summary>
        public static bool Elaborates(BoundProgram program, string name, (long C, long H, long W) input, WorkBudget budget)
        {
            var cancellationToken = budget.Cancellation;
            try
            {
                return ElaborateBound(program, program.Files.FirstOrDefault()?.Path ?? "", name, null, input, new DiagnosticBag(), budget) != null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception)
            {
                return false;
            }
        }

        private static NetworkReport? Analyzed(ElaboratedNetwork? network, DiagnosticBag bag) => network == null ? null : NetworkAnalyzer.Analyze(network, bag);

        private static ElaboratedNetwork? ElaborateBound(BoundProgram program, string path, string name,
            IReadOnlyDictionary<string, object>? arguments, (long C, long H, long W)? input, DiagnosticBag bag, WorkBudget budget)
        {
            var overrides = new Dictionary<string, (Value, TextSpan, string)>(StringComparer.Ordinal);
            foreach (var a in arguments ?? new Dictionary<string, object>())
            {
                var v = FromObject(a.Value, program);
                if (v == null)
                    bag.Report(DiagnosticCatalogue.TypeMismatch, path, new TextSpan(0, 0), "Argument '" + a.Key + "' has an unsupported value");
                else overrides[a.Key] = (v, new TextSpan(0, 0), path);
            }
            Feature? inputFeature = input == null ? null : new Feature(input.Value.C, input.Value.H, input.Value.W, false, 1, 1);
            var variant = program.Variants.FirstOrDefault(v => v.Name == name);
            if (variant != null) return ElaborateVariant(program, variant, overrides, inputFeature, bag, budget);
            if (program.Definitions.TryGetValue(name, out var def) && def.IsNetwork)
                return Elaborate(program, def, def.Name, null, overrides, inputFeature, bag, budget);
            bag.Report(DiagnosticCatalogue.UnknownCallee, path, new TextSpan(0, 0), name);
            return null;
        }

        private static ElaboratedNetwork? ElaborateVariant(BoundProgram program, VariantSymbol variant,
            Dictionary<string, (Value, TextSpan, string)>? overrides, Feature? input, DiagnosticBag bag, WorkBudget budget)
        {
            if (variant.Target == null) return null;
            var args = VariantArguments(program, variant, bag, budget);
            if (args == null) return null;
            if (overrides != null) foreach (var o in overrides) args[o.Key] = o.Value;
            return Elaborate(program, variant.Target, variant.Name, variant.Syntax.Reference, args, input, bag, budget, variant);
        }

        /// <summary>The values of a variant's own arguments, each with its place; null after an error.</summary>
        private static Dictionary<string, (Value, TextSpan, string)>? VariantArguments(BoundProgram program, VariantSymbol variant, DiagnosticBag bag, WorkBudget budget)
        {
            var args = new Dictionary<string, (Value, TextSpan, string)>(StringComparer.Ordinal);
            foreach (var (parameter, value) in variant.FixedArguments)
            {
                var v = Elaborator.EvaluateConstant(program, value, variant.File, bag, budget);
                if (v == null) return null;
                args[parameter.Name] = (v, value.Span, variant.File.Path);
            }
            return args;
        }

        private static ElaboratedNetwork? Elaborate(BoundProgram program, DefinitionSymbol network, string name, string? reference,
            Dictionary<string, (Value, TextSpan, string)> args, Feature? input, DiagnosticBag bag, WorkBudget budget, VariantSymbol? variant = null)
        {
            return Elaborator.Elaborate(program, network, name, reference,
                args.ToDictionary(a => a.Key, a => (a.Value.Item1, a.Value.Item2, a.Value.Item3)), input, bag, budget, variant);
        }

        private static Value? FromObject(object? o, BoundProgram program)
        {
            switch (o)
            {
                case null: return null;
                case Value v: return v;
                case int i: return new IntValue(i);
                case long l: return new IntValue(l);
                case double d: return new FloatValue(d);
                case float f: return new FloatValue(f);
                case bool b: return new BoolValue(b);
                case string s:
                    return program.Definitions.TryGetValue(s, out var def) && !def.IsNetwork ? new BlockValue(def) : (Value)new StringValue(s);
                case System.Collections.IEnumerable e:
                {
                    var items = new List<Value>();
                    foreach (var item in e)
                    {
                        var v = FromObject(item, program);
                        if (v == null) return null;
                        items.Add(v);
                    }
                    return new ListValue(items.ToImmutableArray());
                }
            }
            return null;
        }

        private static ImmutableArray<ArchDiagnostic> Place(DiagnosticBag bag, BoundProgram? program, SourceFile? file)
        {
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            if (program != null) foreach (var f in program.Files) texts[f.Path] = f.Text;
            if (file != null && !texts.ContainsKey(file.Path ?? "")) texts[file.Path ?? ""] = file.Text ?? "";
            return bag.ToDiagnostics(texts);
        }
    }
}
