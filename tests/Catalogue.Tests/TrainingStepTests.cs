using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Every generated network trains: forward at its declared input, loss, backward, one SGD step,
/// every parameter receives a finite gradient (zero is legitimate: a saturated ReLU6 or a dead unit on a small
/// batch), and the step changes the weights.</summary>
public class TrainingStepTests
{
    /// <summary>Generated network classes; a network whose variants all derive from it is covered by them, and the
    /// variants in <see cref="CatalogueVariants.StaticOnly"/> are left to the static checks.</summary>
    public static IReadOnlyList<Type> Networks { get; } = FindNetworks();

    /// <summary>Above this many MACs a network runs in the slow trait (still run by CI).</summary>
    public const long SlowMacs = 4_000_000_000;

    public static TheoryData<string> Fast() => new(Networks.Where(t => Metadata(t).Macs < SlowMacs).Select(t => t.Name));
    public static TheoryData<string> Slow() => new(Networks.Where(t => Metadata(t).Macs >= SlowMacs).Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Fast))]
    public void One_SGD_step_reaches_every_parameter(string name) => TrainOneStep(name);

    [Theory]
    [MemberData(nameof(Slow))]
    [Trait("Category", "Slow")]
    public void One_SGD_step_reaches_every_parameter_large(string name) => TrainOneStep(name);

    [Fact]
    public void Catalogue_has_networks() => Assert.True(Networks.Count >= 10, $"only {Networks.Count} generated networks found");

    static void TrainOneStep(string name)
    {
        var type = Networks.Single(t => t.Name == name);
        var meta = Metadata(type);
        torch.manual_seed(0);
        using var model = Create(type);
        model.train();
        // Batch 2 so batch norm sees more than one value per channel; the largest networks use batch 1 to fit
        // in memory at their full resolution (their batch norms all follow spatial maps larger than 1x1).
        long batch = meta.Macs >= SlowMacs ? 1 : 2;
        var input = new long[] { batch }.Concat(meta.InputShape).ToArray();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(input);
        var outputs = Forward(model, x);
        Assert.NotEmpty(outputs);
        Assert.Equal(meta.OutputShape, outputs[0].shape.Skip(1).ToArray());
        var labels = torch.randint(0, meta.OutputShape[0], new long[] { batch }, dtype: ScalarType.Int64);
        Tensor loss = outputs.Select(o => o.dim() == 2 ? nn.functional.cross_entropy(o, labels) : o.square().mean())
            .Aggregate((a, b) => a + b);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var optimizer = torch.optim.SGD(model.parameters(), 0.01);
        optimizer.zero_grad();
        loss.backward();
        var missing = model.named_parameters()
            .Where(p => p.parameter.grad is null || !float.IsFinite(p.parameter.grad.abs().max().item<float>()))
            .Select(p => p.name).ToList();
        Assert.True(missing.Count == 0, $"{name}: no finite gradient for {string.Join(", ", missing.Take(10))}");
        optimizer.step();
        var moved = model.parameters().Zip(before).Count(p => !p.First.Equals(p.Second));
        Assert.True(moved > 0, $"{name}: the SGD step changed no parameter");
    }

    /// <summary>All outputs of a forward pass: one for plain networks, every head for auxiliary-output ones.</summary>
    internal static List<Tensor> Forward(nn.Module model, Tensor x)
    {
        // Networks with auxiliary heads expose them (training mode only) through forward_with_aux.
        var withAux = model.GetType().GetMethod("forward_with_aux", new[] { typeof(Tensor) });
        if (withAux != null) return Flatten(withAux.Invoke(model, new object[] { x })).ToList();
        if (model is nn.Module<Tensor, Tensor> single) return new List<Tensor> { single.call(x) };
        var call = model.GetType().GetMethods().First(m => m.Name == "call" && m.GetParameters().Length == 1);
        var result = call.Invoke(model, new object[] { x });
        return Flatten(result).ToList();
    }

    static IEnumerable<Tensor> Flatten(object? value)
    {
        switch (value)
        {
            case null: yield break;
            case Tensor t: yield return t; yield break;
            case System.Runtime.CompilerServices.ITuple tuple:
                for (int i = 0; i < tuple.Length; i++)
                    foreach (var t in Flatten(tuple[i])) yield return t;
                yield break;
            default:
                foreach (var p in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
                    foreach (var t in Flatten(p.PropertyType == typeof(Tensor) ? p.GetValue(value) : null)) yield return t;
                yield break;
        }
    }

    internal static NetworkMetadata Metadata(Type t) =>
        (NetworkMetadata)t.GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)!.GetValue(null)!;

    internal static nn.Module Create(Type type)
    {
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length)
            .First(c => c.GetParameters().All(p => p.IsOptional));
        var args = ctor.GetParameters().Select(_ => Type.Missing).ToArray();
        return (nn.Module)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture);
    }

    static IReadOnlyList<Type> FindNetworks()
    {
        var all = typeof(TrainingStepTests).Assembly.GetTypes()
            .Where(t => t.Namespace == "ArchDsl.Catalogue" && t.IsClass && !t.IsAbstract &&
                        t.GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly) != null)
            .ToList();
        var bases = all.Select(t => t.BaseType).Where(b => b != null).ToHashSet();
        return all.Where(t => !bases.Contains(t) && CatalogueVariants.Runs(t.Name)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }
}
