using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>bfloat16 and int8 networks on every conformance case: deviation from float32, and file round trips.</summary>
public sealed class WeightFormatAccuracyTests(ITestOutputHelper output)
{
    // Bounds on max|A - fp32| / (max|fp32| + 1e-6) over a case's output and final states.
    private const double BFloat16Bound = 1e-2;
    private const double Int8Bound = 3e-2;

    [Fact]
    public void ReducedPrecisionStaysCloseToFloat32OnEveryConformanceCase()
    {
        var worst = new Dictionary<WeightFormat, double>();
        var sums = new Dictionary<WeightFormat, double>();
        int cases = 0;
        foreach (string name in ConformanceCase.Names())
        {
            ConformanceCase c = ConformanceCase.Load(name);
            RecurrentNetwork fp32 = NetworkFactory.Build(c.Config, c.Weights);
            float[] input = NetworkFactory.ToFloat(c.Input)!;
            (float[] reference, float[] referenceH, _) = NetworkFactory.Forward(fp32, input, c.SeqLen, c.Batch, NetworkFactory.ToFloat(c.H0), NetworkFactory.ToFloat(c.C0), NetworkFactory.ToInt(c.Lengths));
            foreach (WeightFormat format in new[] { WeightFormat.BFloat16, WeightFormat.Int8 })
            {
                RecurrentNetwork reduced = fp32.WithWeightFormat(format);
                (float[] actual, float[] actualH, _) = NetworkFactory.Forward(reduced, input, c.SeqLen, c.Batch, NetworkFactory.ToFloat(c.H0), NetworkFactory.ToFloat(c.C0), NetworkFactory.ToInt(c.Lengths));
                double error = Math.Max(
                    ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actual), NetworkFactory.ToDouble(reference)),
                    ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actualH), NetworkFactory.ToDouble(referenceH)));
                worst[format] = Math.Max(worst.GetValueOrDefault(format), error);
                sums[format] = sums.GetValueOrDefault(format) + error;
                Assert.True(error <= (format == WeightFormat.BFloat16 ? BFloat16Bound : Int8Bound), $"{name} {format}: relative deviation {error:E3}");
            }

            cases++;
        }

        foreach (WeightFormat format in worst.Keys)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{format}: over {cases} cases, max relative deviation from fp32 {worst[format]:E2}, mean {sums[format] / cases:E2}"));
        }
    }

    [Theory]
    [InlineData(WeightFormat.BFloat16)]
    [InlineData(WeightFormat.Int8)]
    public void ReducedPrecisionNetworksSaveAndLoadInTheirOwnForm(WeightFormat format)
    {
        var description = new NetworkDescription(CellKind.Lstm, 6, 11) { NumLayers = 2, Bidirectional = true, ProjectionSize = 5 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3).WithWeightFormat(format);
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-format-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(network, path);
            SafeTensorsFile file = SafeTensorsFile.Read(path);
            Assert.Equal(NetworkFile.FormatName(format), file.Metadata[NetworkFile.FormatKey]);
            Assert.Equal(format == WeightFormat.Int8 ? SafeTensorsDType.I8 : SafeTensorsDType.BF16, file.Get("weight_hh_l1_reverse").DType);
            RecurrentNetwork loaded = NetworkFile.Load(path);
            Assert.Equal(format, loaded.WeightFormat);
            float[] input = new float[5 * 2 * 6];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = MathF.Cos(i);
            }

            Assert.Equal(NetworkFactory.Forward(network, input, 5, 2, null, null, null).Output, NetworkFactory.Forward(loaded, input, 5, 2, null, null, null).Output);
            Assert.Equal(network.WeightBytes, loaded.WeightBytes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TrainingRefusesReducedPrecisionWeights()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), 1).WithWeightFormat(WeightFormat.Int8);
        var ex = Assert.Throws<NotSupportedException>(() => new FastRnn.Training.TrainingSession(network, 1, 1));
        Assert.Contains("float32", ex.Message, StringComparison.Ordinal);
    }
}
