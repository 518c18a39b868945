using System.Collections.Generic;

namespace FastRnn.Tests.Reference;

/// <summary>Gradients of loss = sum(output*gradOutput) + sum(h_n*gradHN) + sum(c_n*gradCN):
/// GradInput (shape of input), GradH0 [L*D, B, Hout], GradC0 [L*D, B, H] (LSTM only, else null),
/// GradWeights keyed by the weight names of <see cref="ReferenceConfig.WeightShapes"/>.</summary>
public sealed record ReferenceGradients(
    double[] GradInput, double[] GradH0, double[]? GradC0, Dictionary<string, double[]> GradWeights);
