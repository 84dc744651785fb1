using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ArchDsl.Dsl.Tests.Support
{
    /// <summary>One row of torchvision.csv: a constructor with kwargs at one input size.</summary>
    public sealed record OracleFigures(string Reference, long[] Input, long Params, long Buffers, long BufferElements, long StateDictKeys, long Macs)
    {
        /// <summary>The kwargs as name/value pairs (<c>width_mult=0.5</c>).</summary>
        public IReadOnlyDictionary<string, string> Kwargs()
        {
            int open = Reference.IndexOf('(');
            var inner = Reference.Substring(open + 1, Reference.Length - open - 2);
            return inner.Split(new[] { ", " }, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('='))
                .ToDictionary(p => p[0], p => p[1]);
        }
    }

    /// <summary>torchvision 0.14.1's reference figures (the truth the front end is checked against).</summary>
    public static class TorchvisionOracle
    {
        private static readonly Lazy<List<OracleFigures>> rows = new Lazy<List<OracleFigures>>(LoadRows);
        private static readonly Lazy<Dictionary<string, List<(string Key, long[] Shape)>>> keys = new Lazy<Dictionary<string, List<(string, long[])>>>(LoadKeys);

        public static IReadOnlyList<OracleFigures> Rows => rows.Value;

        public static IReadOnlyList<(string Key, long[] Shape)>? StateDict(string reference) =>
            keys.Value.TryGetValue(reference, out var list) ? list : null;

        private static List<OracleFigures> LoadRows()
        {
            var lines = File.ReadAllLines(Path.Combine(TestFiles.Oracles, "torchvision.csv"));
            var header = lines[0].Split(',');
            int Col(string name) => Array.IndexOf(header, name);
            var result = new List<OracleFigures>();
            foreach (var line in lines.Skip(1))
            {
                var f = line.Split(',');
                if (f.Length < header.Length || f[Col("error")].Length > 0) continue;
                var reference = f[Col("model")] + "(" + f[Col("kwargs")].Replace(";", ", ") + ")";
                var input = f[Col("input")].Split('x').Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                long L(string c) => long.Parse(f[Col(c)], CultureInfo.InvariantCulture);
                result.Add(new OracleFigures(reference, input, L("params"), L("buffers"), L("buffer_elements"), L("state_dict_keys"), L("macs")));
            }
            return result;
        }

        private static Dictionary<string, List<(string, long[])>> LoadKeys()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestFiles.Oracles, "torchvision-keys.json")));
            var result = new Dictionary<string, List<(string, long[])>>(StringComparer.Ordinal);
            foreach (var variant in doc.RootElement.EnumerateObject())
                result[variant.Name] = variant.Value.EnumerateArray()
                    .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
                    .ToList();
            return result;
        }
    }
}
