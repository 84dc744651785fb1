using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>A generated C# file: a hint name unique within the compilation and its text.</summary>
    public sealed record GeneratedSource(string HintName, string Text);

    public sealed record EmitOptions(string Namespace);

    /// <summary>What one file compiles to: its sources, its diagnostics, and its networks' entries in the project's registry.</summary>
    public sealed record EmitResult(ImmutableArray<GeneratedSource> Sources, ImmutableArray<ArchDiagnostic> Diagnostics,
        ImmutableArray<ModelEntry> Models = default);

    /// <summary>Turns one .arch file (with its imports) into C#: a class per block, network and variant, and an
    /// enum of the blocks a block-valued parameter can take. Deterministic, invariant culture. Never throws.</summary>
    public static class CSharpEmitter
    {
        public static EmitResult Emit(SourceFile file, IImportResolver imports, EmitOptions options, CancellationToken cancellationToken = default)
        {
            var analysis = ArchFrontEnd.Analyze(file, imports, cancellationToken);
            if (analysis.HasErrors || analysis.Program == null)
                return new EmitResult(ImmutableArray<GeneratedSource>.Empty, analysis.Diagnostics);
            var bag = new DiagnosticBag();
            var sources = ImmutableArray.CreateBuilder<GeneratedSource>();
            var models = ImmutableArray.CreateBuilder<ModelEntry>();
            try
            {
                Generate(file, imports, options, analysis, bag, sources, models, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                bag.Report(DiagnosticCatalogue.InternalError, file.Path, new TextSpan(0, 0), "emitter: " + ex.GetType().Name + ": " + ex.Message);
            }
            var texts = analysis.Program.Files.ToDictionary(f => f.Path, f => f.Text);
            var extra = bag.ToDiagnostics(texts);
            var all = analysis.Diagnostics.AddRange(extra);
            if (extra.Any(d => d.Severity == ArchSeverity.Error)) return new EmitResult(ImmutableArray<GeneratedSource>.Empty, all);
            return new EmitResult(sources.ToImmutable(), all, models.ToImmutable());
        }

        private static string Stem(string path) => Naming.FileStem(path);

        internal static string NamespaceName(string ns)
        {
            var parts = (ns ?? "").Split('.').Where(p => p.Length > 0).Select(Naming.Identifier).ToList();
            return parts.Count == 0 ? "ArchDsl.Generated" : string.Join(".", parts);
        }

        private static void Generate(SourceFile file, IImportResolver imports, EmitOptions options, AnalysisResult analysis, DiagnosticBag bag,
            ImmutableArray<GeneratedSource>.Builder sources, ImmutableArray<ModelEntry>.Builder models, CancellationToken ct)
        {
            var program = analysis.Program!;
            var stem = Stem(file.Path);
            var blocksEnum = Naming.Pascal(stem) + "Blocks";
            var ns = NamespaceName(options?.Namespace ?? "");
            var expr = new ExpressionEmitter(program, blocksEnum, ns);
            var reports = analysis.Reports.ToDictionary(r => r.Summary.Name, StringComparer.Ordinal);
            if (!NamesAreFree(file, program, ns, blocksEnum, bag)) return;
            if (!TablesAreAffordable(program, reports, analysis.Budget, bag)) return;
            var inPlace = InPlaceSites.Of(analysis.Reports.Select(r => r.Network));

            var blocks = program.Definitions.Values.Where(d => !d.IsNetwork).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
            if (blocks.Count > 0)
            {
                var w = new IndentedWriter(1);
                w.Line("/// <summary>The blocks of " + Naming.Xml(stem) + ".arch, for block-valued parameters.</summary>");
                w.Open("public enum " + blocksEnum);
                foreach (var b in blocks) w.Line(Naming.Identifier(b.Name) + ",");
                w.Close();
                sources.Add(new GeneratedSource(stem + "." + blocksEnum + ".g.cs", Wrap(ns, file.Path, w.ToString(), blocksEnum)));
            }

            var lines = new SourceLines();
            bool slimmable = ModuleEmitter.HasSlimmableNetwork(program);
            foreach (var def in program.LocalDefinitions.OrderBy(d => d.Syntax.Span.Start))
            {
                ct.ThrowIfCancellationRequested();
                var name = ClassEmitter.TypeName(def.Name);
                var emitter = new ModuleEmitter(expr, program, name, def.File.Path, bag, ClassEmitter.ReservedMembers, inPlace) { AllowsAuxOutputs = def.IsNetwork, IsSlimmableFile = slimmable };
                var scope = new CsScope(null);
                var parameters = emitter.Parameters(def.Parameters.Select(p => (p.Name, p.Type, p.Syntax.Default)), scope);
                var statements = (def.IsNetwork ? def.Syntax.Body.Statements.Skip(1) : def.Syntax.Body.Statements).ToList();
                reports.TryGetValue(def.Name, out var report);
                var firstVariant = program.Variants.FirstOrDefault(v => v.Target == def);
                var basis = report ?? (firstVariant != null && reports.TryGetValue(firstVariant.Name, out var vr) ? vr : null);
                // A network with named outputs returns them all from one forward: no head is split off.
                var (headStart, classifier) = def.IsNetwork && !statements.OfType<OutputStmt>().Any() ? BackbonePlan.Head(program, statements, basis) : (-1, null);
                var (ctor, fwd, headFwd) = emitter.NetworkBody(statements, scope, "shape", headStart);
                var line = lines.LineOf(def.File, def.Syntax.Span.Start);
                var doc = Naming.Xml((def.IsNetwork ? "Network " : "Block ") + def.Name + (def.Syntax.Documentation != null ? ": " + def.Syntax.Documentation : "") + " (" + def.File.Path + ", line " + line + ")");
                long upfront = Upfront(report);
                if (!Spend(analysis.Budget, upfront, bag, def.File.Path, def.Syntax.NameSpan)) return;
                ClassEmitter.Guard? guard = null;
                string? inputShape = null;
                var ctorParams = parameters.Select(p => p.Declaration).ToList();
                List<string>? extra = null;
                if (def.IsNetwork)
                {
                    var input = def.Syntax.Body.Statements.OfType<InputStmt>().First();
                    inputShape = "new FeatureShape(" + string.Join(", ", input.Dimensions.Select(d => expr.EmitArgument(d, scope, "shape"))) + ")";
                    guard = GuardFor(program, def.Name, basis, analysis.Budget);
                    if (report != null) extra = ClassEmitter.MetadataMembers(report, hide: false);
                }
                else ctorParams.Insert(0, "FeatureShape input");
                var text = ClassEmitter.ModuleClass(name, "public", doc, ctorParams, parameters, ctor, fwd, emitter, guard, def.IsNetwork, inputShape, extra,
                    report != null ? ClassEmitter.DocTable(report.Summary) : null,
                    def.IsNetwork ? new ClassEmitter.Head(headFwd, classifier, report != null) : null);
                // The size probes above spend from the file's budget; where it ran out, their answers are not to be trusted.
                if (!Spend(analysis.Budget, text.Length - upfront, bag, def.File.Path, def.Syntax.NameSpan)) return;
                sources.Add(new GeneratedSource(stem + "." + name + ".g.cs", Wrap(def.IsNetwork ? ns : Naming.BlocksNamespace(ns, def.File.Path), def.File.Path, text, name)));
                if (def.IsNetwork && report != null)
                {
                    int index = def.Parameters.Select(p => p.Name).ToList().IndexOf("num_classes");
                    models.Add(Entry(report.Summary, name, ns, index >= 0 ? parameters[index].CsName : null));
                }
            }

            foreach (var variant in program.Variants)
            {
                if (variant.Target == null) continue;
                long upfront = Upfront(reports.TryGetValue(variant.Name, out var report) ? report : null);
                if (!Spend(analysis.Budget, upfront, bag, variant.File.Path, variant.Syntax.Span)) return;
                var text = Variant(variant, expr, reports, program, lines, out var numClasses);
                if (report != null) models.Add(Entry(report.Summary, ClassEmitter.TypeName(variant.Name), ns, numClasses));
                if (!Spend(analysis.Budget, text.Length - upfront, bag, variant.File.Path, variant.Syntax.Span)) return;
                sources.Add(new GeneratedSource(stem + "." + Naming.Identifier(variant.Name) + ".g.cs", Wrap(ns, variant.File.Path, text, ClassEmitter.TypeName(variant.Name))));
            }
        }

        /// <summary>A network's or variant's card in the project's registry.</summary>
        private static ModelEntry Entry(NetworkSummary s, string className, string ns, string? numClassesParameter) =>
            new ModelEntry(s.Name, "global::" + ns + "." + className, s.File, s.Reference, s.Params, s.Macs,
                string.Join(", ", s.Input.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L")), numClassesParameter)
            {
                Data = s.Data is { } d
                    ? "new DataConfig(new long[] { " + string.Join(", ", s.Input.Skip(1).Select(Naming.Long)) + " }, " + Naming.Long(d.Resize)
                        + ", new double[] { " + string.Join(", ", d.Mean.Select(Naming.Double)) + " }, new double[] { " + string.Join(", ", d.Std.Select(Naming.Double))
                        + " }, " + Naming.StringLiteral(d.Interpolation) + ")"
                    : null,
            };

        private static string Variant(VariantSymbol variant, ExpressionEmitter expr, Dictionary<string, Analysis.NetworkReport> reports, BoundProgram program, SourceLines lines,
            out string? numClassesParameter)
        {
            numClassesParameter = null;
            var target = variant.Target!;
            var name = ClassEmitter.TypeName(variant.Name);
            var names = ClassEmitter.LocalNames();
            var csNames = target.Parameters.ToDictionary(p => p.Name, p => names.Fresh(Naming.Camel(p.Name)));
            var ctorParams = new List<string>();
            var baseArgs = new List<string>();
            var emptyScope = new CsScope(null);
            bool optionalSeen = false;
            foreach (var p in target.Parameters)
            {
                var cs = csNames[p.Name];
                if (variant.ArgumentFor(p) is { } value)
                {
                    var emitted = p.Type.Kind == TypeKind.Int ? expr.EmitArgument(value, emptyScope, "shape") : expr.Emit(value, emptyScope, "shape", p.Type);
                    baseArgs.Add(cs + ": " + (p.Type.Kind == TypeKind.Block ? expr.BlockValueFor(target, value, emitted, emptyScope) : emitted));
                    continue;
                }
                if (p.Name == "num_classes") numClassesParameter = cs;
                // A network imported from another file takes that file's block enum.
                bool foreignBlock = p.Type.Kind == TypeKind.Block && expr.BlocksEnumOf(target) != expr.BlocksEnum;
                var type = foreignBlock ? expr.BlocksEnumOf(target) : expr.CsType(p.Type);
                var constant = p.Syntax.Default == null ? null
                    : foreignBlock ? (p.Syntax.Default is NameExpr dn ? type + "." + Naming.Identifier(dn.Name) : null)
                    : expr.Constant(p.Syntax.Default, p.Type);
                if (constant != null) { ctorParams.Add(type + " " + cs + " = " + constant); optionalSeen = true; }
                else if (p.Syntax.Default != null || optionalSeen) { ctorParams.Add(type + "? " + cs + " = null"); optionalSeen = true; }
                else ctorParams.Add(type + " " + cs);
                baseArgs.Add(cs + ": " + cs);
            }
            reports.TryGetValue(variant.Name, out var report);
            var line = lines.LineOf(variant.File, variant.Syntax.Span.Start);
            var w = new IndentedWriter(1);
            w.Line("/// <summary>" + Naming.Xml("Variant " + variant.Name + " of " + target.Name
                + (variant.Syntax.Reference != null ? ", mirroring torchvision's " + variant.Syntax.Reference : "")
                + (variant.Syntax.Documentation != null ? ": " + variant.Syntax.Documentation : "")
                + " (" + variant.File.Path + ", line " + line + ")") + "</summary>");
            if (report != null) w.Lines(ClassEmitter.DocTable(report.Summary), "/// ");
            w.Open("public partial class " + name + " : " + ClassEmitter.TypeName(target.Name));
            w.Line("public " + name + "(" + string.Join(", ", ctorParams) + ") : base(" + string.Join(", ", baseArgs) + ") { }");
            if (report != null)
            {
                bool hide = reports.ContainsKey(target.Name);
                foreach (var m in ClassEmitter.MetadataMembers(report, hide).Append(BackboneMembers.VariantTaps))
                {
                    w.Line();
                    w.Lines(m);
                }
            }
            w.Close();
            return w.ToString();
        }

        /// <summary>The smallest square input the network accepts at its defaults (or its first variant), and whether
        /// a flatten before a linear layer pins the size. Found by elaborating at twice the size and at the
        /// candidate the replayed shape arithmetic gives.</summary>
        private static ClassEmitter.Guard GuardFor(BoundProgram program, string network, Analysis.NetworkReport? declared, WorkBudget budget)
        {
            if (declared == null) return new ClassEmitter.Guard(network, 1, 1, false);
            var basis = declared.Summary.Name;
            long c = declared.Summary.Input[0], h = declared.Summary.Input[1], w = declared.Summary.Input[2];
            var bigger = ArchFrontEnd.AnalyzeNetwork(program, basis, null, (c, h * 2, w * 2), budget);
            bool exact = bigger == null || !bigger.StateDict.Select(s => s.Key + string.Join(",", s.Shape)).SequenceEqual(declared.StateDict.Select(s => s.Key + string.Join(",", s.Shape)));
            if (exact) return new ClassEmitter.Guard(network, h, w, true);
            bool Elaborates(long size) => ArchFrontEnd.Elaborates(program, basis, (c, size, size), budget);
            // The declared elaboration's arithmetic replayed at every size names the candidate; two elaborations confirm
            // it (it fits, one less does not). Only when they disagree (a network that reads its input size) is the
            // size bisected by elaborating.
            long candidate = Analysis.InputReplay.SmallestFit(declared.Network, Math.Max(h, w));
            if (Elaborates(candidate) && (candidate == 1 || !Elaborates(candidate - 1)))
                return new ClassEmitter.Guard(network, candidate, candidate, false);
            long smallest = Analysis.InputReplay.SmallestFit(Math.Max(h, w), Elaborates);
            return new ClassEmitter.Guard(network, smallest, smallest, false);
        }

        /// <summary>ARCH0028 for every name that the generated C# would see hidden or declared twice: a namespace part, or a
        /// network, block or variant class, named like a type the generated code refers to (<see cref="ClassEmitter.ReferencedNames"/>),
        /// like the blocks' namespace (<c>Blocks</c>) or like the file's block enum (<c>&lt;File&gt;Blocks</c>). Classes the
        /// file imports are checked by their own file.</summary>
        private static bool NamesAreFree(SourceFile file, BoundProgram program, string ns, string blocksEnum, DiagnosticBag bag)
        {
            int before = bag.ErrorCount;
            foreach (var part in ns.Split('.'))
                if (Array.IndexOf(ClassEmitter.ReferencedNames, part) >= 0)
                    bag.Report(DiagnosticCatalogue.GeneratedNameCollision, file.Path, new TextSpan(0, 0),
                        "The namespace '" + ns + "' has a part named '" + part + "', which would hide the type or namespace the generated code uses under that name; choose another namespace (ArchDslNamespace, or --namespace)");
            void Check(string archName, string path, TextSpan span, string what)
            {
                var cs = ClassEmitter.TypeName(archName);
                string? clash = Array.IndexOf(ClassEmitter.ReferencedNames, cs) >= 0 ? "the type '" + cs + "' the generated code uses"
                    : cs == "Blocks" ? "the namespace of the generated block classes"
                    : cs == blocksEnum ? "the generated enum of this file's blocks"
                    : null;
                if (clash != null)
                    bag.Report(DiagnosticCatalogue.GeneratedNameCollision, path, span,
                        "The " + what + " '" + archName + "' would become a C# class named like " + clash + "; rename it");
            }
            foreach (var def in program.LocalDefinitions)
                Check(def.Name, def.File.Path, def.Syntax.NameSpan, def.IsNetwork ? "network" : "block");
            foreach (var variant in program.Variants.Where(v => v.File.Path == file.Path))
                Check(variant.Name, variant.File.Path, variant.Syntax.NameSpan, "variant");
            return bag.ErrorCount == before;
        }

        /// <summary>Charges a class's text to the file's budget. False, with ARCH0023 at the declaration, when the budget
        /// ran out, here or in the size probes before it (whose answers then cannot be trusted).</summary>
        private static bool Spend(WorkBudget budget, long characters, DiagnosticBag bag, string path, TextSpan span)
        {
            var exhausted = budget.TryCharge(WorkKind.EmittedCharacters, Math.Max(0, characters)) ? budget.Exhausted : WorkKind.EmittedCharacters;
            if (exhausted == null) return true;
            bag.Report(DiagnosticCatalogue.TooLarge, path, span, WorkBudget.ExceededMessage(exhausted.Value));
            return false;
        }

        /// <summary>The layer rows of every class of the file, summed in the order the classes are written, against what
        /// is left of the budget: where they alone cannot be paid for, ARCH0023 at the first declaration past the budget,
        /// before any per-layer work (the in-place analysis, the body emitters) is done for a file that is refused anyway
        /// (a 200,000-layer network and a variant of it spent a second there first).</summary>
        private static bool TablesAreAffordable(BoundProgram program, Dictionary<string, Analysis.NetworkReport> reports, WorkBudget budget, DiagnosticBag bag)
        {
            long left = ReliabilityLimits.Limit(WorkKind.EmittedCharacters) - budget.Used(WorkKind.EmittedCharacters);
            var declarations = program.LocalDefinitions.OrderBy(d => d.Syntax.Span.Start).Select(d => (d.Name, d.File.Path, d.Syntax.NameSpan))
                .Concat(program.Variants.Where(v => v.Target != null).Select(v => (v.Name, v.File.Path, v.Syntax.Span)));
            long total = 0;
            foreach (var (name, path, span) in declarations)
            {
                total += Upfront(reports.TryGetValue(name, out var report) ? report : null);
                if (total <= left) continue;
                bag.Report(DiagnosticCatalogue.TooLarge, path, span, WorkBudget.ExceededMessage(WorkKind.EmittedCharacters));
                return false;
            }
            return true;
        }

        /// <summary>What a class's layer rows (doc table and metadata) cost before they are written: charged first, so
        /// that a table the budget cannot pay for is never built.</summary>
        private static long Upfront(Analysis.NetworkReport? report) =>
            report == null ? 0 : (long)report.Summary.Layers.Length * ReliabilityLimits.EmittedCharactersPerLayer;

        /// <summary>A generated file around <paramref name="body"/>, which declares the type <paramref name="typeName"/>. A
        /// name of lower-case letters only (a network called <c>net</c>) draws CS8981, an error under warnings-as-errors,
        /// for the generated file: that file, and only that one (the others stay as they were), disables it.</summary>
        private static string Wrap(string ns, string path, string body, string typeName)
        {
            var w = new IndentedWriter();
            w.Line("// <auto-generated>");
            w.Line("// Generated by ArchDsl from " + Naming.Xml(path).Replace("\\", "/") + ". Do not edit: change the .arch file instead.");
            w.Line("// </auto-generated>");
            w.Line("#nullable enable");
            w.Line("#pragma warning disable CS1591");
            if (typeName.All(ch => ch < 'A' || ch > 'Z')) w.Line("#pragma warning disable CS8981");
            w.Line();
            w.Line("namespace " + ns);
            w.Line("{");
            var text = w.ToString() + Imports + body + "}\n";
            return text;
        }

        /// <summary>The generated files' imports, written inside their namespace and from the global namespace: a simple
        /// name such as <c>Tensor</c> or <c>nn</c> is then found through them before any type of that name the user's
        /// project declares in an enclosing namespace (<c>MyApp.Tensor</c> around <c>MyApp.Networks</c>). Names declared
        /// in the generated namespace itself are the generator's own, checked against these (ARCH0028).</summary>
        internal const string Imports =
            "    using global::ArchDsl.Runtime;\n    using global::TorchSharp;\n    using static global::TorchSharp.torch;\n\n";
    }
}
