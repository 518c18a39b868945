using System;

namespace FastRnn.Tests.Reference;

/// <summary>Scalar activations and plain-loop linear algebra on row-major double[] matrices.</summary>
public static class ReferenceMath
{
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>d sigmoid / dx expressed through y = sigmoid(x).</summary>
    public static double SigmoidDerivativeFromOutput(double y) => y * (1.0 - y);

    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>d tanh / dx expressed through y = tanh(x).</summary>
    public static double TanhDerivativeFromOutput(double y) => 1.0 - y * y;

    public static double Relu(double x) => x > 0.0 ? x : 0.0;

    /// <summary>d relu / dx at x (0 at x = 0, like PyTorch).</summary>
    public static double ReluDerivative(double x) => x > 0.0 ? 1.0 : 0.0;

    /// <summary>y[r] = sum_j w[(rowStart + r) * cols + j] * x[j] + b[rowStart + r] for r in [0, rowCount);
    /// b may be null (no bias).</summary>
    public static double[] Affine(double[] w, double[]? b, int cols, int rowStart, int rowCount, double[] x)
    {
        var y = new double[rowCount];
        for (int r = 0; r < rowCount; r++)
        {
            int row = rowStart + r;
            double sum = b is null ? 0.0 : b[row];
            for (int j = 0; j < cols; j++)
            {
                sum += w[row * cols + j] * x[j];
            }

            y[r] = sum;
        }

        return y;
    }

    /// <summary>Backward of <see cref="Affine"/> for upstream gradient dy (length rowCount):
    /// gw += dy x^T, gb += dy (if non-null), dx += W^T dy (if non-null).</summary>
    public static void AffineBackward(
        double[] w, double[]? gw, double[]? gb, int cols, int rowStart, double[] dy, double[] x, double[]? dx)
    {
        for (int r = 0; r < dy.Length; r++)
        {
            int row = rowStart + r;
            if (gb is not null)
            {
                gb[row] += dy[r];
            }

            for (int j = 0; j < cols; j++)
            {
                if (gw is not null)
                {
                    gw[row * cols + j] += dy[r] * x[j];
                }

                if (dx is not null)
                {
                    dx[j] += w[row * cols + j] * dy[r];
                }
            }
        }
    }

    /// <summary>Elements [start, start + count) of v as a new array.</summary>
    public static double[] Slice(double[] v, int start, int count)
    {
        var s = new double[count];
        Array.Copy(v, start, s, 0, count);
        return s;
    }

    /// <summary>acc[i] += v[i].</summary>
    public static void AddInPlace(double[] acc, double[] v)
    {
        for (int i = 0; i < v.Length; i++)
        {
            acc[i] += v[i];
        }
    }

    /// <summary>max |x[i]| (0 for an empty vector).</summary>
    public static double MaxAbs(double[] x)
    {
        double largest = 0.0;
        foreach (double v in x)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        return largest;
    }
}
