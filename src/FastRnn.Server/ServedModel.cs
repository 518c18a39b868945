using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Server;

/// <summary>The network (and head) the service runs, loaded once from the options' model file, and the sizes clients see.</summary>
internal sealed class ServedModel
{
    private ServedModel(RecurrentNetwork network, DenseHead? head, string source)
    {
        Network = network;
        Head = head;
        Source = source;
    }

    public RecurrentNetwork Network { get; }

    public DenseHead? Head { get; }

    /// <summary>The file, as given.</summary>
    public string Source { get; }

    public NetworkDescription Description => Network.Description;

    /// <summary>Floats per frame a client sends (I).</summary>
    public int InputSize => Network.Description.InputSize;

    /// <summary>Floats per answer (O): the head's C with a head, else H_out.</summary>
    public int OutputSize => Head?.OutputSize ?? Network.Description.OutputSize;

    public string WeightsName => NetworkFile.FormatName(Network.WeightFormat);

    /// <exception cref="ServerOptionsException">The file cannot be read or does not hold the model the options describe.</exception>
    public static ServedModel Load(ServerOptions options)
    {
        try
        {
            if (options.RnnPrefix is null)
            {
                // Serving only runs the network: its matrices are kept packed, once (README, "Reduced-precision weights").
                RecurrentNetwork network = NetworkFile.Load(options.ModelPath, options.Weights, inferenceOnly: true);
                return new ServedModel(network, null, options.ModelPath);
            }

            LoadedModule module = ModuleFile.Load(options.ModelPath, new ModuleLoadOptions
            {
                RnnPrefix = options.RnnPrefix, HeadPrefix = options.HeadPrefix, HeadActivation = options.HeadActivation,
                Nonlinearity = options.Nonlinearity, IgnoreOtherTensors = options.IgnoreOtherTensors,
                WeightFormat = options.Weights ?? WeightFormat.Float32,
                InferenceOnly = true,
            });
            return new ServedModel(module.Network, module.Head, options.ModelPath);
        }
        catch (Exception e) when (e is FastRnnFormatException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ServerOptionsException($"--model {options.ModelPath}: {e.Message}", e);
        }
    }

    /// <summary>The one text message a client receives first: the sizes it needs to speak the protocol, UTF-8 JSON.</summary>
    public byte[] Hello(int maxBatch)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            NetworkDescription d = Description;
            json.WriteStartObject();
            json.WriteNumber("input_size", InputSize);
            json.WriteNumber("output_size", OutputSize);
            json.WriteString("cell", d.Kind.ToString());
            json.WriteNumber("hidden_size", d.HiddenSize);
            json.WriteNumber("layers", d.NumLayers);
            json.WriteString("weights", WeightsName);
            json.WriteString("isa", Isa.Active.ToString());
            json.WriteNumber("max_batch", maxBatch);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
