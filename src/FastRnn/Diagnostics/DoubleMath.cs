using System;

namespace FastRnn.Diagnostics;

/// <summary>The activation functions in double precision, straight from their definitions.</summary>
internal static class DoubleMath
{
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>max(x, 0), NaN staying NaN.</summary>
    public static double Relu(double x) => double.IsNaN(x) ? x : Math.Max(x, 0.0);
}
