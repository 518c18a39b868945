using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// Saving is atomic even across a crash: a process killed (SIGKILL) in the middle of writing a large
/// network file over an existing one leaves the existing file byte for byte intact and loadable.
/// </summary>
public sealed class AtomicSaveTests : IDisposable
{
    private const int Hidden = 1024; // two LSTM layers: about 67 MB to write

    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-crash-").FullName;

    [Fact]
    public void KillingTheWriterMidSaveLeavesTheOldFileIntact()
    {
        string path = Path.Combine(folder, "model.safetensors");
        RecurrentNetwork old = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), 5);
        NetworkFile.Save(old, path);
        byte[] before = File.ReadAllBytes(path);

        string writer = Path.Combine(AppContext.BaseDirectory, "FastRnn.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"{writer} is missing: the test project must reference tests/FastRnn.CrashWriter");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using Process child = Process.Start(start)!;
        string? temp = null;
        try
        {
            // Kill it as soon as the temporary file appears: the data has only begun to be written.
            var clock = Stopwatch.StartNew();
            while (temp is null && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                string[] temps = Directory.GetFiles(folder, ".model.safetensors.*.tmp");
                temp = temps.Length > 0 ? temps[0] : null;
                if (temp is null)
                {
                    Thread.Sleep(1);
                }
            }

            child.Kill();
            child.WaitForExit();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        Assert.True(temp is not null, $"the writer exited (code {child.ExitCode}) before its temporary file appeared: {child.StandardError.ReadToEnd()}");
        long expectedLength = 8L * Hidden * Hidden * 4 * 4; // weight_ih and weight_hh of both layers alone
        long written = new FileInfo(temp).Length;
        Assert.True(written < expectedLength, $"the writer was killed after writing {written} of at least {expectedLength} bytes: not mid-write");
        Assert.Equal(before, File.ReadAllBytes(path));
        RecurrentNetwork reloaded = NetworkFile.Load(path);
        Assert.Equal(old.GetParameter("weight_hh_l0").ToArray(), reloaded.GetParameter("weight_hh_l0").ToArray());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
