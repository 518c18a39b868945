using System.Collections.Generic;

namespace FastRnn.Tests.Reference;

/// <summary>Gradients of loss = sum(output*gradOutput) + sum(h_n*gradHN) + sum(c_n*gradCN):
/// GradInput (shape of input), GradH0 [L*D, B, Hout], GradC0 [L*D, B, H] (LSTM only, else null),
/// GradWeights keyed by the weight names of <see cref="ReferenceConfig.WeightShapes"/>.</summary>
public sealed record ReferenceGradients(
    double[] GradInput, double[] GradH0, double[]? GradC0, Dictionary<string, double[]> GradWeights)
{
    /// <summary>
    /// The smallest |pre-activation| any relu saw in the forward pass (positive infinity for other
    /// cells): relu's derivative jumps at 0, so a network in other arithmetic whose sums round to
    /// the other side of 0 there has gradients that differ by that unit's whole contribution.
    /// </summary>
    public double SmallestReluInput { get; init; } = double.PositiveInfinity;
}
