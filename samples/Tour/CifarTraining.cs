using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using ArchDsl.Catalogue;
using ArchDsl.Runtime;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Tour;

/// <summary>Trains CifarNet (cifar.arch) on CIFAR-sized images drawn from ten noisy class prototypes,
/// then saves the weights, loads them into a fresh instance and checks both give the same outputs.</summary>
public static class CifarTraining
{
    const int Classes = 10;
    const int Steps = 300;
    const int Batch = 64;
    const int LogEvery = 25;
    const double RequiredAccuracy = 0.9;

    /// <summary>Each class is a fixed colour cast plus a fixed random texture; a sample adds noise as strong
    /// as the texture, so a single pixel says little and the network has to pool evidence.</summary>
    sealed class SyntheticImages : IDisposable
    {
        readonly Tensor prototypes;

        public SyntheticImages()
        {
            using var colour = torch.randn(Classes, 3, 1, 1);
            using var texture = torch.randn(Classes, 3, 32, 32);
            prototypes = (colour * 0.5 + texture).DetachFromDisposeScope();
        }

        public (Tensor Images, Tensor Labels) Sample(long count)
        {
            var labels = torch.randint(Classes, new[] { count });
            var images = prototypes.index_select(0, labels) + torch.randn(count, 3, 32, 32);
            return (images, labels);
        }

        public void Dispose() => prototypes.Dispose();
    }

    public static bool Run(string weightsPath)
    {
        using var data = new SyntheticImages();
        var (testImages, testLabels) = data.Sample(1000);
        using var _t = testImages;
        using var _l = testLabels;

        using var model = new CifarNet();
        AnsiConsole.MarkupLine($"CifarNet: {Output.Count(CifarNet.ParameterCount)} parameters, {Output.Scaled(CifarNet.MultiplyAccumulates)} MACs per image, input {Markup.Escape(Output.Shape(CifarNet.Metadata.InputShape))}; "
            + $"{Steps} steps of SGD, batch {Batch}. Before training: test accuracy {Percent(Accuracy(model, testImages, testLabels))}.");

        var clock = Stopwatch.StartNew();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        if (Output.Interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: Steps);
                    Train(model, optimizer, data, (step, loss, accuracy) =>
                    {
                        task.Description = $"step {step,3}/{Steps}  loss {loss:0.000}  batch accuracy {Percent(accuracy)}";
                        task.Increment(1);
                        if (step % LogEvery == 0) ctx.Refresh();
                    });
                });
        }
        else
        {
            Train(model, optimizer, data, (step, loss, accuracy) =>
            {
                if (step % LogEvery == 0 || step == 1)
                    Output.Line($"step {step,3}/{Steps}  loss {loss.ToString("0.000", CultureInfo.InvariantCulture)}  batch accuracy {Percent(accuracy)}");
            });
        }

        var testAccuracy = Accuracy(model, testImages, testLabels);
        var trained = testAccuracy >= RequiredAccuracy;
        AnsiConsole.MarkupLine($"Trained in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s: test accuracy on 1000 held-out images {Percent(testAccuracy)} "
            + (trained ? "[green](ok)[/]" : $"[red](below {Percent(RequiredAccuracy)})[/]"));

        return trained & SaveAndReload(model, weightsPath, testImages);
    }

    static void Train(CifarNet model, torch.optim.Optimizer optimizer, SyntheticImages data, Action<int, double, double> report)
    {
        model.train();
        for (int step = 1; step <= Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (images, labels) = data.Sample(Batch);
            var logits = model.call(images);
            var loss = nn.functional.cross_entropy(logits, labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            var correct = logits.argmax(1).eq(labels).sum().item<long>();
            report(step, loss.item<float>(), (double)correct / Batch);
        }
    }

    static double Accuracy(CifarNet model, Tensor images, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var correct = model.call(images).argmax(1).eq(labels).sum().item<long>();
        return (double)correct / labels.shape[0];
    }

    /// <summary>The round trip a user makes between runs: TorchSharp's weight format, loaded strictly.</summary>
    static bool SaveAndReload(CifarNet model, string path, Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        model.SaveWeights(path);
        var expected = model.call(images);

        using var fresh = new CifarNet();
        fresh.eval();
        var before = (fresh.call(images) - expected).abs().max().item<float>();
        fresh.LoadWeights(path);
        var after = (fresh.call(images) - expected).abs().max().item<float>();

        var ok = after == 0f;
        AnsiConsole.MarkupLine($"Saved {Markup.Escape(path)} ({Output.Count(new FileInfo(path).Length)} bytes). A fresh CifarNet differs by up to {before.ToString("0.000", CultureInfo.InvariantCulture)}; "
            + $"after loading, by {(after == 0f ? "0" : after.ToString("0.###E+0", CultureInfo.InvariantCulture))} "
            + (ok ? "[green](identical outputs)[/]" : "[red](outputs differ)[/]"));
        return ok;
    }

    static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
