using System;
using System.Numerics.Tensors;
using FastRnn.Kernels;
using FastRnn.Memory;

namespace FastRnn.Training.Heads;

/// <summary>A linear layer y = W x + b (PyTorch <c>nn.Linear</c>: weight [Out, In], bias [Out]).</summary>
public sealed class DenseLayer
{
    private readonly int[] identity; // 0..Out-1

    /// <summary>Creates a layer with PyTorch's default initialisation, U(-1/√In, 1/√In), from a seeded generator.</summary>
    /// <param name="name">Prefix of its parameter names (e.g. <c>head</c>).</param>
    /// <param name="inputSize">In.</param>
    /// <param name="outputSize">Out.</param>
    /// <param name="seed">Initialisation seed.</param>
    public DenseLayer(string name, int inputSize, int outputSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        if ((long)outputSize * inputSize > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(outputSize), outputSize, $"A dense layer of {inputSize} inputs and {outputSize} outputs needs a weight of {(long)outputSize * inputSize} floats, more than {Array.MaxLength}; use fewer inputs or outputs.");
        }

        InputSize = inputSize;
        OutputSize = outputSize;
        var random = new Random(seed);
        float bound = 1f / MathF.Sqrt(inputSize);
        float[] w = new float[outputSize * inputSize];
        float[] b = new float[outputSize];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }

        Weight = new Parameter(name + ".weight", [outputSize, inputSize], w, new float[w.Length]);
        Bias = new Parameter(name + ".bias", [outputSize], b, new float[b.Length]);
        identity = new int[outputSize];
        for (int i = 0; i < outputSize; i++)
        {
            identity[i] = i;
        }
    }

    /// <summary>In.</summary>
    public int InputSize { get; }

    /// <summary>Out.</summary>
    public int OutputSize { get; }

    /// <summary>W [Out, In].</summary>
    public Parameter Weight { get; }

    /// <summary>b [Out].</summary>
    public Parameter Bias { get; }

    /// <summary>y[n] = W x[n] + b for <paramref name="rows"/> rows.</summary>
    /// <param name="x">[rows, In].</param>
    /// <param name="rows">N.</param>
    /// <param name="y">[rows, Out].</param>
    public void Forward(ReadOnlySpan<float> x, int rows, Span<float> y)
    {
        Check(x.Length, rows * InputSize, "input", rows, InputSize);
        Check(y.Length, rows * OutputSize, "output", rows, OutputSize);
        OverlapCheck.Disjoint(x, nameof(x), y, nameof(y)); // y is written row by row while x is read
        ReadOnlySpan<float> w = Weight.Value;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> xn = x.Slice(n * InputSize, InputSize);
            Span<float> yn = y.Slice(n * OutputSize, OutputSize);
            for (int o = 0; o < OutputSize; o++)
            {
                yn[o] = TensorPrimitives.Dot(w.Slice(o * InputSize, InputSize), xn) + Bias.Value[o];
            }
        }
    }

    /// <summary>Accumulates dW += dyᵀ x and db += Σ dy, and writes dx = dy W (if wanted).</summary>
    /// <param name="x">[rows, In] the forward input.</param>
    /// <param name="dy">[rows, Out] gradient of the output.</param>
    /// <param name="rows">N.</param>
    /// <param name="dx">[rows, In] gradient of the input, overwritten; empty to skip.</param>
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int rows, Span<float> dx)
    {
        Check(x.Length, rows * InputSize, "input", rows, InputSize);
        Check(dy.Length, rows * OutputSize, "output gradient", rows, OutputSize);
        if (!dx.IsEmpty)
        {
            // Checked before any gradient changes, so a bad call leaves the gradients as they were.
            Check(dx.Length, rows * InputSize, "input gradient", rows, InputSize);
            OverlapCheck.Disjoint(dy, nameof(dy), dx, nameof(dx)); // dx is cleared, then built from dy
        }

        TransposedProduct.Accumulate(dy, OutputSize, identity, x, InputSize, InputSize, rows, Weight.Gradient, InputSize);
        Span<float> db = Bias.Gradient;
        for (int n = 0; n < rows; n++)
        {
            TensorPrimitives.Add(db, dy.Slice(n * OutputSize, OutputSize), db);
        }

        if (dx.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<float> w = Weight.Value;
        dx.Clear();
        for (int n = 0; n < rows; n++)
        {
            Span<float> dxn = dx.Slice(n * InputSize, InputSize);
            for (int o = 0; o < OutputSize; o++)
            {
                float g = dy[(n * OutputSize) + o];
                if (g != 0f)
                {
                    TensorPrimitives.MultiplyAdd(w.Slice(o * InputSize, InputSize), g, dxn, dxn);
                }
            }
        }
    }

    private static void Check(int actual, int expected, string what, int rows, int columns)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {what} [{rows}, {columns}] = {expected} floats, got {actual}.");
        }
    }
}
