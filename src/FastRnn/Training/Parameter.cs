using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>A trainable tensor: its name, shape, values and gradient (same length, row-major).</summary>
public sealed class Parameter
{
    private readonly RecurrentNetwork? network; // the network whose canonical tensor Value is, or null

    /// <summary>Creates a parameter over existing storage.</summary>
    /// <param name="name">Name in checkpoints, e.g. <c>rnn.weight_ih_l0</c> or <c>head.weight</c>.</param>
    /// <param name="shape">Dimensions.</param>
    /// <param name="value">The values (updated in place by optimizers).</param>
    /// <param name="gradient">The gradient, accumulated by backward passes.</param>
    /// <exception cref="ArgumentException">A dimension is negative, or <paramref name="value"/> or <paramref name="gradient"/> does not hold the shape's element count.</exception>
    public Parameter(string name, int[] shape, float[] value, float[] gradient)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        if (value.Length != gradient.Length)
        {
            throw new ArgumentException($"Parameter '{name}': {value.Length} values but {gradient.Length} gradient entries.", nameof(gradient));
        }

        // Checkpoints read and write the shape's element count into the values: they must agree.
        long count = 1; // capped above any array's length, so it cannot overflow
        bool negative = false;
        foreach (int dimension in shape)
        {
            negative |= dimension < 0;
            count = Math.Min(count * Math.Max(dimension, 0), int.MaxValue + 1L);
        }

        if (negative || count != value.Length)
        {
            throw new ArgumentException(
                $"Parameter '{name}': shape [{string.Join(", ", shape)}] {(negative ? "has a negative dimension" : $"holds {count} values")}, but {value.Length} values were given.", nameof(shape));
        }

        Name = name;
        Shape = shape;
        Value = value;
        Gradient = gradient;
    }

    /// <summary>Creates a parameter over one of <paramref name="network"/>'s canonical tensors: changing it marks the network's packed weights stale.</summary>
    internal Parameter(string name, int[] shape, float[] value, float[] gradient, RecurrentNetwork network)
        : this(name, shape, value, gradient)
    {
        this.network = network;
    }

    /// <summary>Name in checkpoints.</summary>
    public string Name { get; }

    /// <summary>Dimensions.</summary>
    public int[] Shape { get; }

    /// <summary>Values, updated in place.</summary>
    public float[] Value { get; }

    /// <summary>Gradient, accumulated by backward passes and cleared by <see cref="Optimizers.Optimizer.ZeroGradients"/>.</summary>
    public float[] Gradient { get; }

    /// <summary>Refuses a null list, or a null element naming its index.</summary>
    internal static void CheckList(IReadOnlyList<Parameter> parameters, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameters, parameterName);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is null)
            {
                throw new ArgumentException($"{parameterName}[{i}] is null; every element must be a parameter.", parameterName);
            }
        }
    }

    /// <summary>Counts the library's writes to <see cref="Value"/> (optimizer steps, checkpoint loads).</summary>
    internal int Version { get; private set; }

    /// <summary>
    /// Records that <see cref="Value"/> was written; a parameter over a network's tensor also marks
    /// the network's packed weights stale, so models re-pack before their next call.
    /// </summary>
    internal void MarkChanged()
    {
        Version++;
        network?.MarkValuesChanged();
    }
}
