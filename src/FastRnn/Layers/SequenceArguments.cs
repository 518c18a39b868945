using System;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Layers;

/// <summary>
/// Checks the arguments of a whole-sequence call (inference or training) up front, with messages
/// that give the expected shapes; nothing is built unless a check fails.
/// </summary>
internal static class SequenceArguments
{
    public static void Validate(
        NetworkDescription d,
        int maxSteps,
        int maxBatch,
        ReadOnlySpan<float> input,
        int steps,
        int batch,
        Span<float> output,
        Span<float> finalHidden,
        Span<float> finalCell,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        ReadOnlySpan<int> lengths)
    {
        if (steps < 1 || steps > maxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Steps must be in 1..{maxSteps} (the workspace's maximum).");
        }

        if (batch < 1 || batch > maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in 1..{maxBatch} (the workspace's maximum).");
        }

        // Messages are built only on failure: a successful call must not allocate. The states are named
        // as the caller wrote them: the InitialState and FinalState arguments' members.
        int slots = d.NumLayers * d.Directions;
        int hidden = slots * batch * d.StateSize;
        int cell = slots * batch * d.HiddenSize;
        if (input.Length != steps * batch * d.InputSize)
        {
            ThrowShape(d, "input", d.InputSize, steps, batch, input.Length, nameof(input));
        }

        if (output.Length != steps * batch * d.OutputSize)
        {
            ThrowShape(d, "output", d.OutputSize, steps, batch, output.Length, nameof(output));
        }

        if (!initialHidden.IsEmpty && initialHidden.Length != hidden)
        {
            ThrowState("initial hidden state", slots, batch, d.StateSize, initialHidden.Length, "initial.Hidden");
        }

        if (!finalHidden.IsEmpty && finalHidden.Length != hidden)
        {
            ThrowState("final hidden state", slots, batch, d.StateSize, finalHidden.Length, "final.Hidden");
        }

        if (!d.HasCellState && (!initialCell.IsEmpty || !finalCell.IsEmpty))
        {
            ThrowNoCellState(d, initialCell.IsEmpty ? "final.Cell" : "initial.Cell", initialCell.IsEmpty ? finalCell.Length : initialCell.Length);
        }

        if (!initialCell.IsEmpty && initialCell.Length != cell)
        {
            ThrowState("initial cell state", slots, batch, d.HiddenSize, initialCell.Length, "initial.Cell");
        }

        if (!finalCell.IsEmpty && finalCell.Length != cell)
        {
            ThrowState("final cell state", slots, batch, d.HiddenSize, finalCell.Length, "final.Cell");
        }

        // The input may be the output (the runner then copies it before anything is written); the outputs
        // are written while the initial states are still read (layer by layer).
        OverlapCheck.StatesReadWhileWritten(
            output, finalHidden, finalCell, initialHidden, initialCell,
            (nameof(output), "final.Hidden", "final.Cell", "initial.Hidden", "initial.Cell"));
        if (!lengths.IsEmpty)
        {
            if (lengths.Length != batch)
            {
                throw new ArgumentException($"Expected lengths [{batch}], got {lengths.Length} values.", nameof(lengths));
            }

            for (int i = 0; i < lengths.Length; i++)
            {
                if (lengths[i] < 1 || lengths[i] > steps)
                {
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"lengths[{i}] = {lengths[i]}; each length must be in 1..{steps} (the number of steps).");
                }
            }
        }
    }

    public static void ThrowShape(NetworkDescription d, string what, int features, int steps, int batch, int actual, string parameter)
    {
        string shape = d.BatchFirst ? $"[{batch}, {steps}, {features}]" : $"[{steps}, {batch}, {features}]";
        throw new ArgumentException($"Expected {what} {shape} = {steps * batch * features} floats, got {actual}.", parameter);
    }

    private static void ThrowNoCellState(NetworkDescription d, string parameter, int actual) =>
        throw new ArgumentException($"A {d.Kind} network has no cell state; {parameter} must be empty, got {actual} floats.", parameter);

    public static void ThrowState(string what, int slots, int batch, int size, int actual, string parameter) =>
        throw new ArgumentException($"Expected {what} [{slots}, {batch}, {size}] = {slots * batch * size} floats, got {actual}.", parameter);
}
