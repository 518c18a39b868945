using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// What a network file's metadata and tensors may not slip past the loader: a later format, a stray
/// int8 scale, out-of-range or unbounded values; and paths that are not regular files.
/// </summary>
public sealed class NetworkFileMetadataTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-netmeta-").FullName;

    private static RecurrentNetwork Network => RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4) { BatchFirst = true }, seed: 2);

    [Fact]
    public void ALaterFormatVersionIsRefused()
    {
        var e = Assert.Throws<FastRnnFormatException>(() => Load(With(Network, "format_version", "2")));
        Assert.Contains("format_version = '2'; this FastRnn reads format_version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AScaleBesideAnythingButAnInt8MatrixIsRefused()
    {
        SafeTensorsWriter writer = Writer(Network.WithWeightFormat(WeightFormat.Int8));
        writer.Add("bias_ih_l0.scale", new float[] { float.NaN, 1, 2 }, [3]);
        var e = Assert.Throws<FastRnnFormatException>(() => Load(writer.ToArray()));
        Assert.Contains("unexpected tensor 'bias_ih_l0.scale'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIntegerBeyondIntIsNamedAsOutOfRange()
    {
        var e = Assert.Throws<FastRnnFormatException>(() => Load(With(Network, "input_size", "2147483648")));
        Assert.Contains("input_size = '2147483648' is not an integer in 0..2147483647", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClipBeyondFloatIsRefusedAsWritten()
    {
        var e = Assert.Throws<FastRnnFormatException>(() => Load(With(Network, "clip", "1e39")));
        Assert.Contains("clip = '1e39' is not a finite float32 number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mode")]
    [InlineData("variant")]
    [InlineData("input_size")]
    [InlineData("batch_first")]
    [InlineData("clip")]
    [InlineData("weight_format")]
    [InlineData("activations")]
    [InlineData("format_version")]
    public void AHugeValueGivesAShortMessage(string key)
    {
        string huge = new('x', 1_000_000);
        var e = Assert.Throws<FastRnnFormatException>(() => Load(With(Network, key, huge)));
        Assert.True(e.Message.Length < 1000, $"{key}: a message of {e.Message.Length} characters");
    }

    [Fact]
    public void AHugeTensorNameGivesAShortMessage()
    {
        SafeTensorsWriter writer = Writer(Network);
        writer.Add(new string('w', 1_000_000), new float[2], [2]);
        var e = Assert.Throws<FastRnnFormatException>(() => Load(writer.ToArray()));
        Assert.True(e.Message.Length < 1000, $"a message of {e.Message.Length} characters");
    }

    [Fact]
    public void ADirectoryIsNamedAsOne()
    {
        var e = Assert.Throws<IOException>(() => NetworkFile.Load(folder));
        Assert.Contains("is a directory, not a .safetensors file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFifoLoadsLikeTheFile()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Skip("FIFOs are POSIX");
        }

        string fifo = Path.Combine(folder, "net.fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        byte[] bytes = Writer(Network).ToArray();
        Task writing = Task.Run(() => File.WriteAllBytes(fifo, bytes), TestContext.Current.CancellationToken);
        RecurrentNetwork loaded = NetworkFile.Load(fifo);
        await writing;
        Assert.Equal(Network.Description, loaded.Description);
        Assert.Equal(Network.GetParameter("weight_hh_l0").ToArray(), loaded.GetParameter("weight_hh_l0").ToArray());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static RecurrentNetwork Load(byte[] file) => NetworkFile.FromSafeTensors(SafeTensorsFile.Parse(file, "test.safetensors"));

    private static byte[] With(RecurrentNetwork network, string key, string value)
    {
        SafeTensorsWriter writer = Writer(network);
        writer.SetMetadata(key, value);
        return writer.ToArray();
    }

    // The file NetworkFile.Save writes, in memory.
    private static SafeTensorsWriter Writer(RecurrentNetwork network)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-netmeta-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(network, path);
            SafeTensorsFile file = SafeTensorsFile.Read(path);
            var writer = new SafeTensorsWriter();
            foreach ((string key, string value) in file.Metadata)
            {
                writer.SetMetadata(key, value);
            }

            foreach (SafeTensorsEntry entry in file.Tensors)
            {
                if (entry.DType == SafeTensorsDType.I8)
                {
                    writer.AddInt8(entry.Name, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(file.RawBytes(entry.Name)), [.. entry.Shape]);
                }
                else
                {
                    writer.Add(entry.Name, file.ReadFloat32(entry.Name), [.. entry.Shape]);
                }
            }

            return writer;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
