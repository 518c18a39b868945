using System;
using System.IO;
using FastRnn.Heads;
using FastRnn.Networks;

namespace FastRnn.IO;

/// <summary>
/// Loads a PyTorch module as users save it, <c>safetensors.torch.save_file(model.state_dict(), path)</c>:
/// the recurrent layer under one name prefix (<c>rnn.weight_ih_l0</c>, ...) and an optional
/// <c>nn.Linear</c> head under another (<c>head.weight</c>, <c>head.bias</c>).
/// </summary>
/// <remarks>
/// The recurrent layer's description is inferred from the names and shapes (cell kind from the gate
/// rows: 4H LSTM, 3H GRU, H RNN; layers; projection; peepholes; bias; sizes; bidirectional); what they do not
/// record comes from <see cref="ModuleLoadOptions"/>. Every tensor under the prefixes must fit that
/// description exactly, and tensors under neither prefix are refused unless
/// <see cref="ModuleLoadOptions.IgnoreOtherTensors"/> is set. A FastRnn network file
/// (<see cref="NetworkFile.Save"/>) loaded with the empty prefix loads as its metadata records it,
/// including what shapes cannot show (a GRU's reset form, direction, clip, coupled gates,
/// activations); tensors or options that contradict the record are refused. Errors are
/// <see cref="FastRnnFormatException"/>s naming the tensor, its shape and what was expected.
/// </remarks>
public static class ModuleFile
{
    /// <summary>Loads a module from a .safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The prefixes and what the weights do not say.</param>
    /// <returns>The network, the head and the tensors ignored.</returns>
    /// <exception cref="FastRnnFormatException">The file is malformed, or its tensors do not form the module asked for.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent: an empty <see cref="ModuleLoadOptions.HeadPrefix"/>, the same prefix for both, or a value outside its enum (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static LoadedModule Load(string path, ModuleLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string rnn, string? head) = options.NormalizedPrefixes();
        return Load(SafeTensorsFile.Read(path), options, rnn, head);
    }

    /// <summary>Loads a module from a stream holding a .safetensors file (read from its position to its end; not closed).</summary>
    /// <param name="stream">The data.</param>
    /// <param name="options">The prefixes and what the weights do not say.</param>
    /// <param name="sourceName">A name for the data in error messages, or null.</param>
    /// <returns>The network, the head and the tensors ignored.</returns>
    /// <exception cref="FastRnnFormatException">The data is malformed, or its tensors do not form the module asked for.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent: an empty <see cref="ModuleLoadOptions.HeadPrefix"/>, the same prefix for both, or a value outside its enum (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static LoadedModule Load(Stream stream, ModuleLoadOptions options, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string rnn, string? head) = options.NormalizedPrefixes();
        return Load(SafeTensorsFile.Read(stream, sourceName), options, rnn, head);
    }

    /// <summary>Loads a module from the bytes of a .safetensors file (a <c>byte[]</c> converts implicitly).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="options">The prefixes and what the weights do not say.</param>
    /// <param name="sourceName">A name for the data in error messages, or null.</param>
    /// <returns>The network, the head and the tensors ignored.</returns>
    /// <exception cref="FastRnnFormatException">The data is malformed, or its tensors do not form the module asked for.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent: an empty <see cref="ModuleLoadOptions.HeadPrefix"/>, the same prefix for both, or a value outside its enum (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static LoadedModule Load(ReadOnlyMemory<byte> bytes, ModuleLoadOptions options, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string rnn, string? head) = options.NormalizedPrefixes();
        return Load(SafeTensorsFile.Parse(bytes, sourceName), options, rnn, head);
    }

    /// <summary>Loads a module from a file already read.</summary>
    /// <param name="file">The parsed file.</param>
    /// <param name="options">The prefixes and what the weights do not say.</param>
    /// <returns>The network, the head and the tensors ignored.</returns>
    /// <exception cref="FastRnnFormatException">The tensors do not form the module asked for.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent: an empty <see cref="ModuleLoadOptions.HeadPrefix"/>, the same prefix for both, or a value outside its enum (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static LoadedModule Load(SafeTensorsFile file, ModuleLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        (string rnn, string? head) = options.NormalizedPrefixes();
        return Load(file, options, rnn, head);
    }

    private static LoadedModule Load(SafeTensorsFile file, ModuleLoadOptions options, string rnnPrefix, string? headPrefix)
    {
        string where = file.SourceName ?? "the module";
        var parts = ModuleTensors.Split(file, rnnPrefix, headPrefix);
        RecurrentNetwork network = RecurrentPrefixReader.Read(file, parts, rnnPrefix, options, where);
        DenseHead? head = headPrefix is null
            ? null
            : HeadPrefixReader.Read(file, parts, headPrefix, rnnPrefix, options.HeadActivation, network.Description, where);
        if (parts.Others.Count > 0 && !options.IgnoreOtherTensors)
        {
            throw new FastRnnFormatException(
                $"{where}: {parts.Others.Count} {(parts.Others.Count == 1 ? "tensor is" : "tensors are")} under neither prefix '{rnnPrefix}'{(headPrefix is null ? string.Empty : $" nor '{headPrefix}'")}: {NameList.Format(parts.Others)}. Set ModuleLoadOptions.IgnoreOtherTensors to skip them.");
        }

        return new LoadedModule(network, head, parts.Others.AsReadOnly());
    }
}
