using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Tests.Modules;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A bf16 or int8 network created for inference only drops its float32 matrices: same results,
/// and every call that would need the dropped matrices says so instead of failing later.
/// </summary>
public sealed class InferenceOnlyTests
{
    public static TheoryData<CellKind, CellVariant, int, WeightFormat> Networks() => new()
    {
        { CellKind.Lstm, CellVariant.Standard, 0, WeightFormat.Int8 },
        { CellKind.Lstm, CellVariant.Peephole, 5, WeightFormat.BFloat16 },
        { CellKind.Gru, CellVariant.ResetBefore, 0, WeightFormat.Int8 },
        { CellKind.Gru, CellVariant.Standard, 0, WeightFormat.BFloat16 },
        { CellKind.RnnRelu, CellVariant.Standard, 0, WeightFormat.Int8 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void DroppingTheFloat32MatricesChangesNoResult(CellKind kind, CellVariant variant, int projection, WeightFormat format)
    {
        var d = new NetworkDescription(kind, 6, 19) { Variant = variant, ProjectionSize = projection, NumLayers = 2 };
        RecurrentNetwork source = RecurrentNetwork.CreateRandom(d, 7);
        RecurrentNetwork kept = source.WithWeightFormat(format);
        RecurrentNetwork dropped = source.WithWeightFormat(format, inferenceOnly: true);
        Assert.False(kept.IsInferenceOnly);
        Assert.True(dropped.IsInferenceOnly);
        Assert.Equal(kept.WeightBytes, dropped.WeightBytes);

        const int steps = 5, batch = 3;
        float[] input = Values(steps * batch * d.InputSize, 1);
        Assert.Equal(Forward(kept, input, steps, batch), Forward(dropped, input, steps, batch));
        Assert.Equal(Stream(kept, input, steps, batch), Stream(dropped, input, steps, batch));

        // Biases stay: they are small and the kernels read them as float32.
        foreach (string name in source.ParameterNames)
        {
            if (!NetworkDescription.IsWeightMatrix(name))
            {
                Assert.True(source.GetParameter(name).SequenceEqual(dropped.GetParameter(name)), name);
            }
        }
    }

    [Fact]
    public void CallsThatNeedTheDroppedMatricesSaySo()
    {
        var d = new NetworkDescription(CellKind.Lstm, 4, 8);
        RecurrentNetwork dropped = RecurrentNetwork.CreateRandom(d, 1).WithWeightFormat(WeightFormat.Int8, inferenceOnly: true);

        var read = Assert.Throws<InvalidOperationException>(() => dropped.GetParameter("weight_hh_l0").ToArray());
        Assert.Contains("Int8 network was created for inference only", read.Message, StringComparison.Ordinal);
        Assert.Contains("to read 'weight_hh_l0'", read.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => dropped.GetParameter("weight_hh_l9").ToArray());

        var convert = Assert.Throws<InvalidOperationException>(() => dropped.WithWeightFormat(WeightFormat.Float32));
        Assert.Contains("to convert it to another weight format", convert.Message, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-inference-only-{Guid.NewGuid():N}.safetensors");
        var save = Assert.Throws<InvalidOperationException>(() => NetworkFile.Save(dropped, path));
        Assert.Contains("to save it", save.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        Assert.Throws<NotSupportedException>(() => new TrainingSession(dropped, 1, 1));
    }

    [Fact]
    public void Float32NetworksCanBeInferenceOnlyToo()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 5);
        RecurrentNetwork source = RecurrentNetwork.CreateRandom(d, 2);
        RecurrentNetwork dropped = source.WithWeightFormat(WeightFormat.Float32, inferenceOnly: true);
        Assert.True(dropped.IsInferenceOnly);
        float[] input = Values(4 * d.InputSize, 6);
        Assert.Equal(Forward(source, input, 4, 1), Forward(dropped, input, 4, 1));
        var train = Assert.Throws<NotSupportedException>(() => new TrainingSession(dropped, 1, 1));
        Assert.Contains("inferenceOnly", train.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => dropped.GetParameter("weight_ih_l0").ToArray());
    }

    [Theory]
    [InlineData(WeightFormat.Int8)]
    [InlineData(WeightFormat.BFloat16)]
    public void NetworkFilesLoadForInferenceOnly(WeightFormat format)
    {
        var d = new NetworkDescription(CellKind.Lstm, 5, 9) { NumLayers = 2 };
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-inference-only-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(RecurrentNetwork.CreateRandom(d, 4).WithWeightFormat(format), path);
            RecurrentNetwork kept = NetworkFile.Load(path, format);
            RecurrentNetwork dropped = NetworkFile.Load(path, format, inferenceOnly: true);
            Assert.False(kept.IsInferenceOnly);
            Assert.True(dropped.IsInferenceOnly);
            float[] input = Values(4 * 2 * d.InputSize, 3);
            Assert.Equal(Forward(kept, input, 4, 2), Forward(dropped, input, 4, 2));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModulesLoadForInferenceOnly()
    {
        ModuleCaseData c = ModuleCaseData.Load("lstm_l2_head_softmax");
        LoadedModule kept = ModuleFile.Load(c.ModelPath, c.Options with { WeightFormat = WeightFormat.Int8 });
        LoadedModule dropped = ModuleFile.Load(c.ModelPath, c.Options with { WeightFormat = WeightFormat.Int8, InferenceOnly = true });
        Assert.False(kept.Network.IsInferenceOnly);
        Assert.True(dropped.Network.IsInferenceOnly);
        NetworkDescription d = kept.Network.Description;
        float[] input = Values(3 * d.InputSize, 5);
        Assert.Equal(Forward(kept.Network, input, 3, 1), Forward(dropped.Network, input, 3, 1));
    }

    private static float[] Forward(RecurrentNetwork network, float[] input, int steps, int batch)
    {
        float[] output = new float[steps * batch * network.Description.OutputSize];
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps);
        network.Forward(workspace, input, steps, batch, output);
        return output;
    }

    private static float[] Stream(RecurrentNetwork network, float[] input, int steps, int batch)
    {
        NetworkDescription d = network.Description;
        StreamingSession session = network.CreateSession(batch);
        float[] output = new float[steps * batch * d.OutputSize];
        for (int t = 0; t < steps; t++)
        {
            session.Step(input.AsSpan(t * batch * d.InputSize, batch * d.InputSize), batch, output.AsSpan(t * batch * d.OutputSize, batch * d.OutputSize));
        }

        return output;
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
