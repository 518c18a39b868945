using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Training;

namespace FastRnn.Diagnostics;

/// <summary>
/// Whole networks through the public API: the forward pass (outputs and final states) and the
/// backward pass (every weight gradient and the gradients of the input and initial states, via
/// <see cref="TrainingSession"/> and <see cref="GradientBuffer"/>) against <see cref="DoubleNetwork"/>
/// and its central differences, for the loss Σ output·g_out + Σ h_n·g_h + Σ c_n·g_c; and, for the
/// networks a stream can run (one direction, time-major, every row every step), the same forward pass step by
/// step through a <see cref="Sessions.StreamingSession"/> of the whole batch and of its first row alone,
/// the paths a service's streams take (a lone stream's step has its own product: the input and
/// recurrent products in one pass).
/// </summary>
internal static class NetworkCheck
{
    private const double ForwardAllowed = 1e-5;
    private const double GradientAllowed = 1e-4;
    private const double Step = 1e-6;

    public static void Run(List<SelfCheckRow> rows)
    {
        foreach (NetworkCase c in NetworkCase.All)
        {
            (double forward, double backward) = Errors(c, seed: 101);
            rows.Add(new SelfCheckRow(c.Name + " forward", Isa.Active, c.SizesText, forward, ForwardAllowed));
            rows.Add(new SelfCheckRow(c.Name + " backward", Isa.Active, c.SizesText, backward, GradientAllowed));
            if (!c.Description.Bidirectional && !c.Description.Reverse && !c.Description.BatchFirst && c.Lengths is null)
            {
                rows.Add(new SelfCheckRow(c.Name + " streaming", Isa.Active, c.SizesText, StreamingError(c, seed: 103), ForwardAllowed));
            }
        }
    }

    // Each step's output and the final states of a StreamingSession fed one frame at a time, from
    // given initial states, against the double network's whole-sequence forward pass.
    private static double StreamingError(NetworkCase c, int seed)
    {
        NetworkDescription d = c.Description;
        int steps = c.Steps, batch = c.Batch;
        var random = new SeededValues(seed);
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, seed);
        float[] input = random.Array(steps * batch * d.InputSize, -1f, 1f);                        // [T, B, I]
        float[] h0 = random.Array(d.NumLayers * batch * d.StateSize, -0.5f, 0.5f);                // [L, B, H_out]
        float[] c0 = d.HasCellState ? random.Array(d.NumLayers * batch * d.HiddenSize, -0.5f, 0.5f) : []; // [L, B, H]

        using Sessions.StreamingSession session = network.CreateSession(batch);
        session.SetState(h0, c0, batch);
        float[] output = new float[steps * batch * d.OutputSize]; // [T, B, H_out]
        for (int t = 0; t < steps; t++)
        {
            session.Step(input.AsSpan(t * batch * d.InputSize, batch * d.InputSize), batch, output.AsSpan(t * batch * d.OutputSize, batch * d.OutputSize));
        }

        float[] hn = new float[h0.Length], cn = new float[c0.Length];
        session.GetState(hn, cn, batch);

        // Row 0 again, alone: a lone stream's step takes its own path (both products in one pass).
        float[] alone = StepAlone(network, input, h0, c0, steps, batch, out float[] hnAlone, out float[] cnAlone); // [T, H_out]

        var parameters = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (string name in network.ParameterNames)
        {
            parameters[name] = ToDouble(network.GetParameter(name));
        }

