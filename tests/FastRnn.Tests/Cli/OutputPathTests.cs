using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FastRnn.Cli.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Modules;
using FastRnn.Tests.Onnx;
using FastRnn.Tests.Reference;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// What the commands write: never over one of their inputs, every file of an import or none, errors
/// that name the user's path; and what they read: once (a pipe works), and with nothing left unchecked.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class OutputPathTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-cli-paths-").FullName;

    [Fact]
    public void SaveAndPlotNamingOneFileThroughALinkAreRefusedBeforeTraining()
    {
        string model = Path.Combine(folder, "model.png");
        string link = Path.Combine(folder, "link.png");
        File.CreateSymbolicLink(link, model); // dangling: the model is not written yet

        (int exit, string output, string error) = ConsoleCapture.Run(["train", "pattern", "--quick", "--save", model, "--plot", link]);

        Assert.Equal(2, exit);
        Assert.Contains("name the same file: the plot would replace the model", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training", output, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void AnOutputThatIsOneOfTheInputsIsRefusedAndTheInputKept()
    {
        string caseFile = Copy(Path.Combine(ConformanceCase.Folder, "lstm_l1_b2.safetensors"), "case.safetensors");
        string caseLink = Path.Combine(folder, "case-link.safetensors");
        File.CreateSymbolicLink(caseLink, caseFile);
        ModuleCaseData module = ModuleCaseData.Load("lstm_l2_head_softmax");
        string model = Copy(module.ModelPath, "model.safetensors");
        string onnx = Path.Combine(folder, "in.onnx");
        File.WriteAllBytes(onnx, OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 4, 5, 1))));
        var before = new[] { caseFile, model, onnx }.ToDictionary(f => f, File.ReadAllBytes);

        (int exit, _, string error) = ConsoleCapture.Run(["eval", caseFile, "--out", caseFile, "--check"]);
        Assert.Equal(2, exit);
        Assert.Contains($"--out '{caseFile}' is the same file as the case '{caseFile}'", error, StringComparison.Ordinal);

        (exit, _, error) = ConsoleCapture.Run(["eval", caseFile, "--out", caseLink]);
        Assert.Equal(2, exit);
        Assert.Contains($"--out '{caseLink}' is the same file as the case", error, StringComparison.Ordinal);

        (exit, _, error) = ConsoleCapture.Run(["eval", module.CasePath, "--model", model, "--out", model, "--check"]);
        Assert.Equal(2, exit);
        Assert.Contains($"--out '{model}' is the same file as --model '{model}'", error, StringComparison.Ordinal);

        (exit, _, error) = ConsoleCapture.Run(["import", onnx, "--out", onnx]);
        Assert.Equal(2, exit);
        Assert.Contains($"--out '{onnx}' is the same file as the ONNX model '{onnx}'", error, StringComparison.Ordinal);

        foreach ((string file, byte[] bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void AnImportOfSeveralNetworksWritesNoneWhenOneDestinationCannotBeWritten()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 4, 5, 1), OnnxNodeSpec.Random("GRU", 5, 3, 1), OnnxNodeSpec.Random("RNN", 3, 2, 1)];
        string onnx = Path.Combine(folder, "three.onnx");
        File.WriteAllBytes(onnx, OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(specs)));
        string blocked = Path.Combine(folder, "three.rnn1.safetensors");
        Directory.CreateDirectory(blocked);

        (int exit, string output, string error) = ConsoleCapture.Run(["import", onnx, "--out", Path.Combine(folder, "three.safetensors")]);

        Assert.Equal(1, exit);
        Assert.Contains($"'{blocked}' is a directory", error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", output, StringComparison.Ordinal);
        Assert.Equal(["three.onnx", "three.rnn1.safetensors"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AWriteErrorNamesThePathTheUserGaveNotTheTemporaryFile()
    {
        // 250 characters: a valid name, but the temporary file beside it (".NAME.GUID.tmp") is too long for Linux.
        string result = Path.Combine(folder, new string('r', 250));
        (int exit, _, string error) = ConsoleCapture.Run(["eval", Path.Combine(ConformanceCase.Folder, "lstm_l1_b2.safetensors"), "--out", result]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"fastrnn eval: could not write {result}: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);

        string onnx = Path.Combine(folder, "in.onnx");
        File.WriteAllBytes(onnx, OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 4, 5, 1))));
        (exit, _, error) = ConsoleCapture.Run(["import", onnx, "--out", result]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"fastrnn import: could not write {result}: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
        Assert.Equal(["in.onnx"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void CheckFailsWhenTheCaseHoldsNoExpectedTensor()
    {
        string source = Path.Combine(ConformanceCase.Folder, "lstm_l1_b2.safetensors");
        string inputsOnly = Rewrite(source, "inputs-only.safetensors", name => SafeTensorsFile.Read(source).Get(name).DType != SafeTensorsDType.F64);

        (int exit, string output, string error) = ConsoleCapture.Run(["eval", inputsOnly, "--check"]);

        Assert.Equal(1, exit);
        Assert.Contains("no expected tensor in the case: not checked", output, StringComparison.Ordinal);
        Assert.Contains("nothing was checked", error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckFailsWhenAModuleCasesHeadSizeIsNotTheModelsHeads()
    {
        ModuleCaseData module = ModuleCaseData.Load("lstm_l2_head_softmax");
        string changed = Rewrite(module.CasePath, "head999.case.safetensors", _ => true, ("head_size", "999"));

        (int exit, _, string error) = ConsoleCapture.Run(["eval", changed, "--model", module.ModelPath, "--check"]);

        Assert.Equal(1, exit);
        Assert.Contains("head_size = '999', but the model's head at 'head.' has 5 outputs", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateReadsItsModelOnceSoAPipeWorks()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("FIFOs are POSIX");
        }

        SequenceModel model = CharLmTask.Create(CellKind.Gru, 8, seed: 1);
        string saved = Path.Combine(folder, "lm.safetensors");
        Checkpoint.Save(saved, model.Parameters, new Dictionary<string, string> { ["task"] = CharLmTask.Name, ["cell"] = "Gru", ["hidden"] = "8", ["alphabet"] = CharLmTask.Alphabet });
        byte[] bytes = File.ReadAllBytes(saved);
        string fifo = Path.Combine(folder, "lm.fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Task writing = Task.Run(() => File.WriteAllBytes(fifo, bytes), TestContext.Current.CancellationToken);
        Task<(int Exit, string Output, string Error)> generating = Task.Run(() => ConsoleCapture.Run(["generate", fifo, "--count", "20"]), TestContext.Current.CancellationToken);
        if (await Task.WhenAny(generating, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)) != generating)
        {
            File.WriteAllBytes(fifo, []); // a second open of the pipe waits for a writer: give it an empty one, so the command stops
        }

        (int exit, string output, string error) = await generating;
        await writing;
        Assert.True(exit == 0, error);
        Assert.StartsWith("The ", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Copy(string source, string name)
    {
        string path = Path.Combine(folder, name);
        File.Copy(source, path);
        return path;
    }

    /// <summary>A copy of a safetensors file with the tensors <paramref name="keep"/> says and, if given, one metadata entry set.</summary>
    private string Rewrite(string source, string name, Func<string, bool> keep, (string Key, string Value)? metadata = null)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(source);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in file.Metadata)
        {
            writer.SetMetadata(key, key == metadata?.Key ? metadata.Value.Value : value);
        }

        foreach (SafeTensorsEntry entry in file.Tensors.Where(t => keep(t.Name)))
        {
            switch (entry.DType)
            {
                case SafeTensorsDType.F32: writer.Add(entry.Name, file.ReadFloat32(entry.Name), [.. entry.Shape]); break;
                case SafeTensorsDType.F64: writer.Add(entry.Name, file.ReadFloat64(entry.Name), [.. entry.Shape]); break;
                default: writer.Add(entry.Name, file.ReadInt64(entry.Name), [.. entry.Shape]); break;
            }
        }

        string path = Path.Combine(folder, name);
        writer.Save(path);
        return path;
    }
}
