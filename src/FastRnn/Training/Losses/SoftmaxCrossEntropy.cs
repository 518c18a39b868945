using System;
using System.Numerics.Tensors;
using FastRnn.Memory;

namespace FastRnn.Training.Losses;

/// <summary>
/// Softmax cross-entropy over class logits, averaged over the rows that have a target
/// (PyTorch <c>nn.CrossEntropyLoss</c> with <c>ignore_index = -1</c>).
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>Computes the mean loss and its gradient with respect to the logits.</summary>
    /// <param name="logits">[N, C].</param>
    /// <param name="targets">[N] class ids, or -1 for rows to ignore.</param>
    /// <param name="classes">C.</param>
    /// <param name="dLogits">[N, C] overwritten with d(mean loss)/d(logits); ignored rows get 0. May be <paramref name="logits"/> itself (in place), but no other memory it shares.</param>
    /// <returns>The mean loss over counted rows (0 if none).</returns>
    public static float Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, Span<float> dLogits)
    {
        int rows = targets.Length;
        if (logits.Length != rows * classes || dLogits.Length != rows * classes)
        {
            throw new ArgumentException($"Expected logits and their gradient [{rows}, {classes}] = {rows * classes} floats, got {logits.Length} and {dLogits.Length}.");
        }

        // Each row of the gradient is written while the same row of the logits is still read.
        OverlapCheck.DisjointOrSame(logits, nameof(logits), dLogits, nameof(dLogits));

        // Every target checked before any gradient is written: -1 is the one ignore value (another
        // negative id is a bug in the caller's labels, not a row to skip).
        int counted = 0;
        for (int n = 0; n < rows; n++)
        {
            int target = targets[n];
            if (target < -1 || target >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), target, $"targets[{n}] = {target} is neither a class id in 0..{classes - 1} nor -1 (ignore).");
            }

            if (target >= 0)
            {
                counted++;
            }
        }

        double total = 0;
        float scale = counted == 0 ? 0f : 1f / counted;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> row = logits.Slice(n * classes, classes);
            Span<float> d = dLogits.Slice(n * classes, classes);
            int target = targets[n];
            if (target < 0)
            {
                d.Clear();
                continue;
            }

            // Shifted by the maximum so exp never overflows; the target's logit is read before d (maybe the row itself) is written.
            float picked = row[target];
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, d);
            TensorPrimitives.Exp(d, d);
            float sum = TensorPrimitives.Sum(d);
            total += Math.Log(sum) + max - picked;
            TensorPrimitives.Multiply(d, scale / sum, d);
            d[target] -= scale;
        }

        return counted == 0 ? 0f : (float)(total / counted);
    }
}