        int[] lengths = Array.ConvertAll(new int[batch], _ => steps);
        (double[] output, double[] hn, double[] cn) expected = new DoubleNetwork(d, parameters).Forward(ToDouble(input), steps, batch, ToDouble(h0), ToDouble(c0), lengths);
        double error = ErrorMeasure.Worst(ErrorMeasure.Relative(output, expected.output), ErrorMeasure.Relative(hn, expected.hn));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(alone, RowZero(expected.output, steps, batch, d.OutputSize)));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(hnAlone, RowZero(expected.hn, d.NumLayers, batch, d.StateSize)));
        if (d.HasCellState)
        {
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(cn, expected.cn));
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(cnAlone, RowZero(expected.cn, d.NumLayers, batch, d.HiddenSize)));
        }

        return error;
    }

    // Row 0 of the batch stepped by a session of its own: outputs [T, H_out], final states [L, H_out] and [L, H].
    private static float[] StepAlone(RecurrentNetwork network, float[] input, float[] h0, float[] c0, int steps, int batch, out float[] hn, out float[] cn)
    {
        NetworkDescription d = network.Description;
        float[] h = RowZero(h0, d.NumLayers, batch, d.StateSize);
        float[] c = d.HasCellState ? RowZero(c0, d.NumLayers, batch, d.HiddenSize) : [];
        using Sessions.StreamingSession session = network.CreateSession();
        session.SetState(h, c, 1);
        float[] output = new float[steps * d.OutputSize];
        for (int t = 0; t < steps; t++)
        {
            session.Step(input.AsSpan(t * batch * d.InputSize, d.InputSize), 1, output.AsSpan(t * d.OutputSize, d.OutputSize));
        }

        hn = new float[h.Length];
        cn = new float[c.Length];
        session.GetState(hn, cn, 1);
        return output;
    }

    // Row 0 of each of `outer` blocks of [batch, n] rows.
    private static T[] RowZero<T>(T[] values, int outer, int batch, int n)
    {
        var row = new T[outer * n];
        for (int o = 0; o < outer; o++)
        {
            Array.Copy(values, o * batch * n, row, o * n, n);
        }

        return row;
    }

    private static (double Forward, double Backward) Errors(NetworkCase c, int seed)
    {
        NetworkDescription d = c.Description;
        int steps = c.Steps, batch = c.Batch, slots = d.NumLayers * d.Directions;
        var random = new SeededValues(seed);
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, seed);
        float[] input = random.Array(steps * batch * d.InputSize, -1f, 1f);
        float[] h0 = random.Array(slots * batch * d.StateSize, -0.5f, 0.5f);
        float[] c0 = d.HasCellState ? random.Array(slots * batch * d.HiddenSize, -0.5f, 0.5f) : [];
        float[] gradOutput = random.Array(steps * batch * d.OutputSize, -1f, 1f);
        float[] gradHn = random.Array(h0.Length, -1f, 1f);
        float[] gradCn = random.Array(c0.Length, -1f, 1f);
        int[] lengths = c.Lengths ?? Array.ConvertAll(new int[batch], _ => steps);

        // The library, in float.
        using var session = new TrainingSession(network, batch, steps);
        float[] output = new float[gradOutput.Length], hn = new float[h0.Length], cn = new float[c0.Length];
        session.Forward(input, steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn), lengths);
        var gradients = new GradientBuffer(network);
        float[] gradInput = new float[input.Length], gradH0 = new float[h0.Length], gradC0 = new float[c0.Length];
        session.Backward(gradOutput, gradients, new FinalStateGradient(gradHn, gradCn), gradInput, new InitialStateGradient(gradH0, gradC0));

        // The judge, in double, on the same values.
        var parameters = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (string name in network.ParameterNames)
        {
            parameters[name] = ToDouble(network.GetParameter(name));
        }

        var judge = new DoubleNetwork(d, parameters);
        double[] x = ToDouble(input), hx = ToDouble(h0), cx = ToDouble(c0);
        (double[] output, double[] hn, double[] cn) expected = judge.Forward(x, steps, batch, hx, cx, lengths);
        double forward = ErrorMeasure.Worst(ErrorMeasure.Relative(output, expected.output), ErrorMeasure.Relative(hn, expected.hn));
        if (d.HasCellState)
        {
            forward = ErrorMeasure.Worst(forward, ErrorMeasure.Relative(cn, expected.cn));
        }

        double Loss()
        {
            (double[] o, double[] h, double[] cc) = judge.Forward(x, steps, batch, hx, cx, lengths);
            return Dot(o, gradOutput) + Dot(h, gradHn) + Dot(cc, gradCn);
        }

        double backward = ErrorMeasure.Relative(gradInput, Differences(Loss, x));
        backward = ErrorMeasure.Worst(backward, ErrorMeasure.Relative(gradH0, Differences(Loss, hx)));
        if (d.HasCellState)
        {
            backward = ErrorMeasure.Worst(backward, ErrorMeasure.Relative(gradC0, Differences(Loss, cx)));
        }

        foreach (string name in network.ParameterNames)
        {
            backward = ErrorMeasure.Worst(backward, ErrorMeasure.Relative(gradients.Get(name), Differences(Loss, parameters[name])));
        }

        return (forward, backward);
    }

    // dLoss/dvalues[i] by central differences, perturbing the array the loss reads in place.
    private static double[] Differences(Func<double> loss, double[] values)
    {
        double[] gradient = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double kept = values[i];
            values[i] = kept + Step;
            double up = loss();
            values[i] = kept - Step;
            double down = loss();
            values[i] = kept;
            gradient[i] = (up - down) / (2 * Step);
        }

        return gradient;
    }

    private static double Dot(double[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double[] ToDouble(ReadOnlySpan<float> values)
    {
        double[] result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
