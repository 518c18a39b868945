using System;
using System.IO;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FsCheck;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>
/// Loading from a path, a stream and bytes; what is inferred from names and shapes; prefixes
/// (nested, empty, without their dot); tensors outside the prefixes ignored only when asked.
/// </summary>
public sealed class ModuleFileSourceTests
{
    [Fact]
    public void PathStreamAndBytesLoadTheSameModule()
    {
        ModuleCaseData c = ModuleCaseData.Load("lstm_proj_nested_extra");
        byte[] bytes = File.ReadAllBytes(c.ModelPath);
        LoadedModule fromPath = ModuleFile.Load(c.ModelPath, c.Options);
        LoadedModule fromBytes = ModuleFile.Load(bytes, c.Options);
        using var seekable = new MemoryStream(bytes);
        LoadedModule fromStream = ModuleFile.Load(seekable, c.Options);
        using var unseekable = new ForwardOnlyStream(bytes);
        LoadedModule fromUnseekable = ModuleFile.Load(unseekable, c.Options, "piped");

        foreach (LoadedModule loaded in new[] { fromBytes, fromStream, fromUnseekable })
        {
            Assert.Equal(fromPath.Network.Description, loaded.Network.Description);
            foreach (string name in fromPath.Network.ParameterNames)
            {
                Assert.True(fromPath.Network.GetParameter(name).SequenceEqual(loaded.Network.GetParameter(name)), name);
            }

            Assert.True(fromPath.Head!.Weight.SequenceEqual(loaded.Head!.Weight));
            Assert.True(fromPath.Head.Bias.SequenceEqual(loaded.Head.Bias));
            Assert.Equal(["embedding.weight", "norm.weight", "norm.bias"], loaded.IgnoredTensors);
        }

        var expected = new NetworkDescription(CellKind.Lstm, 10, 40) { ProjectionSize = 16 };
        Assert.Equal(expected, fromPath.Network.Description);
        Assert.Equal(7, fromPath.Head!.OutputSize);
        Assert.Equal(16, fromPath.Head.InputSize);
    }

    [Fact]
    public void AStreamIsReadFromItsPositionAndLeftOpen()
    {
        byte[] bytes = ModuleBytes.LstmWithHead(out _).ToArray();
        using var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        stream.Write(bytes);
        stream.Position = 3;
        LoadedModule module = ModuleFile.Load(stream, new ModuleLoadOptions { RnnPrefix = "rnn", HeadPrefix = "head" });
        Assert.Equal(5, module.Head!.OutputSize);
        Assert.Equal(bytes.Length + 3, stream.Position);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public void AStreamThatEndsEarlyIsAFormatError()
    {
        byte[] bytes = ModuleBytes.LstmWithHead(out _).ToArray();
        using var stream = new ForwardOnlyStream(bytes.AsSpan(0, 20).ToArray());
        string message = Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Read(stream, "piped")).Message;
        Assert.Contains("Invalid safetensors file 'piped': the header length is", message, StringComparison.Ordinal);
    }

    [Fact]
    public void IgnoredTensorsMayBeOfAnyDtypeAndAreListed()
    {
        SafeTensorsWriter writer = ModuleBytes.LstmWithHead(out RecurrentNetwork network);
        writer.Add("bn.running_mean", new float[8], [8]);
        writer.Add("bn.num_batches_tracked", [42L], []);
        writer.AddInt8("quantized.table", new sbyte[4], [4]);
        var options = new ModuleLoadOptions { RnnPrefix = "rnn.", HeadPrefix = "head.", IgnoreOtherTensors = true };
        LoadedModule module = ModuleFile.Load(writer.ToArray(), options);
        Assert.Equal(["bn.running_mean", "bn.num_batches_tracked", "quantized.table"], module.IgnoredTensors);
        Assert.Equal(network.Description, module.Network.Description);

        LoadedModule alone = ModuleFile.Load(ModuleBytes.LstmWithHead(out _).ToArray(), options);
        Assert.Empty(alone.IgnoredTensors);
    }

    [Fact]
    public void NestedPrefixesBelongToTheLongerOneAndABareStateDictHasAnEmptyPrefix()
    {
        var network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 4, 6), seed: 2);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(network, "encoder.");
        ModuleBytes.AddHead(writer, "encoder.proj.", 3, 6, bias: false);
        LoadedModule nested = ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = "encoder.", HeadPrefix = "encoder.proj.", HeadActivation = HeadActivation.Softmax });
        Assert.Equal(network.Description, nested.Network.Description);
        Assert.False(nested.Head!.HasBias);
        Assert.Equal(HeadActivation.Softmax, nested.Head.Activation);

        SafeTensorsWriter bare = ModuleBytes.Recurrent(network, string.Empty);
        Assert.Equal(network.Description, ModuleFile.Load(bare.ToArray(), new ModuleLoadOptions { RnnPrefix = string.Empty }).Network.Description);
    }

    [Fact]
    public void OptionsTheWeightsDoNotRecordAreTakenFromTheCaller()
    {
        SafeTensorsWriter writer = ModuleBytes.LstmWithHead(out RecurrentNetwork network);
        var options = new ModuleLoadOptions { RnnPrefix = "rnn.", HeadPrefix = "head.", BatchFirst = true, WeightFormat = WeightFormat.Int8 };
        LoadedModule module = ModuleFile.Load(writer.ToArray(), options);
        Assert.True(module.Network.Description.BatchFirst);
        Assert.Equal(WeightFormat.Int8, module.Network.WeightFormat);
        Assert.True(network.GetParameter("weight_hh_l1").SequenceEqual(module.Network.GetParameter("weight_hh_l1")));
    }

    [Property(MaxTest = 60)]
    public void TheDescriptionIsInferredFromNamesAndShapes(byte kindChoice, byte layers, bool bidirectional, bool bias, byte projection, byte hidden, byte input)
    {
        CellKind kind = (CellKind)(kindChoice % 4);
        int h = 2 + (hidden % 20);
        var description = new NetworkDescription(kind, 1 + (input % 9), h)
        {
            NumLayers = 1 + (layers % 3),
            Bidirectional = bidirectional,
            Bias = bias,
            ProjectionSize = kind == CellKind.Lstm ? projection % h : 0,
        };
        var network = RecurrentNetwork.CreateRandom(description, seed: kindChoice + layers);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(network, "model.rnn.");
        ModuleBytes.AddHead(writer, "model.head.", 3, description.OutputSize);
        var options = new ModuleLoadOptions
        {
            RnnPrefix = "model.rnn.",
            HeadPrefix = "model.head.",
            Nonlinearity = kind switch { CellKind.RnnTanh => RnnNonlinearity.Tanh, CellKind.RnnRelu => RnnNonlinearity.Relu, _ => null },
        };
        LoadedModule module = ModuleFile.Load(writer.ToArray(), options);
        Assert.Equal(description, module.Network.Description);
        Assert.Equal(description.OutputSize, module.Head!.InputSize);
    }

    /// <summary>A pipe-like stream: readable once, front to back, with no length.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, data.Length - position), 1000); // short reads, as a pipe gives
            Array.Copy(data, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
