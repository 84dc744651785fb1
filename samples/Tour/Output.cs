using System;
using Spectre.Console;

namespace ArchDsl.Tour;

/// <summary>Output that reads well both in a terminal (colour, live progress) and in a log file or CI job,
/// where Spectre.Console would otherwise wrap tables at 80 columns and live displays would print nothing useful.</summary>
public static class Output
{
    /// <summary>True when a person watches a terminal: live displays are worth drawing.</summary>
    public static bool Interactive { get; private set; }

    public static void Configure()
    {
        Interactive = AnsiConsole.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;
        if (Interactive) return;
        // A log: no escape codes, and lines as wide as the tables need rather than 80 columns.
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        AnsiConsole.Profile.Width = 160;
    }

    public static void Heading(string text)
    {
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(text)}[/]").LeftJustified());
    }

    /// <summary>A plain line, flushed at once so a log shows progress as it happens.</summary>
    public static void Line(string text)
    {
        AnsiConsole.MarkupLine(text);
        System.Console.Out.Flush();
    }

    public static string Count(long n) => n.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>1,234,567,890 as 1.23 G: MACs of the catalogue span five orders of magnitude.</summary>
    public static string Scaled(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " G",
        >= 1_000_000 => (n / 1e6).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>[3, 224, 224]; escape it before using it in markup.</summary>
    public static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
