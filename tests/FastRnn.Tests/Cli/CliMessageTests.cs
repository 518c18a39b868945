using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Tests.Modules;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// Messages of the command line checked against what README.md promises: a bad value is refused in
/// one line naming the option, what it accepts and what was given; a path under a file says so; and
/// the in-process load test does not claim the batcher lacks a head it has.
/// </summary>
public sealed class CliMessageTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-cli-messages-").FullName;

    [Fact]
    public void ABadAmbiguousActivationsValueNamesTheOptionInOneLine()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["import", "model.onnx", "--out", "model.safetensors", "--ambiguous-activations", "guess"], output, error));
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["fastrnn import: --ambiguous-activations must be refuse, onnxruntime or specification, got 'guess'", "Run 'fastrnn import --help' for usage."],
            lines);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Theory]
    [InlineData("train", "pattern", "--quick", "--save")]
    [InlineData("eval", "case.safetensors", "--out")]
    [InlineData("import", "model.onnx", "--out")]
    public void AnOutputBelowAFileSaysTheFileIsNoFolder(params string[] args)
    {
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "not a folder");
        string target = Path.Combine(file, "result.safetensors");
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run([.. args, target], new StringWriter(), error));
        Assert.Contains($"{args[^1]} '{target}': '{file}' is a file, not a folder", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheInProcessLoadTestDoesNotSayTheBatcherHasNoHead()
    {
        // README "Load test": "In-process, a module's head is the batcher's, as in the service".
        ModuleCaseData c = ModuleCaseData.Load("lstm_l2_head_softmax");
        IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.Read(c.CasePath).Metadata;
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = FastRnnCommandLine.Run(
            ["loadtest", "--in-process", "--model", c.ModelPath, "--rnn-prefix", metadata["rnn_prefix"], "--head-prefix", metadata["head_prefix"], "--head-activation", metadata["head_activation"], "--streams", "1", "--frames", "3", "--interval-ms", "0", "--timeout-s", "30"],
            output,
            error);
        Assert.True(exit == 0, output + "\n" + error);
        Assert.DoesNotContain("has no head", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("the batcher applies the head to each batch after its step, as the server does", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
