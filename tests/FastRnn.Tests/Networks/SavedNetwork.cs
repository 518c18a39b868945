using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>A network saved to a temporary file and loaded back, for the option round-trip tests.</summary>
internal static class SavedNetwork
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
}
