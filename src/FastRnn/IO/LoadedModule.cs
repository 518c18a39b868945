using System.Collections.Generic;
using FastRnn.Heads;
using FastRnn.Networks;

namespace FastRnn.IO;

/// <summary>What <see cref="ModuleFile"/> loaded from a module's <c>state_dict</c>.</summary>
public sealed class LoadedModule
{
    internal LoadedModule(RecurrentNetwork network, DenseHead? head, IReadOnlyList<string> ignoredTensors)
    {
        Network = network;
        Head = head;
        IgnoredTensors = ignoredTensors;
    }

    /// <summary>The recurrent layer, with its description inferred from the tensors and the options.</summary>
    public RecurrentNetwork Network { get; }

    /// <summary>The dense head, or null when no head prefix was given.</summary>
    public DenseHead? Head { get; }

    /// <summary>Tensors outside both prefixes that were skipped (<see cref="ModuleLoadOptions.IgnoreOtherTensors"/>), in file order; empty when none.</summary>
    public IReadOnlyList<string> IgnoredTensors { get; }
}
