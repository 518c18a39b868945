using System;
using System.IO;
using Spectre.Console;

namespace FastRnn.Cli.Output;

/// <summary>
/// Writes a Spectre.Console table: with rounded borders and colour on a terminal, and as plain
/// aligned text (<see cref="PlainTableBorder"/>), without ANSI escape codes or trailing spaces and
/// never wrapped, to files, pipes and other writers.
/// </summary>
internal static class ResultTable
{
    /// <summary>Wider than any table of the CLI, so redirected tables keep one line per row.</summary>
    private const int PlainWidth = 1000;

    /// <summary>Writes <paramref name="table"/> to <paramref name="output"/>, setting its border (and, for plain text, the padding of its outer columns).</summary>
    public static void Write(Table table, TextWriter output)
    {
        if (IsTerminal(output))
        {
            AnsiConsole.Write(table.RoundedBorder());
            return;
        }

        using var text = new StringWriter();
        IAnsiConsole plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        plain.Profile.Width = PlainWidth;
        table.Border = PlainTableBorder.Instance;
        table.Columns[0].PadLeft(0);
        table.Columns[^1].PadRight(0);
        plain.Write(table);
        foreach (string line in text.ToString().Split('\n'))
        {
            if (line.TrimEnd() is { Length: > 0 } trimmed)
            {
                output.WriteLine(trimmed);
            }
        }
    }

    /// <summary>Whether <paramref name="output"/> is the standard output and that is a terminal.</summary>
    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
}
