using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>`fastrnn import`: network files with conformance-format metadata that `fastrnn eval` runs.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-import-").FullName;

    [Fact]
    public void Import_writes_a_network_file_that_eval_runs_with_the_onnx_results()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 4, 5, 1, directions: 2), OnnxNodeSpec.Random("LSTM", 10, 5, 2, directions: 2)];
        var c = new OnnxCase(specs, new OnnxModelOptions { SequenceLens = true }, steps: 5, batch: 2, seed: 3);
        string model = Write("stack.onnx", c.ModelBytes);
        string output = Path.Combine(folder, "stack.safetensors");

        Assert.Equal(0, FastRnnCommandLine.Run(["import", model, "--out", output]));

        SafeTensorsFile file = SafeTensorsFile.Read(output);
        Assert.Equal("LSTM", file.Metadata["mode"]);
        Assert.Equal("standard", file.Metadata["variant"]);
        Assert.Equal("4", file.Metadata["input_size"]);
        Assert.Equal("5", file.Metadata["hidden_size"]);
        Assert.Equal("0", file.Metadata["proj_size"]);
        Assert.Equal("2", file.Metadata["num_layers"]);
        Assert.Equal("true", file.Metadata["bidirectional"]);
        Assert.Equal("true", file.Metadata["bias"]);
        Assert.Equal("false", file.Metadata["batch_first"]);
        Assert.True(file.Contains("weight_hh_l1_reverse"));

        // A case for `fastrnn eval`: the imported weights and metadata plus input and lengths.
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in file.Metadata)
        {
            writer.SetMetadata(key, value);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            writer.Add(entry.Name, file.ReadFloat32(entry.Name), [.. entry.Shape]);
        }

        writer.Add("input", c.X, [c.Steps, c.Batch, 4]);
        writer.Add("lengths", c.Lengths!.Select(l => (long)l).ToArray(), [c.Batch]);
        string casePath = Path.Combine(folder, "case.safetensors");
        writer.Save(casePath);
        string result = Path.Combine(folder, "result.safetensors");

        Assert.Equal(0, FastRnnCommandLine.Run(["eval", casePath, "--out", result]));

        SafeTensorsFile computed = SafeTensorsFile.Read(result);
        double[] y = OnnxLayouts.OutputToY(computed.ReadFloat32("output"), c.Steps, c.Batch, 2, 5, layout: 0);
        Assert.True(OnnxLayouts.RelativeError(y, c.RunReference().Y) <= 1e-5);
    }

    [Fact]
    public void Several_networks_are_written_one_file_each_named_after_their_node()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("GRU", 4, 5, 1), OnnxNodeSpec.Random("RNN", 5, 3, 2)];
        var model = OnnxModelBuilder.Build(specs);
        model.Graph.Node.Single(n => n.Name == "rnn1").Name = "/rnn/RNN";
        string path = Write("two.onnx", OnnxModelBuilder.Bytes(model));

        Assert.Equal(0, FastRnnCommandLine.Run(["import", path, "--out", Path.Combine(folder, "out.safetensors")]));

        Assert.Equal(CellKind.Gru, NetworkFile.Load(Path.Combine(folder, "out.rnn0.safetensors")).Description.Kind);
        Assert.Equal(CellKind.RnnTanh, NetworkFile.Load(Path.Combine(folder, "out.rnn_RNN.safetensors")).Description.Kind);
        Assert.False(File.Exists(Path.Combine(folder, "out.safetensors")));

        Assert.Equal(0, FastRnnCommandLine.Run(["import", path, "--out", Path.Combine(folder, "one.safetensors"), "--node", "/rnn/RNN"]));
        Assert.Equal(3, NetworkFile.Load(Path.Combine(folder, "one.safetensors")).Description.HiddenSize);
    }

    [Fact]
    public void File_names_from_node_names_are_safe_and_unique()
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { Path.Combine("d", "m.a_b.safetensors") };
        Assert.Equal(Path.Combine("d", "m.a_b_2.safetensors"), ImportCommand.UniquePath(Path.Combine("d", "m.safetensors"), "/a/b", taken));
        Assert.Equal(Path.Combine("d", "m.node.safetensors"), ImportCommand.UniquePath(Path.Combine("d", "m.safetensors"), "//", taken));
    }

    [Fact]
    public void Refused_models_and_bad_arguments_fail_without_writing()
    {
        var model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 4, 1));
        model.Graph.Node.Single(n => n.OpType == "LSTM").Attribute.Add(OnnxModelBuilder.Attribute("input_forget", 2L));
        string path = Write("refused.onnx", OnnxModelBuilder.Bytes(model));
        string output = Path.Combine(folder, "never.safetensors");

        Assert.Equal(1, FastRnnCommandLine.Run(["import", path, "--out", output]));
        Assert.Equal(2, FastRnnCommandLine.Run(["import", path]));
        Assert.Equal(2, FastRnnCommandLine.Run(["import", path, "--out", output, "--bogus", "x"]));
        Assert.Equal(1, FastRnnCommandLine.Run(["import", Path.Combine(folder, "missing.onnx"), "--out", output]));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Ambiguous_activations_are_refused_unless_a_reading_is_chosen()
    {
        var model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 4, 1).WithActivations(["Affine", "Tanh"]));
        string path = Write("affine.onnx", OnnxModelBuilder.Bytes(model));
        string output = Path.Combine(folder, "affine.safetensors");

        Assert.Equal(1, FastRnnCommandLine.Run(["import", path, "--out", output]));
        Assert.False(File.Exists(output));
        Assert.Equal(2, FastRnnCommandLine.Run(["import", path, "--out", output, "--ambiguous-activations", "guess"]));

        Assert.Equal(0, FastRnnCommandLine.Run(["import", path, "--out", output, "--ambiguous-activations", "onnxruntime"]));
        Assert.Equal("Affine(0,0);Tanh", SafeTensorsFile.Read(output).Metadata["activations"]);
        Assert.Equal(0, FastRnnCommandLine.Run(["import", path, "--out", output, "--ambiguous-activations", "specification"]));
        Assert.Equal("Affine(1,0);Tanh", SafeTensorsFile.Read(output).Metadata["activations"]);
    }

    [Fact]
    public void The_import_summary_names_every_onnx_option()
    {
        OnnxNodeSpec spec = OnnxActivationCases.WithFunction(OnnxNodeSpec.Random("LSTM", 3, 4, 1, reverse: true, clip: 1.5f, inputForget: true), "HardSigmoid", 0);
        var c = new OnnxCase([spec], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1);

        string line = ImportCommand.Describe(Assert.Single(c.Import()));

        Assert.Contains("1 layer(s), reverse, clip 1.5, input_forget, activations HardSigmoid(", line, StringComparison.Ordinal);
        Assert.EndsWith("from node(s) rnn0", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
