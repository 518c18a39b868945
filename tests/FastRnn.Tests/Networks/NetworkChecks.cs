using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>Checks the option tests share: a save-and-load round trip, and streaming against a whole sequence.</summary>
internal static class NetworkChecks
{
    /// <summary>Saves, loads and deletes the file; asserts the description and the outputs survive.</summary>
    public static RecurrentNetwork RoundTrip(RecurrentNetwork network)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-roundtrip-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(network, path);
            RecurrentNetwork loaded = NetworkFile.Load(path);
            NetworkDescription d = network.Description;
            Assert.Equal(d, loaded.Description);
            const int steps = 4, batch = 2;
            float[] x = OnnxNodeSpec.RandomValues(steps * batch * d.InputSize, 3), a = new float[steps * batch * d.OutputSize], b = new float[steps * batch * d.OutputSize];
            network.Forward(network.CreateWorkspace(batch, steps), x, steps, batch, a);
            loaded.Forward(loaded.CreateWorkspace(batch, steps), x, steps, batch, b);
            Assert.Equal(a, b);
            return loaded;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs <paramref name="x"/> ([steps, batch, I]) as one sequence and step by step in a session; asserts every step is bit-identical. Returns the sequence's output.</summary>
    public static float[] AssertStreamsAsSequence(RecurrentNetwork network, float[] x, int steps, int batch)
    {
        NetworkDescription d = network.Description;
        int input = d.InputSize, output = d.OutputSize;
        float[] sequence = new float[steps * batch * output];
        network.Forward(network.CreateWorkspace(batch, steps), x, steps, batch, sequence);
        var session = network.CreateSession(batch);
        float[] step = new float[batch * output];
        for (int t = 0; t < steps; t++)
        {
            session.Step(x.AsSpan(t * batch * input, batch * input), batch, step);
            Assert.Equal(sequence.AsSpan(t * batch * output, batch * output).ToArray(), step);
        }

        return sequence;
    }
}
