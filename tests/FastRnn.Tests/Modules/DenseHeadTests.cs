using System;
using FastRnn.Heads;
using FastRnn.Tests.Onnx;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>The dense head against a double-precision computation, row by row independent of the batch, and its argument checks.</summary>
public sealed class DenseHeadTests
{
    [Theory]
    [InlineData(HeadActivation.None, 1, 1)]
    [InlineData(HeadActivation.None, 33, 17)]
    [InlineData(HeadActivation.Sigmoid, 16, 5)]
    [InlineData(HeadActivation.Softmax, 7, 64)]
    [InlineData(HeadActivation.Softmax, 40, 1100)] // two packed blocks of output rows
    public void MatchesDoublePrecision(HeadActivation activation, int inputs, int classes)
    {
        const int batch = 3;
        float[] w = OnnxNodeSpec.RandomValues(classes * inputs, 1);
        float[] b = OnnxNodeSpec.RandomValues(classes, 2);
        float[] x = OnnxNodeSpec.RandomValues(batch * inputs, 3);
        DenseHead head = DenseHead.Create(w, b, inputs, classes, activation);
        float[] y = new float[batch * classes]; // [B, C]
        head.Apply(x, batch, y);

        for (int n = 0; n < batch; n++)
        {
            double[] expected = new double[classes];
            for (int o = 0; o < classes; o++)
            {
                double sum = b[o];
                for (int i = 0; i < inputs; i++)
                {
                    sum += (double)w[(o * inputs) + i] * x[(n * inputs) + i];
                }

                expected[o] = activation == HeadActivation.Sigmoid ? 1 / (1 + Math.Exp(-sum)) : sum;
            }

            if (activation == HeadActivation.Softmax)
            {
                double max = double.NegativeInfinity, total = 0;
                Array.ForEach(expected, e => max = Math.Max(max, e));
                for (int o = 0; o < classes; o++)
                {
                    expected[o] = Math.Exp(expected[o] - max);
                    total += expected[o];
                }

                for (int o = 0; o < classes; o++)
                {
                    expected[o] /= total;
                }
            }

            double error = Reference.ReferenceTolerance.RelativeError(Array.ConvertAll(y[(n * classes)..((n + 1) * classes)], v => (double)v), expected);
            // The forward tolerance of the conformance cases: a logit's float32 rounding (with or without
            // FMA) moves its exponential by that times the logit, up to a few 1e-6 on the scalar path.
            Assert.True(error <= 1e-5, $"row {n}: relative error {error:E3}");
        }
    }

    [Property(MaxTest = 40)]
    public void ARowGivesTheSameBitsInAnyBatch(byte inputChoice, byte classChoice, byte activationChoice, byte batchChoice)
    {
        int inputs = 1 + (inputChoice % 70), classes = 1 + (classChoice % 70), batch = 1 + (batchChoice % 9);
        var activation = (HeadActivation)(activationChoice % 3);
        DenseHead head = DenseHead.Create(OnnxNodeSpec.RandomValues(classes * inputs, inputs), OnnxNodeSpec.RandomValues(classes, classes), inputs, classes, activation);
        float[] x = OnnxNodeSpec.RandomValues(batch * inputs, batch); // [B, In]
        float[] y = new float[batch * classes];                // [B, C]
        head.Apply(x, batch, y);
        float[] alone = new float[classes];
        for (int n = 0; n < batch; n++)
        {
            head.Apply(x.AsSpan(n * inputs, inputs), 1, alone);
            Assert.Equal(alone, y[(n * classes)..((n + 1) * classes)]);
        }

        // The same rows in a buffer at another offset (another alignment) as well.
        float[] shifted = new float[(batch * inputs) + 3];
        x.CopyTo(shifted, 3);
        float[] y2 = new float[(batch * classes) + 1];
        head.Apply(shifted.AsSpan(3), batch, y2.AsSpan(1));
        Assert.Equal(y, y2[1..]);
    }

    [Fact]
    public void BadArgumentsNameTheExpectedShape()
    {
        DenseHead head = DenseHead.Create(new float[10], new float[5], 2, 5, HeadActivation.None);
        Assert.Contains("Expected input [3, 2] = 6 floats, got 5", Assert.Throws<ArgumentException>(() => head.Apply(new float[5], 3, new float[15])).Message, StringComparison.Ordinal);
        Assert.Contains("Expected output [3, 5] = 15 floats, got 14", Assert.Throws<ArgumentException>(() => head.Apply(new float[6], 3, new float[14])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Apply(default, 0, default));
        float[] shared = new float[20];
        Assert.Throws<ArgumentException>(() => head.Apply(shared.AsSpan(0, 6), 3, shared.AsSpan(5, 15)));

        Assert.Contains("Expected weight [5, 2] = 10 floats, got 9", Assert.Throws<ArgumentException>(() => DenseHead.Create(new float[9], default, 2, 5, HeadActivation.None)).Message, StringComparison.Ordinal);
        Assert.Contains("Expected bias [5] (or none), got 4 floats", Assert.Throws<ArgumentException>(() => DenseHead.Create(new float[10], new float[4], 2, 5, HeadActivation.None)).Message, StringComparison.Ordinal);
        float[] nan = new float[10];
        nan[4] = float.NaN;
        Assert.Contains("weight[4] = NaN", Assert.Throws<ArgumentException>(() => DenseHead.Create(nan, default, 2, 5, HeadActivation.None)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseHead.Create(new float[10], default, 2, 5, (HeadActivation)3));
    }

    [Fact]
    public void SoftmaxRowsSumToOneAndKeepLargeLogitsFinite()
    {
        DenseHead head = DenseHead.Create([1000f, -1000f, 0f], default, 1, 3, HeadActivation.Softmax);
        float[] y = new float[6];
        head.Apply([1f, -1f], 2, y);
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], y);
    }
}
