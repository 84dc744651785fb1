using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ArchDsl.Testing
{
    /// <summary>One row of torchvision.csv: a constructor with kwargs (<c>mobilenet_v2(width_mult=0.5)</c>) at one
    /// input size, and torchvision 0.14.1's figures for it.</summary>
    public sealed record OracleRow(string Reference, long[] Input, long Params, long Buffers, long BufferElements, long StateDictKeys, long Macs);

    /// <summary>torchvision's reference figures, the truth the front end and the generated classes are checked
    /// against: $ARCHDSL_ORACLES, else ../shared/oracles beside the repository.</summary>
    public static class Oracle
    {
        public static string Directory { get; } = FindDirectory();

        private static readonly Lazy<IReadOnlyList<OracleRow>> rows = new Lazy<IReadOnlyList<OracleRow>>(LoadRows);
        private static readonly Lazy<IReadOnlyDictionary<string, (string Key, long[] Shape)[]>> keys =
            new Lazy<IReadOnlyDictionary<string, (string Key, long[] Shape)[]>>(LoadKeys);

        public static IReadOnlyList<OracleRow> Rows => rows.Value;

        /// <summary>The row for a reference at input CxHxW, or null.</summary>
        public static OracleRow? Find(string reference, IReadOnlyList<long> input) =>
            Rows.FirstOrDefault(r => r.Reference == reference && r.Input.SequenceEqual(input));

        /// <summary>State-dict entries (key, shape) in torchvision's order, or null.</summary>
        public static (string Key, long[] Shape)[]? Keys(string reference) =>
            keys.Value.TryGetValue(reference, out var k) ? k : null;

        private static string FindDirectory()
        {
            var env = Environment.GetEnvironmentVariable("ARCHDSL_ORACLES");
            return string.IsNullOrEmpty(env) ? Path.Combine(RepoPaths.Shared, "oracles") : env!;
        }

        private static IReadOnlyList<OracleRow> LoadRows()
        {
            var lines = File.ReadAllLines(Path.Combine(Directory, "torchvision.csv"));
            var header = lines[0].Split(',');
            int Col(string name) => Array.IndexOf(header, name);
            var result = new List<OracleRow>();
            foreach (var line in lines.Skip(1))
            {
                var f = line.Split(',');
                if (f.Length < header.Length || f[Col("error")].Length > 0) continue;
                var reference = f[Col("model")] + "(" + f[Col("kwargs")].Replace(";", ", ") + ")";
                var input = f[Col("input")].Split('x').Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                long L(string c) => long.Parse(f[Col(c)], CultureInfo.InvariantCulture);
                result.Add(new OracleRow(reference, input, L("params"), L("buffers"), L("buffer_elements"), L("state_dict_keys"), L("macs")));
            }
            return result;
        }

        private static IReadOnlyDictionary<string, (string Key, long[] Shape)[]> LoadKeys()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "torchvision-keys.json")));
            var result = new Dictionary<string, (string Key, long[] Shape)[]>(StringComparer.Ordinal);
            foreach (var variant in doc.RootElement.EnumerateObject())
                result[variant.Name] = variant.Value.EnumerateArray()
                    .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
                    .ToArray();
            return result;
        }
    }
}
