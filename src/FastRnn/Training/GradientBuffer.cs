using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Gradients of every parameter of a network, under the same PyTorch <c>state_dict</c> names and
/// shapes as the parameters, so they can be saved and compared. Backward passes accumulate into
/// it; <see cref="Zero"/> clears it.
/// </summary>
public sealed class GradientBuffer
{
    private readonly Dictionary<string, float[]> values;
    private readonly string[] names;

    /// <summary>Creates zeroed gradients for <paramref name="network"/>'s parameters.</summary>
    /// <param name="network">The network.</param>
    public GradientBuffer(RecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Description = network.Description;
        values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        names = new string[network.ParameterNames.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = network.ParameterNames[i];
            values[names[i]] = new float[network.GetParameter(names[i]).Length];
        }
    }

    /// <summary>The description of the network the gradients belong to.</summary>
    public NetworkDescription Description { get; }

    /// <summary>Parameter names in PyTorch order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The gradient of one parameter (row-major, the parameter's shape).</summary>
    /// <param name="name">A <c>state_dict</c> name.</param>
    /// <returns>The mutable gradient values.</returns>
    public Span<float> Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return values.TryGetValue(name, out float[]? g)
            ? g
            : throw new ArgumentException($"No gradient '{name}'; the network has: {string.Join(", ", names)}.", nameof(name));
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void Zero()
    {
        foreach (string name in names)
        {
            System.Array.Clear(values[name]);
        }
    }

    internal float[] Values(string name) => values[name];

    /// <summary>The names as an array, for allocation-free loops (an interface enumerator would box).</summary>
    internal string[] NameArray => names;
}
