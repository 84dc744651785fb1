using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using ArchDsl.Runtime;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Tour;

/// <summary>One generated network class and the static facts the front end computed for it.</summary>
public sealed record Network(Type Type, NetworkMetadata Metadata)
{
    public string Name => Metadata.Name;
}

/// <summary>The catalogue as a user's program sees it: classes in ArchDsl.Catalogue with a static Metadata
/// table. Found by reflection, so a new .arch file in architectures/ shows up without editing this sample.</summary>
public static class CatalogueTour
{
    public static IReadOnlyList<Network> Discover(Type exclude)
    {
        var found = typeof(CatalogueTour).Assembly.GetTypes()
            .Where(t => t.Namespace == "ArchDsl.Catalogue" && t.IsClass && !t.IsAbstract && t != exclude)
            .Select(t => (Type: t, Property: t.GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)))
            .Where(x => x.Property?.PropertyType == typeof(NetworkMetadata))
            .Select(x => new Network(x.Type, (NetworkMetadata)x.Property!.GetValue(null)!))
            .ToList();
        // A network whose defaults equal one of its variants (ResNet is ResNet50) is shown once, as the variant.
        return found
            .Where(n => !found.Any(v => v.Type.BaseType == n.Type && SameNetwork(v.Metadata, n.Metadata)))
            .OrderBy(n => System.IO.Path.GetFileName(n.Metadata.SourceFile), StringComparer.Ordinal)
            .ThenBy(n => n.Metadata.Params)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
    }

    static bool SameNetwork(NetworkMetadata a, NetworkMetadata b) =>
        a.Params == b.Params && a.Macs == b.Macs && a.InputShape.SequenceEqual(b.InputShape) && a.OutputShape.SequenceEqual(b.OutputShape);

    public static void PrintTable(IReadOnlyList<Network> networks)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("network").AddColumn("file")
            .AddColumn(new TableColumn("input").RightAligned()).AddColumn(new TableColumn("output").RightAligned())
            .AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned())
            .AddColumn("mirrors");
        foreach (var n in networks)
        {
            var m = n.Metadata;
            table.AddRow(
                Markup.Escape(n.Name), Markup.Escape(System.IO.Path.GetFileName(m.SourceFile)),
                Markup.Escape(Output.Shape(m.InputShape)), Markup.Escape(Output.Shape(m.OutputShape)),
                Output.Count(m.Params), Output.Scaled(m.Macs),
                Markup.Escape(m.Reference ?? "-"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{networks.Count} networks. MACs are conv + linear multiply-adds for one sample (FLOPs = 2 x MACs), computed by the compiler: nothing was built or run.");
    }

    sealed record Outcome(Network Network, double BuildSeconds, double ForwardSeconds, long[]? Shape, string? Error)
    {
        public bool Ok => Error == null;
    }

    /// <summary>Builds every network with its default arguments, runs one random image of its declared input
    /// through it in eval mode, and checks the output shape against the statically inferred one.</summary>
    public static bool RunAll(IReadOnlyList<Network> networks)
    {
        var outcomes = new List<Outcome>();
        if (Output.Interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                         new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("forward passes", maxValue: networks.Count);
                    foreach (var n in networks)
                    {
                        task.Description = $"{outcomes.Count + 1}/{networks.Count} {Markup.Escape(n.Name)}";
                        outcomes.Add(RunOne(n));
                        task.Increment(1);
                    }
                    task.Description = "forward passes";
                });
        }
        else
        {
            var width = networks.Max(n => n.Name.Length);
            foreach (var n in networks)
            {
                var o = RunOne(n);
                outcomes.Add(o);
                var position = $"[{outcomes.Count.ToString(CultureInfo.InvariantCulture).PadLeft(networks.Count.ToString(CultureInfo.InvariantCulture).Length)}/{networks.Count}]";
                Output.Line(Markup.Escape($"{position} {n.Name.PadRight(width)}  ") + Describe(o));
            }
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("network").AddColumn(new TableColumn("build").RightAligned())
            .AddColumn(new TableColumn("forward").RightAligned()).AddColumn(new TableColumn("output").RightAligned())
            .AddColumn("static shape");
        foreach (var o in outcomes)
            table.AddRow(Markup.Escape(o.Network.Name), Seconds(o.BuildSeconds), Seconds(o.ForwardSeconds),
                o.Shape == null ? "-" : Markup.Escape(Output.Shape(o.Shape)), o.Ok ? "[green]agrees[/]" : "[red]" + Markup.Escape(o.Error!) + "[/]");
        AnsiConsole.Write(table);
        var failed = outcomes.Count(o => !o.Ok);
        AnsiConsole.MarkupLine(failed == 0
            ? $"[green]{outcomes.Count} networks ran; every output shape agrees with the compiler's.[/]"
            : $"[red]{failed} of {outcomes.Count} networks failed.[/]");
        return failed == 0;
    }

    static string Describe(Outcome o) => o.Ok
        ? $"{Markup.Escape(Output.Shape(o.Shape!))}  build {Seconds(o.BuildSeconds)}  forward {Seconds(o.ForwardSeconds)}  [green]ok[/]"
        : $"[red]{Markup.Escape(o.Error!)}[/]";

    static string Seconds(double s) => s.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    static Outcome RunOne(Network n)
    {
        var clock = Stopwatch.StartNew();
        double build = 0;
        try
        {
            using var scope = torch.NewDisposeScope();
            using var model = Create(n.Type);
            build = clock.Elapsed.TotalSeconds;
            clock.Restart();
            model.eval();
            using var noGrad = torch.no_grad();
            var input = torch.randn(new long[] { 1 }.Concat(n.Metadata.InputShape).ToArray());
            var outputs = Forward(model, input);
            var forward = clock.Elapsed.TotalSeconds;
            var shape = outputs[0].shape.Skip(1).ToArray();
            var expected = n.Metadata.OutputShape;
            var error = shape.SequenceEqual(expected) ? null
                : $"output {Output.Shape(shape)}, compiler said {Output.Shape(expected)}";
            return new Outcome(n, build, forward, shape, error);
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            return new Outcome(n, build, clock.Elapsed.TotalSeconds, null, inner.GetType().Name + ": " + inner.Message);
        }
    }

    /// <summary>The class built with every constructor argument at its default, as `new ResNet50()` would.</summary>
    static nn.Module Create(Type type)
    {
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length)
            .FirstOrDefault(c => c.GetParameters().All(p => p.IsOptional))
            ?? throw new InvalidOperationException("no constructor with every argument defaulted");
        var args = ctor.GetParameters().Select(_ => Type.Missing).ToArray();
        return (nn.Module)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture);
    }

    /// <summary>Single-output networks are Module&lt;Tensor, Tensor&gt;; others (auxiliary heads) return a tuple.</summary>
    static Tensor[] Forward(nn.Module model, Tensor input)
    {
        if (model is nn.Module<Tensor, Tensor> single) return new[] { single.call(input) };
        var call = model.GetType().GetMethod("call", new[] { typeof(Tensor) })
            ?? throw new InvalidOperationException($"{model.GetType().Name} has no call(Tensor)");
        return Tensors(call.Invoke(model, new object[] { input })).ToArray();
    }

    static IEnumerable<Tensor> Tensors(object? value) => value switch
    {
        Tensor t => new[] { t },
        ITuple tuple => Enumerable.Range(0, tuple.Length).SelectMany(i => Tensors(tuple[i])),
        IEnumerable items => items.Cast<object?>().SelectMany(Tensors),
        _ => Array.Empty<Tensor>(),
    };
}
