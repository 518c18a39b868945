using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;

namespace FastRnn.Tests.Training;

/// <summary>Runs the production forward and backward and returns every gradient by its case name.</summary>
internal static class TrainingHarness
{
    public static Dictionary<string, float[]> Gradients(RecurrentNetwork network, float[] input, int steps, int batch, float[]? h0, float[]? c0, int[]? lengths, float[] gradOutput, float[]? gradHn, float[]? gradCn, int threads = 1)
    {
        NetworkDescription d = network.Description;
        int slots = d.NumLayers * d.Directions;
        var session = new TrainingSession(network, batch, steps, threads: threads);
        float[] output = new float[steps * batch * d.OutputSize];
        session.Forward(input, steps, batch, output, new InitialState(h0, c0), lengths: lengths);
        var gradients = new GradientBuffer(network);
        float[] gradInput = new float[input.Length];
        float[] gradH0 = new float[slots * batch * d.StateSize];
        float[]? gradC0 = d.HasCellState ? new float[slots * batch * d.HiddenSize] : null;
        session.Backward(gradOutput, gradients, new FinalStateGradient(gradHn, gradCn), gradInput, new InitialStateGradient(gradH0, gradC0));

        var result = new Dictionary<string, float[]>
        {
            ["grad.input"] = gradInput,
            ["grad.h0"] = gradH0,
        };
        if (gradC0 is not null)
        {
            result["grad.c0"] = gradC0;
        }

        foreach (string name in gradients.Names)
        {
            result["grad." + name] = gradients.Get(name).ToArray();
        }

        return result;
    }
}
