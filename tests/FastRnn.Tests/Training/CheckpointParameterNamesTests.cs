using System.Linq;
using FastRnn.Networks;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// The parameter names (and order, which optimizer state follows) that checkpoints are saved under,
/// pinned: a rename would make every saved checkpoint unloadable ("missing tensor"), and the names are
/// PyTorch's <c>state_dict</c> names under the model's prefixes.
/// </summary>
public sealed class CheckpointParameterNamesTests
{
    [Fact]
    public void ASequenceModelsParametersKeepTheirNamesAndShapes()
    {
        var model = new SequenceModel(
            new SequenceModelOptions { Network = new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2, Bidirectional = true, ProjectionSize = 2 }, Vocabulary = 5, OutputSize = 6 },
            2,
            3);

        Assert.Equal(
            [
                "embedding.weight [5, 3]",
                "rnn.weight_ih_l0 [16, 3]", "rnn.weight_hh_l0 [16, 2]", "rnn.bias_ih_l0 [16]", "rnn.bias_hh_l0 [16]", "rnn.weight_hr_l0 [2, 4]",
                "rnn.weight_ih_l0_reverse [16, 3]", "rnn.weight_hh_l0_reverse [16, 2]", "rnn.bias_ih_l0_reverse [16]", "rnn.bias_hh_l0_reverse [16]", "rnn.weight_hr_l0_reverse [2, 4]",
                "rnn.weight_ih_l1 [16, 4]", "rnn.weight_hh_l1 [16, 2]", "rnn.bias_ih_l1 [16]", "rnn.bias_hh_l1 [16]", "rnn.weight_hr_l1 [2, 4]",
                "rnn.weight_ih_l1_reverse [16, 4]", "rnn.weight_hh_l1_reverse [16, 2]", "rnn.bias_ih_l1_reverse [16]", "rnn.bias_hh_l1_reverse [16]", "rnn.weight_hr_l1_reverse [2, 4]",
                "head.weight [6, 4]", "head.bias [6]",
            ],
            model.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"));
    }

    [Fact]
    public void ASeq2SeqModelsParametersKeepTheirNamesAndShapes()
    {
        var model = new Seq2SeqModel(new Seq2SeqModelOptions { Cell = CellKind.Gru, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 3 });

        Assert.Equal(
            [
                "encoder_embedding.weight [5, 3]", "decoder_embedding.weight [6, 3]",
                "encoder.weight_ih_l0 [12, 3]", "encoder.weight_hh_l0 [12, 4]", "encoder.bias_ih_l0 [12]", "encoder.bias_hh_l0 [12]",
                "decoder.weight_ih_l0 [12, 3]", "decoder.weight_hh_l0 [12, 4]", "decoder.bias_ih_l0 [12]", "decoder.bias_hh_l0 [12]",
                "head.weight [6, 4]", "head.bias [6]",
            ],
            model.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"));
    }
}
