using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Dsl.Tests.Oracles
{
    /// <summary>The front end's parameters, buffers, MACs and state dict for every catalogue variant with a
    /// torchvision reference, compared with torchvision's own figures: equal to the unit, keys and shapes equal.</summary>
    public class TorchvisionParityTests
    {
        /// <summary>(file, variant) for the families this suite covers; every one must have a reference.</summary>
        public static IEnumerable<object[]> Variants()
        {
            foreach (var file in new[] { "resnet.arch", "mobilenet_v2.arch", "densenet.arch" })
            {
                var result = ArchFrontEnd.Analyze(TestFiles.Catalogue(file), new TestFiles.CatalogueImports());
                foreach (var v in result.Program!.Variants)
                    yield return new object[] { file, v.Name };
            }
        }

        /// <summary>Every oracle row of the covered families, including MobileNet V2 at 192/160/128.</summary>
        public static IEnumerable<object[]> OracleRows()
        {
            foreach (var row in Oracle.Rows.Where(r => r.Reference.StartsWith("resnet", StringComparison.Ordinal)
                || r.Reference.StartsWith("mobilenet_v2", StringComparison.Ordinal) || r.Reference.StartsWith("densenet", StringComparison.Ordinal)))
                yield return new object[] { row.Reference, string.Join("x", row.Input) };
        }

        private static (string File, string Variant) VariantFor(string reference)
        {
            foreach (var file in new[] { "resnet.arch", "mobilenet_v2.arch", "densenet.arch" })
            {
                var result = ArchFrontEnd.Analyze(TestFiles.Catalogue(file), new TestFiles.CatalogueImports());
                var v = result.Program!.Variants.FirstOrDefault(x => x.Syntax.Reference == reference);
                if (v != null) return (file, v.Name);
            }
            throw new Xunit.Sdk.XunitException("No catalogue variant mirrors " + reference);
        }

        [Theory]
        [MemberData(nameof(OracleRows))]
        public void Params_buffers_and_MACs_equal_torchvision(string reference, string input)
        {
            var dims = input.Split('x').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var row = Oracle.Rows.Single(r => r.Reference == reference && r.Input.SequenceEqual(dims));
            var (file, variant) = VariantFor(reference);
            var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(TestFiles.Catalogue(file), new TestFiles.CatalogueImports(), variant,
                input: (dims[0], dims[1], dims[2]));
            Assert.True(report != null, string.Join("\n", diagnostics));
            Assert.Equal(row.Params, report!.Summary.Params);
            Assert.Equal(row.Macs, report.Summary.Macs);
            Assert.Equal(row.Buffers, report.Summary.Buffers);
            Assert.Equal(row.BufferElements, report.BufferElements);
            Assert.Equal(row.StateDictKeys, report.StateDict.Length);
            Assert.Equal(new long[] { 1000 }, report.Summary.Output.ToArray());
        }

        [Theory]
        [MemberData(nameof(Variants))]
        public void State_dict_keys_and_shapes_equal_torchvision(string file, string variant)
        {
            var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(TestFiles.Catalogue(file), new TestFiles.CatalogueImports(), variant);
            Assert.True(report != null, string.Join("\n", diagnostics));
            var reference = report!.Summary.Reference;
            Assert.False(reference == null, variant + " has no reference");
            var expected = Oracle.Keys(reference!);
            Assert.False(expected == null, "torchvision-keys.json has no " + reference);
            var mine = report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape)).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var theirs = expected!.Select(s => s.Key + " " + string.Join("x", s.Shape)).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var missing = theirs.Except(mine).Take(10).ToList();
            var extra = mine.Except(theirs).Take(10).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                "missing: " + string.Join(", ", missing) + "\nunexpected: " + string.Join(", ", extra));
            Assert.Equal(theirs.Count, mine.Count);
        }

        [Theory]
        [MemberData(nameof(Variants))]
        public void Variant_file_has_no_diagnostics(string file, string variant)
        {
            var result = ArchFrontEnd.Analyze(TestFiles.Catalogue(file), new TestFiles.CatalogueImports());
            Assert.Empty(result.Diagnostics);
            Assert.Contains(result.Reports, r => r.Summary.Name == variant);
        }
    }
}
