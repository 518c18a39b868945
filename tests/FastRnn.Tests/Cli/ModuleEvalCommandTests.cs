using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Tests.Modules;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>`fastrnn eval CASE --model MODEL` over every module case, and its refusals.</summary>
public sealed class ModuleEvalCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-module-eval-").FullName;

    [Theory]
    [MemberData(nameof(ModuleCaseData.Cases), MemberType = typeof(ModuleCaseData))]
    public void EvalWritesAndChecksEveryTensorOfEveryModuleCase(string name)
    {
        ModuleCaseData c = ModuleCaseData.Load(name);
        string result = Path.Combine(folder, name + ".out.safetensors");
        Assert.Equal(0, FastRnnCommandLine.Run(["eval", c.CasePath, "--model", c.ModelPath, "--out", result, "--check"]));

        SafeTensorsFile written = SafeTensorsFile.Read(result);
        SafeTensorsFile expected = SafeTensorsFile.Read(c.CasePath);
        Assert.Equal(c.Expected.Count, written.Tensors.Count);
        foreach ((string tensor, double[] values) in c.Expected)
        {
            Assert.Equal(SafeTensorsDType.F32, written.Get(tensor).DType);
            Assert.Equal(expected.Get(tensor).Shape, written.Get(tensor).Shape);
            double error = ReferenceTolerance.RelativeError(written.ReadFloat64(tensor), values);
            Assert.True(error <= 1e-5, $"{name}: {tensor} relative error {error:E3}");
        }
    }

    [Fact]
    public void CheckFailsWhenAnExpectedTensorIsOff()
    {
        // The same case with another model: the GRU case's weights scaled, so every figure moves.
        ModuleCaseData c = ModuleCaseData.Load("gru_bf_head_sigmoid");
        SafeTensorsFile model = SafeTensorsFile.Read(c.ModelPath);
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorsEntry entry in model.Tensors)
        {
            float[] values = model.ReadFloat32(entry.Name);
            values[0] += 0.5f;
            writer.Add(entry.Name, values, [.. entry.Shape]);
        }

        string changed = Path.Combine(folder, "changed.model.safetensors");
        writer.Save(changed);
        Assert.Equal(1, FastRnnCommandLine.Run(["eval", c.CasePath, "--model", changed, "--check"]));
    }

    [Fact]
    public void AModuleCaseNeedsItsModelAndANetworkCaseRefusesOne()
    {
        ModuleCaseData c = ModuleCaseData.Load("rnn_relu_layers");
        string result = Path.Combine(folder, "never.safetensors");
        var error = new StringWriter();
        TextWriter original = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, FastRnnCommandLine.Run(["eval", c.CasePath, "--out", result]));
            Assert.Equal(1, FastRnnCommandLine.Run(["eval", Path.Combine(ConformanceCase.Folder, "lstm_l1_b2.safetensors"), "--model", c.ModelPath, "--out", result]));
            Assert.Equal(1, FastRnnCommandLine.Run(["eval", c.CasePath, "--model", ModuleCaseData.Load("lstm_l2_head_softmax").ModelPath, "--out", result]));
        }
        finally
        {
            Console.SetError(original);
        }

        string messages = error.ToString();
        Assert.Contains("is a module case (metadata kind = module): give its weights with --model MODEL.safetensors", messages, StringComparison.Ordinal);
        Assert.Contains("--model is for module cases (metadata kind = module)", messages, StringComparison.Ordinal);
        Assert.Contains("no recurrent layer at prefix 'layers.0.'", messages, StringComparison.Ordinal);
        Assert.False(File.Exists(result));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
