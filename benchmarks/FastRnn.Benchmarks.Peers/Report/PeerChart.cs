using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>
/// peers.png: per workload, each peer's time and the bound relative to FastRnn's time, on a log
/// scale centred on FastRnn (1): a bar to the right is a peer slower than FastRnn by that factor,
/// the bound's bar to the left is how far FastRnn is from this core's limit.
/// </summary>
internal static class PeerChart
{
    private static readonly (string Name, Color Color)[] Series =
    [
        ("ONNX Runtime", Colors.SteelBlue),
        ("torch cell", Colors.Orange),
        ("torch layer", Colors.Peru),
        ("bound", Colors.Gray),
    ];

    public static void Write(string path, IReadOnlyList<WorkloadResult> results, string cpu)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var positions = new List<double>();
        var labels = new List<string>();
        const double slot = 1.0 / 5;
        for (int i = 0; i < results.Count; i++)
        {
            WorkloadResult r = results[results.Count - 1 - i]; // first workload at the top
            double centre = i;
            positions.Add(centre);
            labels.Add($"{r.Group} {r.Label}");
            if (r.FastRnnNs is not double ours)
            {
                continue;
            }

            for (int s = 0; s < Series.Length; s++)
            {
                double? other = Series[s].Name == "bound" ? r.BoundNs : r.Peers.FirstOrDefault(p => p.Name == Series[s].Name)?.Ns;
                if (other is double t)
                {
                    bars.Add(new Bar
                    {
                        Position = centre + ((s - 1.5) * slot),
                        ValueBase = 0,
                        Value = Math.Log2(t / ours),
                        Size = slot * 0.9,
                        FillColor = Series[s].Color,
                        LineWidth = 0,
                    });
                }
            }
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        plot.Add.VerticalLine(0, 2, Colors.Black);
        plot.Axes.Left.SetTicks([.. positions], [.. labels]);
        double[] ticks = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6];
        plot.Axes.Bottom.SetTicks(ticks, [.. ticks.Select(Factor)]);
        plot.Axes.SetLimitsX(-3.2, Math.Max(3, bars.Count == 0 ? 3 : bars.Max(b => b.Value) + 0.3));
        plot.Axes.SetLimitsY(-0.7, results.Count - 0.3);
        plot.Title($"FastRnn vs ONNX Runtime, libtorch and this core's bound ({cpu}, 1 thread unless stated)");
        plot.XLabel("time ÷ FastRnn's time (log scale): right of 1, slower than FastRnn; the bound, left of 1, is the limit");
        foreach ((string name, Color color) in Series)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = color });
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1400, 180 + (results.Count * 34));
    }

    private static string Factor(double log2) => log2 switch
    {
        < 0 => "1/" + Math.Pow(2, -log2).ToString("0", CultureInfo.InvariantCulture),
        _ => Math.Pow(2, log2).ToString("0", CultureInfo.InvariantCulture),
    };
}
