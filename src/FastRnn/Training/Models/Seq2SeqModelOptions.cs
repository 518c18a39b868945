namespace FastRnn.Training.Models;

/// <summary>What a <see cref="Seq2SeqModel"/> is: its cell, vocabularies, sizes and the largest batch and sequences it serves.</summary>
public sealed record Seq2SeqModelOptions
{
    /// <summary>LSTM, GRU or RNN, for both the encoder and the decoder.</summary>
    public required CellKind Cell { get; init; }

    /// <summary>Source token ids 0..V_s-1.</summary>
    public required int SourceVocabulary { get; init; }

    /// <summary>Target token ids 0..V_t-1, including <see cref="BeginToken"/>.</summary>
    public required int TargetVocabulary { get; init; }

    /// <summary>Embedding dimension of both sides.</summary>
    public required int Embedding { get; init; }

    /// <summary>Hidden units of both networks.</summary>
    public required int Hidden { get; init; }

    /// <summary>Layers of both networks.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>The target id the decoder reads first.</summary>
    public required int BeginToken { get; init; }

    /// <summary>
    /// The target id that ends a sequence, or null for none. <see cref="Seq2SeqModel.Decode"/> writes
    /// -1 at a row's positions after it emits this id, and stops once every row has; training treats it
    /// as any other id (put it in the targets).
    /// </summary>
    public int? EndToken { get; init; }

    /// <summary>Largest batch.</summary>
    public required int MaxBatch { get; init; }

    /// <summary>Longest source.</summary>
    public required int MaxSourceSteps { get; init; }

    /// <summary>Longest target.</summary>
    public required int MaxTargetSteps { get; init; }

    /// <summary>Initialisation seed.</summary>
    public int Seed { get; init; }
}
