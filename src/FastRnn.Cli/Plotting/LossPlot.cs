using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Plotting;

namespace FastRnn.Cli.Commands;

/// <summary>Training and validation loss per epoch as a PNG line chart.</summary>
internal static class LossPlot
{
    private static readonly (byte, byte, byte) Ink = (40, 40, 40);
    private static readonly (byte, byte, byte) Grid = (225, 225, 225);
    private static readonly (byte, byte, byte) TrainColour = (31, 119, 180);
    private static readonly (byte, byte, byte) ValidationColour = (255, 127, 14);

    /// <summary>Writes the chart to <paramref name="path"/> (atomically: a temporary file, then a rename).</summary>
    public static void Write(string path, string title, IReadOnlyList<float> train, IReadOnlyList<float> validation)
    {
        byte[] png = Render(title, train, validation);
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllBytes(temporary, png);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public static byte[] Render(string title, IReadOnlyList<float> train, IReadOnlyList<float> validation)
    {
        const int width = 900, height = 540, left = 110, right = 30, top = 60, bottom = 70;
        var canvas = new Canvas(width, height);
        int epochs = Math.Max(train.Count, validation.Count);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (IReadOnlyList<float> series in new[] { train, validation })
        {
            foreach (float v in series)
            {
                if (float.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            }
        }

        if (!(min <= max))
        {
            min = 0;
            max = 1;
        }

        if (max - min < 1e-12)
        {
            max = min + 1;
        }

        double pad = (max - min) * 0.05;
        min -= pad;
        max += pad;
        int plotW = width - left - right, plotH = height - top - bottom;
        double X(double epoch) => left + (epochs <= 1 ? plotW / 2.0 : (epoch - 1) * plotW / (epochs - 1));
        double Y(double v) => top + ((max - v) * plotH / (max - min));

        for (int i = 0; i <= 5; i++)
        {
            double v = min + ((max - min) * i / 5);
            int y = (int)Math.Round(Y(v));
            canvas.Line(left, y, width - right, y, Grid, 1);
            string label = v.ToString("G3", CultureInfo.InvariantCulture);
            canvas.Text(left - 10 - Canvas.TextWidth(label, 2), y - 7, label, Ink, 2);
        }

        int stride = Math.Max(1, (int)Math.Ceiling(epochs / 10.0));
        for (int e = 1; e <= epochs; e += stride)
        {
            int x = (int)Math.Round(X(e));
            canvas.Line(x, top, x, height - bottom, Grid, 1);
            string label = e.ToString(CultureInfo.InvariantCulture);
            canvas.Text(x - (Canvas.TextWidth(label, 2) / 2), height - bottom + 10, label, Ink, 2);
        }

        canvas.Line(left, top, left, height - bottom, Ink, 2);
        canvas.Line(left, height - bottom, width - right, height - bottom, Ink, 2);
        canvas.Text(left + (plotW / 2) - (Canvas.TextWidth("EPOCH", 2) / 2), height - 30, "EPOCH", Ink, 2);
        canvas.Text(12, top - 30, "LOSS", Ink, 2);
        canvas.Text(left, 15, title, Ink, 3);

        Series(canvas, train, TrainColour, X, Y);
        Series(canvas, validation, ValidationColour, X, Y);
        int legendX = width - right - 260;
        canvas.FillRect(legendX, top + 10, legendX + 24, top + 14, TrainColour);
        canvas.Text(legendX + 32, top + 6, "TRAIN", Ink, 2);
        if (validation.Count > 0)
        {
            canvas.FillRect(legendX + 110, top + 10, legendX + 134, top + 14, ValidationColour);
            canvas.Text(legendX + 142, top + 6, "VALIDATION", Ink, 2);
        }

        return PngEncoder.Encode(canvas.Pixels, width, height);
    }

    private static void Series(Canvas canvas, IReadOnlyList<float> values, (byte, byte, byte) colour, Func<double, double> x, Func<double, double> y)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                continue;
            }

            double px = x(i + 1), py = y(values[i]);
            canvas.FillRect((int)px - 3, (int)py - 3, (int)px + 3, (int)py + 3, colour);
            if (i > 0 && float.IsFinite(values[i - 1]))
            {
                canvas.Line(x(i), y(values[i - 1]), px, py, colour, 3);
            }
        }
    }
}
