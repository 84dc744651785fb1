using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Testing;

namespace ArchDsl.Catalogue.Tests;

/// <summary>torchvision's reference figures (../shared/oracles): one row per constructor and input size.</summary>
public sealed record OracleRow(string Reference, long[] Input, long Params, long Buffers, long BufferElements, long StateDictKeys, long Macs);

public static class Oracle
{
    public static string Directory { get; } = Path.Combine(RepoPaths.Shared, "oracles");

    static readonly Lazy<IReadOnlyList<OracleRow>> rows = new(LoadRows);
    static readonly Lazy<IReadOnlyDictionary<string, (string Key, long[] Shape)[]>> keys = new(LoadKeys);

    public static IReadOnlyList<OracleRow> Rows => rows.Value;

    /// <summary>The row for a reference such as <c>mobilenet_v2(width_mult=0.5)</c> at input CxHxW.</summary>
    public static OracleRow? Find(string reference, IReadOnlyList<long> input) =>
        Rows.FirstOrDefault(r => r.Reference == reference && r.Input.SequenceEqual(input));

    /// <summary>State-dict entries (key, shape) in torchvision's order.</summary>
    public static (string Key, long[] Shape)[]? Keys(string reference) =>
        keys.Value.TryGetValue(reference, out var k) ? k : null;

    static IReadOnlyList<OracleRow> LoadRows()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, "torchvision.csv"));
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        var result = new List<OracleRow>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            if (f[Col("error")].Length > 0) continue;
            var kwargs = f[Col("kwargs")].Replace(";", ", ");
            var reference = f[Col("model")] + "(" + kwargs + ")";
            var input = f[Col("input")].Split('x').Skip(1).Select(long.Parse).ToArray();
            long L(string c) => long.Parse(f[Col(c)], CultureInfo.InvariantCulture);
            result.Add(new OracleRow(reference, input, L("params"), L("buffers"), L("buffer_elements"), L("state_dict_keys"), L("macs")));
        }
        return result;
    }

    static IReadOnlyDictionary<string, (string, long[])[]> LoadKeys()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "torchvision-keys.json")));
        var result = new Dictionary<string, (string, long[])[]>();
        foreach (var variant in doc.RootElement.EnumerateObject())
        {
            result[variant.Name] = variant.Value.EnumerateArray()
                .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
                .ToArray();
        }
        return result;
    }
}
