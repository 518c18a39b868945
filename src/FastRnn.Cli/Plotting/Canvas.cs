using System;

namespace FastRnn.Cli.Plotting;

/// <summary>An RGB raster with the few drawing operations a line chart needs.</summary>
internal sealed class Canvas
{
    private readonly byte[] pixels; // [Height, Width, 3]

    public Canvas(int width, int height)
    {
        Width = width;
        Height = height;
        pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)255);
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels => pixels;

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
        {
            int i = ((y * Width) + x) * 3;
            pixels[i] = c.R;
            pixels[i + 1] = c.G;
            pixels[i + 2] = c.B;
        }
    }

    public void FillRect(int x0, int y0, int x1, int y1, (byte, byte, byte) c)
    {
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                Set(x, y, c);
            }
        }
    }

    /// <summary>A line of the given thickness (Bresenham with a square pen).</summary>
    public void Line(double x0, double y0, double x1, double y1, (byte, byte, byte) c, int thickness)
    {
        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))) + 1;
        int half = thickness / 2;
        for (int i = 0; i <= steps; i++)
        {
            double t = (double)i / steps;
            int x = (int)Math.Round(x0 + ((x1 - x0) * t));
            int y = (int)Math.Round(y0 + ((y1 - y0) * t));
            FillRect(x - half, y - half, x - half + thickness - 1, y - half + thickness - 1, c);
        }
    }

    /// <summary>Text in the pixel font, scaled, with its top-left corner at (x, y).</summary>
    public void Text(int x, int y, string text, (byte, byte, byte) c, int scale)
    {
        foreach (char ch in text)
        {
            byte[]? glyph = PixelFont.Glyph(ch);
            if (glyph is not null)
            {
                for (int row = 0; row < PixelFont.Height; row++)
                {
                    for (int col = 0; col < PixelFont.Width; col++)
                    {
                        if ((glyph[row] & (0x10 >> col)) != 0)
                        {
                            FillRect(x + (col * scale), y + (row * scale), x + (col * scale) + scale - 1, y + (row * scale) + scale - 1, c);
                        }
                    }
                }
            }

            x += (PixelFont.Width + 1) * scale;
        }
    }

    public static int TextWidth(string text, int scale) => text.Length * (PixelFont.Width + 1) * scale;
}
