using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Commands;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace FastRnn.Cli.Plotting;

/// <summary>Training and validation loss per epoch as a PNG line chart, drawn with ScottPlot.</summary>
internal static class LossPlot
{
    private const int Width = 900;
    private const int Height = 540;

    /// <summary>Writes the chart to <paramref name="path"/> (atomically: a temporary file, then a rename).</summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The chart's title, e.g. the task and cell.</param>
    /// <param name="train">Mean training loss per epoch.</param>
    /// <param name="validation">Validation loss per epoch; empty for none.</param>
    public static void Write(string path, string title, IReadOnlyList<float> train, IReadOnlyList<float> validation)
    {
        byte[] png = Render(title, train, validation);
        CliPaths.WriteAtomically(path, png);
    }

    /// <summary>The chart as PNG bytes: a line with markers per series, epochs on integer ticks, the legend beside the data.</summary>
    public static byte[] Render(string title, IReadOnlyList<float> train, IReadOnlyList<float> validation)
    {
        using var plot = new Plot();
        AddSeries(plot, train, "train");
        AddSeries(plot, validation, "validation");
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Adds one series, epochs 1..n; non-finite losses (a diverged run) are left out.</summary>
    private static void AddSeries(Plot plot, IReadOnlyList<float> losses, string label)
    {
        var epochs = new List<double>(losses.Count);
        var values = new List<double>(losses.Count);
        for (int i = 0; i < losses.Count; i++)
        {
            if (float.IsFinite(losses[i]))
            {
                epochs.Add(i + 1);
                values.Add(losses[i]);
            }
        }

        if (epochs.Count == 0)
        {
            return;
        }

        ScottPlot.Plottables.Scatter series = plot.Add.Scatter(epochs, values);
        series.LegendText = label;
        series.LineWidth = 2;
        series.MarkerSize = 6;
    }
}
