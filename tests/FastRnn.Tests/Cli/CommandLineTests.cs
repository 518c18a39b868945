using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using FastRnn.Cli.Bench;
using FastRnn.Cli.Commands;
using FastRnn.Cli.Output;
using FastRnn.Cli.Plotting;
using FastRnn.Cli.Tasks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// The `fastrnn` command line: `--help` on every command, usage errors that say what is wrong and
/// exit with the command's code before anything runs, and `train --plot` writing a PNG.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-cli-").FullName;

    [Theory]
    [InlineData("selftest", "--expect-path")]
    [InlineData("demo", "")]
    [InlineData("info", "")]
    [InlineData("bench", "--out")]
    [InlineData("eval", "CASE.safetensors --model MODEL.safetensors --out --check --weights fp32|bf16|int8")]
    [InlineData("train", "TASK --cell lstm|gru|rnn|rnn-relu --epochs --hidden --steps --seed --quick --plot --save")]
    [InlineData("generate", "MODEL.safetensors --prime --count --temperature --seed")]
    [InlineData("import", "MODEL.onnx --out --node")]
    [InlineData("loadtest", "--url --in-process --allow-remote --streams --frames --interval-ms --warmup-frames --timeout-s --seed --window --model --rnn-prefix --head-prefix --head-activation none|sigmoid|softmax --nonlinearity tanh|relu --ignore-other-tensors --weights fp32|bf16|int8 --max-batch --max-queue-delay-us --threads")]
    public void EveryCommandHasHelpNamingItsArgumentsAndOptions(string command, string expected)
    {
        var output = new StringWriter();
        Assert.Equal(0, FastRnnCommandLine.Run([command, "--help"], output));
        string help = output.ToString();
        Assert.Contains($"Usage:{Environment.NewLine}  fastrnn {command}", help, StringComparison.Ordinal);
        foreach (string word in expected.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(word, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheRootHelpListsEveryCommand()
    {
        foreach (string[] args in new[] { new[] { "--help" }, new[] { "help" } })
        {
            var output = new StringWriter();
            Assert.Equal(0, FastRnnCommandLine.Run(args, output));
            foreach (string command in new[] { "selftest", "demo", "info", "bench", "eval", "train", "generate", "import", "loadtest" })
            {
                Assert.Contains($"  {command}", output.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(2, "fastrnn: Unrecognized command or argument 'bogus'", "bogus")]
    [InlineData(2, "fastrnn info: Unrecognized command or argument 'extra'", "info", "extra")]
    [InlineData(2, "fastrnn bench: Unrecognized command or argument 'extra'", "bench", "extra")]
    [InlineData(2, "--expect-path must be Vector512, Vector256, Vector128 or Scalar, got 'avx'", "selftest", "--expect-path", "avx")]
    [InlineData(2, "give --out RESULT.safetensors, --check, or both", "eval", "case.safetensors")]
    [InlineData(2, "fastrnn eval: give a case (fastrnn eval CASE.safetensors) and --out RESULT.safetensors, --check, or both", "eval")]
    [InlineData(2, "fastrnn eval: Required argument missing", "eval", "--check")]
    [InlineData(2, "--weights must be fp32, bf16 or int8, got 'fp16'", "eval", "case.safetensors", "--check", "--weights", "fp16")]
    [InlineData(2, "fastrnn train: Required argument missing", "train")]
    [InlineData(2, "unknown task 'nope'; tasks: moving-average, char-lm, pattern, reverse", "train", "nope")]
    [InlineData(2, "--cell must be lstm, gru, rnn or rnn-relu, got 'lsmt'", "train", "pattern", "--cell", "lsmt")]
    [InlineData(2, "--epochs must be an integer in 1..10000, got '0'", "train", "pattern", "--epochs", "0")]
    [InlineData(2, "--hidden must be an integer in 1..4096, got '4097'", "train", "pattern", "--hidden", "4097")]
    [InlineData(2, "--steps must be an integer in 2..5000, got '1'", "train", "pattern", "--steps", "1")]
    [InlineData(2, "--steps must be an integer in 2..5000, got '100000'", "train", "pattern", "--steps", "100000")]
    [InlineData(2, "--steps is for the tasks that take a sequence length (pattern); reverse has its own", "train", "reverse", "--quick", "--steps", "5")]
    [InlineData(2, "--save 'both.png' and --plot 'both.png' name the same file: the plot would replace the model", "train", "pattern", "--quick", "--save", "both.png", "--plot", "both.png")]
    [InlineData(2, "--save 'no-such-folder/m.safetensors': the folder", "train", "pattern", "--quick", "--save", "no-such-folder/m.safetensors")]
    [InlineData(2, "--plot 'no-such-folder/loss.png': the folder", "train", "pattern", "--quick", "--plot", "no-such-folder/loss.png")]
    [InlineData(2, "--save '.' is a directory; give a file", "train", "pattern", "--quick", "--save", ".")]
    [InlineData(2, "--save must not be empty", "train", "pattern", "--quick", "--save", "")]
    [InlineData(2, "--plot must not be empty", "train", "pattern", "--quick", "--plot", "")]
    [InlineData(2, "--plot writes a PNG: give a file name ending in .png, got 'loss.svg'", "train", "pattern", "--quick", "--plot", "loss.svg")]
    [InlineData(2, "--out must not be empty", "bench", "--out", "")]
    [InlineData(2, "--out must not be empty", "eval", "case.safetensors", "--out", "")]
    [InlineData(2, "--out 'no-such-folder/m.safetensors': the folder", "import", "model.onnx", "--out", "no-such-folder/m.safetensors")]
    [InlineData(2, "--seed must be an integer in 0..2147483647, got '-1'", "train", "pattern", "--seed", "-1")]
    [InlineData(2, "Unrecognized command or argument '--epoch'", "train", "pattern", "--epoch", "3")]
    [InlineData(2, "--count must be an integer in 1..100000, got 'many'", "generate", "model.safetensors", "--count", "many")]
    [InlineData(2, "--temperature must be a number in 0.01..10, got '0'", "generate", "model.safetensors", "--temperature", "0")]
    [InlineData(2, "--prime must not be empty", "generate", "model.safetensors", "--prime", "")]
    [InlineData(2, "Option '--out' is required", "import", "model.onnx")]
    public void UsageErrorsSayWhatIsWrongAndExitWithTheCommandsCode(int exitCode, string message, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(exitCode, FastRnnCommandLine.Run(args, output, error));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help' for usage", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString()); // Nothing ran.
    }

    [Fact]
    public void TrainWritesTheLossCurvesAsPng()
    {
        string plot = Path.Combine(folder, "loss.png");
        string model = Path.Combine(folder, "model.safetensors");
        Assert.Equal(0, FastRnnCommandLine.Run(["train", "pattern", "--quick", "--epochs", "2", "--seed", "3", "--plot", plot, "--save", model]));
        AssertPng(File.ReadAllBytes(plot));
        Assert.True(new FileInfo(model).Length > 0);
        // AtomicFile writes to ".<name>.<guid>.tmp" beside the target and renames it over the target;
        // a save that left its temporary file behind shows up here, and so would any other stray file.
        Assert.Empty(Directory.GetFiles(folder, ".model.safetensors.*.tmp"));
        Assert.Equal(["loss.png", "model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BenchRefusesAFileAsItsFolderBeforeMeasuring()
    {
        string file = Path.Combine(folder, "results.md");
        File.WriteAllText(file, "not a folder");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["bench", "--out", file], output, error));
        Assert.Contains($"--out '{file}' is a file; give a folder", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal(2, FastRnnCommandLine.Run(["bench", "--out", Path.Combine(file, "below")], output, error));
        Assert.Contains($"'{file}' is a file, not a folder", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BenchReplacesItsReportInsteadOfWritingIntoTheOldOne()
    {
        // A write into the old file shows through a link to it; a new file renamed over it does not.
        string old = Path.Combine(folder, "old.md");
        File.WriteAllText(old, "the old report");
        string report = Path.Combine(folder, "cpu", "quick.md");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        File.CreateSymbolicLink(report, old);

        BenchCommand.WriteReport(report, [new QuickBenchRow("gemv", "[64 x 64]", "Vector512", 1.5, 8192)]);

        Assert.Equal("the old report", File.ReadAllText(old));
        Assert.Null(new FileInfo(report).LinkTarget);
        Assert.Contains("| gemv | [64 x 64] | Vector512 | 1.50 |", File.ReadAllText(report), StringComparison.Ordinal);
        Assert.Equal(["quick.md"], Directory.GetFiles(Path.GetDirectoryName(report)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailureNoCommandCatchesIsOneLineAndExitCode1()
    {
        var error = new StringWriter();
        Assert.Equal(1, FastRnnCommandLine.Run(["info"], new FullDisk(), error));
        Assert.Equal($"fastrnn info: No space left on device{Environment.NewLine}", error.ToString());
    }

    [Fact]
    public void StandardOutputOnAFullDiskIsOneLineAndExitCode1()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Skip("/dev/full is Linux's");
        }

        string cli = typeof(FastRnnCommandLine).Assembly.Location;
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec \"$0\" \"$1\" info > /dev/full", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", cli])
        {
            RedirectStandardError = true,
        };
        using Process child = Process.Start(start)!;
        string error = child.StandardError.ReadToEnd();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the child did not stop");
        Assert.Equal(1, child.ExitCode);
        Assert.Equal("fastrnn info: No space left on device", error.Trim());
    }

    [Fact]
    public void TheEpochLineSaysItsLossIsTheLastBatchsAndReadsTheSameInEveryCulture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = LoadTestCommandTests.CommaCulture();
        try
        {
            Assert.Equal(
                "epoch 3/20 batch 40/40 batch loss 0.1234 val 0.1300 12,345 ex/s",
                TrainingProgressDisplay.Describe(new TrainingProgress(3, 20, 40, 40, 0.1234f, 12_345, 0.13f)));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void TheWeightsTableShowsTheAbsoluteChangeWhenTheFp32FigureIs0()
    {
        Assert.Equal("+0.2500 (fp32 is 0)", TrainCommand.Change(0.25, 0));
        Assert.Equal("0.0000 (fp32 is 0)", TrainCommand.Change(0, 0));
        Assert.Equal("-50.00%", TrainCommand.Change(0.25, 0.5));
    }

    [Fact]
    public void TheCharLmResultSaysWhatItsFiguresAre() =>
        Assert.Equal(
            $"held-out loss 1.755 nats/char, perplexity 5.78 (a uniform guess scores {CharLmTask.Alphabet.Length}, the number of chars)",
            CharLmTask.Describe(1.755f));

    [Fact]
    public void APlotOfADivergedRunLeavesTheNonFiniteLossesOut() =>
        AssertPng(LossPlot.Render("diverged", [1.5f, float.NaN, float.PositiveInfinity, 0.5f], [float.NaN]));

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Standard output on a full disk.</summary>
    private sealed class FullDisk : StringWriter
    {
        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");

        public override void WriteLine(string? value) => throw new IOException("No space left on device");
    }

    /// <summary>A PNG signature and an IHDR chunk of the plot's size (900 x 540).</summary>
    private static void AssertPng(byte[] png)
    {
        Assert.True(png.Length > 1000, $"{png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(540, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
