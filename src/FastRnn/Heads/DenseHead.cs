using System;
using System.Globalization;
using System.Numerics.Tensors;
using FastRnn.Kernels;
using FastRnn.Memory;

namespace FastRnn.Heads;

/// <summary>
/// An inference-only dense head, y = activation(W x + b) (PyTorch <c>nn.Linear</c>: weight [C, In],
/// bias [C]), applied to rows of a recurrent network's output. Immutable once created, so any number
/// of threads may apply it at once.
/// </summary>
/// <remarks>
/// Each row is computed on its own with the same packed product the recurrent layers use, so a row's
/// result is bit-identical whatever batch it is in. <see cref="Apply"/> allocates nothing.
/// </remarks>
public sealed class DenseHead
{
    // Output rows are packed in blocks, so the per-row product fits a small stack buffer however
    // many classes there are; a multiple of every vector width, so only the last block is padded.
    private const int BlockRows = 1024;

    private readonly float[] weight;      // [C, In] row-major, as loaded
    private readonly float[] bias;        // [C], or empty
    private readonly PackedMatrix[] blocks; // rows [k * BlockRows, min(C, (k + 1) * BlockRows)) of W

    private DenseHead(float[] weight, float[] bias, int inputSize, int outputSize, HeadActivation activation)
    {
        this.weight = weight;
        this.bias = bias;
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        blocks = new PackedMatrix[(outputSize + BlockRows - 1) / BlockRows];
        for (int k = 0; k < blocks.Length; k++)
        {
            int first = k * BlockRows;
            int rows = Math.Min(BlockRows, outputSize - first);
            blocks[k] = PackedMatrix.Pack(weight.AsSpan(first * inputSize, rows * inputSize), 1, rows, inputSize);
        }
    }

    /// <summary>Input features per row (In): the recurrent network's output size.</summary>
    public int InputSize { get; }

    /// <summary>Outputs per row (C).</summary>
    public int OutputSize { get; }

    /// <summary>The function applied after the affine map.</summary>
    public HeadActivation Activation { get; }

    /// <summary>Whether the head adds a bias.</summary>
    public bool HasBias => bias.Length != 0;

    /// <summary>W [C, In], row-major, as given.</summary>
    public ReadOnlySpan<float> Weight => weight;

    /// <summary>b [C], or empty without a bias.</summary>
    public ReadOnlySpan<float> Bias => bias;

    /// <summary>Creates a head from PyTorch-layout weights (copied).</summary>
    /// <param name="weight">W [outputSize, inputSize], row-major (<c>nn.Linear.weight</c>).</param>
    /// <param name="bias">b [outputSize], or empty for none.</param>
    /// <param name="inputSize">In, at least 1.</param>
    /// <param name="outputSize">C, at least 1.</param>
    /// <param name="activation">What follows the affine map.</param>
    /// <returns>The head, packed for the active vector path.</returns>
    /// <exception cref="ArgumentException">A size does not match, or a value is NaN or infinite.</exception>
    public static DenseHead Create(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int inputSize, int outputSize, HeadActivation activation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected None, Sigmoid or Softmax.");
        }

        if ((long)inputSize * outputSize != weight.Length)
        {
            throw new ArgumentException($"Expected weight [{outputSize}, {inputSize}] = {(long)inputSize * outputSize} floats, got {weight.Length}.", nameof(weight));
        }

        if (!bias.IsEmpty && bias.Length != outputSize)
        {
            throw new ArgumentException($"Expected bias [{outputSize}] (or none), got {bias.Length} floats.", nameof(bias));
        }

        RequireFinite(weight, nameof(weight));
        RequireFinite(bias, nameof(bias));
        return new DenseHead(weight.ToArray(), bias.ToArray(), inputSize, outputSize, activation);
    }

    /// <summary>y[n] = activation(W x[n] + b) for <paramref name="batch"/> rows. Allocates nothing.</summary>
    /// <param name="input">[batch, In], for example a step's output or a whole sequence's [T * B, In].</param>
    /// <param name="batch">Rows, at least 1.</param>
    /// <param name="output">[batch, C]; must not overlap <paramref name="input"/>.</param>
    public void Apply(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if ((long)batch * InputSize != input.Length)
        {
            throw new ArgumentException($"Expected input [{batch}, {InputSize}] = {(long)batch * InputSize} floats, got {input.Length}.", nameof(input));
        }

        if ((long)batch * OutputSize != output.Length)
        {
            throw new ArgumentException($"Expected output [{batch}, {OutputSize}] = {(long)batch * OutputSize} floats, got {output.Length}.", nameof(output));
        }

        OverlapCheck.Disjoint(input, nameof(input), output, nameof(output)); // rows are written while later rows are still read
        Span<float> product = stackalloc float[blocks[0].PaddedRows]; // [PaddedRows] of one block, in packed (= natural) order
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> x = input.Slice(n * InputSize, InputSize); // [In]
            Span<float> y = output.Slice(n * OutputSize, OutputSize);       // [C]
            for (int k = 0; k < blocks.Length; k++)
            {
                PackedMatrix block = blocks[k];
                PackedMatMul.Multiply(block, x, InputSize, 1, product, block.PaddedRows);
                product[..block.Units].CopyTo(y.Slice(k * BlockRows, block.Units));
            }

            if (bias.Length != 0)
            {
                TensorPrimitives.Add(y, bias, y);
            }

            Activate(y);
        }
    }

    private void Activate(Span<float> y)
    {
        switch (Activation)
        {
            case HeadActivation.Sigmoid:
                TensorPrimitives.Sigmoid(y, y);
                break;
            case HeadActivation.Softmax:
                Softmax(y);
                break;
        }
    }

    // Shifted by the maximum so exp cannot overflow. The sum is a plain loop in double, not a
    // vectorised reduction whose grouping could follow the row's alignment in memory: a row's
    // result must not depend on where it sits in the batch.
    private static void Softmax(Span<float> y)
    {
        float max = TensorPrimitives.Max(y);
        TensorPrimitives.Subtract(y, max, y);
        TensorPrimitives.Exp(y, y);
        double sum = 0;
        foreach (float e in y)
        {
            sum += e;
        }

        TensorPrimitives.Divide(y, (float)sum, y);
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] = {values[i].ToString(CultureInfo.InvariantCulture)}; head weights must be finite.", name);
            }
        }
    }
}
