using System;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Seq2SeqModel behaviour: targets padded with -1.</summary>
public sealed class Seq2SeqModelTests
{
    private static readonly Seq2SeqModelOptions Options = new()
    {
        Cell = CellKind.Lstm, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 4, Seed = 1,
    };

    [Fact]
    public void TargetsPaddedWithMinusOneTrainLikeTheBatchCutToItsValidLength()
    {
        int[] source = [1, 2, 3, 4, 0, 1];
        int[] cut = [1, 2, 3, 4];
        int[] padded = [1, 2, 3, 4, -1, -1, -1, -1];
        var model = new Seq2SeqModel(Options);
        float cutLoss = model.ForwardBackward(source, 3, cut, 2, 2);
        float[][] cutGradients = TakeGradients(model);
        float paddedLoss = model.ForwardBackward(source, 3, padded, 4, 2);
        float[][] paddedGradients = TakeGradients(model);
        Assert.Equal(cutLoss, paddedLoss, 1e-6);
        for (int i = 0; i < cutGradients.Length; i++)
        {
            for (int j = 0; j < cutGradients[i].Length; j++)
            {
                Assert.True(MathF.Abs(cutGradients[i][j] - paddedGradients[i][j]) <= 1e-6f, $"{model.Parameters[i].Name}[{j}]: {cutGradients[i][j]} cut, {paddedGradients[i][j]} padded");
            }
        }

        // -1 anywhere, not only after the last valid step.
        float loss = model.ForwardBackward(source, 3, [1, -1, -1, 2, 3, -1, -1, -1], 4, 2);
        Assert.True(float.IsFinite(loss) && loss > 0);
    }

    private static float[][] TakeGradients(Seq2SeqModel model)
    {
        float[][] gradients = new float[model.Parameters.Count][];
        for (int i = 0; i < gradients.Length; i++)
        {
            Parameter p = model.Parameters[i];
            gradients[i] = (float[])p.Gradient.Clone();
            Array.Clear(p.Gradient);
        }

        return gradients;
    }
}
