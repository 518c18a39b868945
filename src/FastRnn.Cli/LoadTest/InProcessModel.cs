using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Networks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// The model of an in-process load test, loaded as the server loads it: a FastRnn network file, or,
/// with an rnn prefix, a PyTorch module's <c>state_dict</c> through <see cref="ModuleFile"/> with an
/// optional dense head.
/// </summary>
internal sealed record InProcessModel
{
    /// <summary>The .safetensors file.</summary>
    public required string Path { get; init; }

    /// <summary>The recurrent layer's prefix in a module's state_dict; null for a FastRnn network file.</summary>
    public string? RnnPrefix { get; init; }

    /// <summary>The head's prefix, or null for none.</summary>
    public string? HeadPrefix { get; init; }

    /// <summary>What the head applies after its affine map.</summary>
    public HeadActivation HeadActivation { get; init; } = HeadActivation.None;

    /// <summary>A module RNN's activation (the weights do not say).</summary>
    public RnnNonlinearity? Nonlinearity { get; init; }

    /// <summary>Whether a module's tensors under neither prefix are skipped rather than refused.</summary>
    public bool IgnoreOtherTensors { get; init; }

    /// <summary>How the recurrent weights are stored for the kernels; null as the server does: a network file's stored format, fp32 for a module.</summary>
    public WeightFormat? Weights { get; init; }

    /// <summary>Loads the network and its head (null without one).</summary>
    /// <exception cref="FastRnnFormatException">The file is not a network or module of this shape.</exception>
    /// <exception cref="System.IO.IOException">The file cannot be read.</exception>
    public (RecurrentNetwork Network, DenseHead? Head) Load()
    {
        if (RnnPrefix is null)
        {
            return (NetworkFile.Load(Path, Weights, inferenceOnly: true), null);
        }

        LoadedModule module = ModuleFile.Load(Path, new ModuleLoadOptions
        {
            RnnPrefix = RnnPrefix,
            HeadPrefix = HeadPrefix,
            HeadActivation = HeadActivation,
            Nonlinearity = Nonlinearity,
            IgnoreOtherTensors = IgnoreOtherTensors,
            WeightFormat = Weights ?? WeightFormat.Float32,
            InferenceOnly = true,
        });
        return (module.Network, module.Head);
    }
}
