using System;
using FastRnn.Networks;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>SequenceModel behaviour: carried state and what its calls return.</summary>
public sealed class SequenceModelTests
{
    [Fact]
    public void FinalStatesHaveTheLastBatchsShapeAndCarryIntoTheNextBatch()
    {
        var description = new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2 };
        var model = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 1, Seed = 2 }, maxBatch: 4, maxSteps: 6);
        Assert.True(model.FinalHidden.IsEmpty);
        float[] features = new float[6 * 2 * 3];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = MathF.Sin(i);
        }

        // Six steps at once, or three and three with the state carried: the same final state.
        model.Evaluate(new SequenceBatch { Steps = 6, Batch = 2, Features = features });
        float[] whole = model.FinalHidden.ToArray(), wholeCell = model.FinalCell.ToArray();
        Assert.Equal(2 * 2 * 4, whole.Length);
        Assert.Equal(2 * 2 * 4, wholeCell.Length);
        model.ForwardBackward(new SequenceBatch { Steps = 3, Batch = 2, Features = features.AsSpan(0, 18), TargetValues = new float[6] });
        Assert.Equal(16, model.FinalHidden.Length);
        Assert.Equal(16, model.FinalCell.Length);
        float[] hidden = model.FinalHidden.ToArray(), cell = model.FinalCell.ToArray();
        model.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Features = features.AsSpan(18), InitialHidden = hidden, InitialCell = cell });
        Assert.Equal(whole, model.FinalHidden.ToArray());
        Assert.Equal(wholeCell, model.FinalCell.ToArray());
    }
}
