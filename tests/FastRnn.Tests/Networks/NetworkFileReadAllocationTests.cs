using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Reliability.Fuzzing;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// src/FastRnn/README.md, "Guarantees": reading a file allocates at most 8× the file's size plus
/// 256 KiB. The fuzzed seeds are small float32 files; this holds the bound for network files of
/// every weight format large enough for the ratio to mean something (an int8 file is a quarter of
/// its float32 matrices, so what the reader makes of it weighs most against the file's size), and
/// the bound of a file widened at load, 8× the size of the same network's file in the format it is
/// loaded in.
/// </summary>
public sealed class NetworkFileReadAllocationTests(ITestOutputHelper output)
{
    public static TheoryData<WeightFormat, bool> Formats() => new()
    {
        { WeightFormat.Float32, false },
        { WeightFormat.BFloat16, false },
        { WeightFormat.Int8, false },
        { WeightFormat.Int8, true },
    };

    // A file widened at load: its float32 matrices are larger than the file by the format's ratio.
    public static TheoryData<WeightFormat, WeightFormat> Widenings() => new()
    {
        { WeightFormat.Int8, WeightFormat.Float32 },
        { WeightFormat.Int8, WeightFormat.BFloat16 },
        { WeightFormat.BFloat16, WeightFormat.Float32 },
    };

    [Theory]
    [MemberData(nameof(Widenings))]
    public void WideningAtLoadAllocatesAtMostEightTimesTheWidenedFile(WeightFormat stored, WeightFormat loaded)
    {
        var d = new NetworkDescription(CellKind.Lstm, 256, 256) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 3);
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-read-allocation-{Guid.NewGuid():N}.safetensors");
        string widened = path + ".widened";
        try
        {
            NetworkFile.Save(network.WithWeightFormat(stored), path);
            NetworkFile.Save(NetworkFile.Load(path, loaded), widened);
            long length = new FileInfo(path).Length, widenedLength = new FileInfo(widened).Length;
            NetworkFile.Load(path, loaded);
            long before = GC.GetAllocatedBytesForCurrentThread();
            NetworkFile.Load(path, loaded);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"{stored} read as {loaded}: {length} bytes ({widenedLength} as {loaded}) read with {allocated} allocated, {(double)allocated / length:F2}× the file, {(double)allocated / widenedLength:F2}× the widened file");
            Assert.True(allocated <= ReaderTarget.AllocationBound(widenedLength), $"{allocated} bytes allocated, more than 8× the widened file's {widenedLength} bytes + 256 KiB");
        }
        finally
        {
            File.Delete(path);
            File.Delete(widened);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ReadingANetworkFileAllocatesAtMostEightTimesItsSize(WeightFormat format, bool inferenceOnly)
    {
        var d = new NetworkDescription(CellKind.Lstm, 256, 256) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 3).WithWeightFormat(format);
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-read-allocation-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(network, path);
            long length = new FileInfo(path).Length;
            NetworkFile.Load(path, format, inferenceOnly); // warm: the measured call pays no first-call costs
            long before = GC.GetAllocatedBytesForCurrentThread();
            RecurrentNetwork loaded = NetworkFile.Load(path, format, inferenceOnly);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(network.WeightBytes, loaded.WeightBytes);
            output.WriteLine($"{format}{(inferenceOnly ? ", inference only" : string.Empty)}: {length} bytes read with {allocated} allocated, {(double)allocated / length:F2}×");
            Assert.True(
                allocated <= ReaderTarget.AllocationBound(length),
                $"Loading a {format}{(inferenceOnly ? " inference-only" : string.Empty)} network file of {length} bytes allocated {allocated} bytes "
                + $"({(double)allocated / length:F2}× its size); the bound is 8× + 256 KiB = {ReaderTarget.AllocationBound(length)}.");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
