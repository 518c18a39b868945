using System;
using System.Diagnostics.CodeAnalysis;
using System.Collections.Generic;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training.Heads;
using FastRnn.Training.Losses;

namespace FastRnn.Training.Models;

/// <summary>
/// Encoder-decoder (seq2seq): an encoder reads the source sequence; its final state initialises a
/// decoder that emits the target one token at a time. Training uses teacher forcing (the decoder
/// reads the true previous token); inference decodes greedily.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Its sessions and workspaces run on the calling thread only (threads: 1): they own no worker threads, and nothing else that outlives a collection.")]
public sealed class Seq2SeqModel
{
    private readonly TrainingSession encoderSession;
    private readonly TrainingSession decoderSession;
    private readonly GradientBuffer encoderGradients;
    private readonly GradientBuffer decoderGradients;
    private RecurrentNetwork inferenceEncoder;  // Encoder, or a copy in another weight format
    private RecurrentNetwork inferenceDecoder;
    private StreamingSession decoderStream;     // of inferenceDecoder, MaxBatch rows: Decode allocates nothing
    private SequenceWorkspace encoderWorkspace;
    private readonly List<Parameter> parameters = [];
    private readonly float[] sourceInputs;   // [S, B, E]
    private readonly float[] targetInputs;   // [T, B, E]
    private readonly float[] encoderOutputs; // [S, B, H]
    private readonly float[] decoderOutputs; // [T, B, H]
    private readonly float[] logits;         // [T*B, V_target]
    private readonly float[] dLogits;
    private readonly float[] dDecoderOutputs;
    private readonly float[] dSourceInputs;
    private readonly float[] dTargetInputs;
    private readonly float[] zeros;          // [S, B, H] encoder output gradient (no attention)
    private readonly float[] hidden;         // [L, B, H] encoder final = decoder initial
    private readonly float[] cell;
    private readonly float[] dHidden;        // decoder's gradient of its initial state
    private readonly float[] dCell;
    private readonly int[] decoderTokens;    // [T, B] BOS, then the target shifted right
    private readonly bool[] ended;           // [B] decoding: rows that have emitted EndToken

    /// <summary>Builds the model with seeded initialisation.</summary>
    /// <param name="options">Cell, vocabularies, sizes, limits and seed.</param>
    public Seq2SeqModel(Seq2SeqModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int targetVocabulary = options.TargetVocabulary, embedding = options.Embedding, hidden = options.Hidden;
        int beginToken = options.BeginToken, maxBatch = options.MaxBatch, seed = options.Seed;
        int maxSourceSteps = options.MaxSourceSteps, maxTargetSteps = options.MaxTargetSteps;
        if (options.SourceVocabulary < 1 || targetVocabulary < 1 || embedding < 1 || hidden < 1 || options.Layers < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"Need SourceVocabulary, TargetVocabulary, Embedding, Hidden and Layers ≥ 1; got {options.SourceVocabulary}, {targetVocabulary}, {embedding}, {hidden} and {options.Layers}.");
        }

        if ((uint)beginToken >= (uint)targetVocabulary)
        {
            throw new ArgumentOutOfRangeException(nameof(options), beginToken, $"BeginToken must be a target id in 0..{targetVocabulary - 1}.");
        }

        if (options.EndToken is int end && (uint)end >= (uint)targetVocabulary)
        {
            throw new ArgumentOutOfRangeException(nameof(options), end, $"EndToken must be a target id in 0..{targetVocabulary - 1}, or null for none.");
        }

        if (maxBatch < 1 || maxSourceSteps < 1 || maxTargetSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Need MaxBatch, MaxSourceSteps and MaxTargetSteps ≥ 1; got {maxBatch}, {maxSourceSteps} and {maxTargetSteps}.");
        }

        // The largest buffers: [T, B, V_target] logits and [S, B, max(E, H)] source-side activations (in double: no overflow).
        double largest = Math.Max((double)maxTargetSteps * maxBatch * Math.Max(targetVocabulary, Math.Max(embedding, hidden)), (double)maxSourceSteps * maxBatch * Math.Max(embedding, hidden));
        if (largest > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"A seq2seq model for batch {maxBatch}, {maxSourceSteps} source and {maxTargetSteps} target steps, {targetVocabulary} target ids and {Math.Max(embedding, hidden)} units needs {largest} floats in one buffer, more than {int.MaxValue}; use smaller batches, shorter sequences or a smaller vocabulary.");
        }

        BeginToken = beginToken;
        EndToken = options.EndToken;
        MaxBatch = maxBatch;
        MaxSourceSteps = maxSourceSteps;
        MaxTargetSteps = maxTargetSteps;
        var description = new NetworkDescription(options.Cell, embedding, hidden) { NumLayers = options.Layers };
        SourceEmbedding = new Embedding("encoder_embedding", options.SourceVocabulary, embedding, seed + 1);
        TargetEmbedding = new Embedding("decoder_embedding", targetVocabulary, embedding, seed + 2);
        Encoder = RecurrentNetwork.CreateRandom(description, seed + 3);
        Decoder = RecurrentNetwork.CreateRandom(description, seed + 4);
        KeepGate.Initialise(Encoder, 1f);
        KeepGate.Initialise(Decoder, 1f);
        Head = new DenseLayer("head", hidden, targetVocabulary, seed + 5);
        encoderSession = new TrainingSession(Encoder, maxBatch, maxSourceSteps);
        decoderSession = new TrainingSession(Decoder, maxBatch, maxTargetSteps);
        encoderGradients = new GradientBuffer(Encoder);
        decoderGradients = new GradientBuffer(Decoder);
        inferenceEncoder = Encoder;
        inferenceDecoder = Decoder;
        decoderStream = inferenceDecoder.CreateSession(maxBatch);
        encoderWorkspace = Encoder.CreateWorkspace(maxBatch, maxSourceSteps);
        parameters.Add(SourceEmbedding.Weight);
        parameters.Add(TargetEmbedding.Weight);
        foreach (string name in Encoder.ParameterNames)
        {
            parameters.Add(new Parameter("encoder." + name, Encoder.GetParameterShape(name), Encoder.MutableParameter(name), encoderGradients.Values(name), Encoder));
        }

        foreach (string name in Decoder.ParameterNames)
        {
            parameters.Add(new Parameter("decoder." + name, Decoder.GetParameterShape(name), Decoder.MutableParameter(name), decoderGradients.Values(name), Decoder));
        }

        parameters.Add(Head.Weight);
        parameters.Add(Head.Bias);
        sourceInputs = new float[maxSourceSteps * maxBatch * embedding];
        targetInputs = new float[maxTargetSteps * maxBatch * embedding];
        encoderOutputs = new float[maxSourceSteps * maxBatch * hidden];
        decoderOutputs = new float[maxTargetSteps * maxBatch * hidden];
        logits = new float[maxTargetSteps * maxBatch * targetVocabulary];
        dLogits = new float[logits.Length];
        dDecoderOutputs = new float[decoderOutputs.Length];
        dSourceInputs = new float[sourceInputs.Length];
        dTargetInputs = new float[targetInputs.Length];
        zeros = new float[encoderOutputs.Length];
        this.hidden = new float[options.Layers * maxBatch * hidden];
        this.cell = new float[description.HasCellState ? this.hidden.Length : 0];
        dHidden = new float[this.hidden.Length];
        dCell = new float[this.cell.Length];
        decoderTokens = new int[maxTargetSteps * maxBatch];
        ended = new bool[maxBatch];
    }

    /// <summary>The target id the decoder reads first.</summary>
    public int BeginToken { get; }

    /// <summary>The target id that ends a decoded sequence, or null (<see cref="Seq2SeqModelOptions.EndToken"/>).</summary>
    public int? EndToken { get; }

    /// <summary>Largest batch.</summary>
    public int MaxBatch { get; }

    /// <summary>Longest source.</summary>
    public int MaxSourceSteps { get; }

    /// <summary>Longest target.</summary>
    public int MaxTargetSteps { get; }

    /// <summary>Source embedding.</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target embedding.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The encoder network.</summary>
    public RecurrentNetwork Encoder { get; }

    /// <summary>The decoder network.</summary>
    public RecurrentNetwork Decoder { get; }

    /// <summary>The output head over target tokens.</summary>
    public DenseLayer Head { get; }

    /// <summary>Every trainable parameter.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>Teacher-forced training step: accumulates gradients, returns the mean cross-entropy.</summary>
    /// <param name="source">[S, B] source ids, time-major.</param>
    /// <param name="sourceSteps">S.</param>
    /// <param name="target">
    /// [T, B] target ids, time-major; -1 ignores a position (padding of shorter targets, anywhere):
    /// it adds nothing to the loss, and the decoder reads <see cref="BeginToken"/> at the step after it.
    /// </param>
    /// <param name="targetSteps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="sourceLengths">
    /// [B] each source's length in 1..S, or empty when every source has S ids. The encoder stops at a
    /// source's length (PyTorch's packed sequences), so the decoder starts from the state after its
    /// last id; positions past it are not read, but must hold a valid id (a padding id).
    /// </param>
    /// <returns>The loss: the mean over the positions not ignored.</returns>
    /// <exception cref="ArgumentException">A length or id is out of range, or a span's length does not match the shapes (the message names which).</exception>
    public float ForwardBackward(ReadOnlySpan<int> source, int sourceSteps, ReadOnlySpan<int> target, int targetSteps, int batch, ReadOnlySpan<int> sourceLengths = default)
    {
        RepackIfStale();
        int e = SourceEmbedding.Dimension, h = Head.InputSize, v = Head.OutputSize, layers = Encoder.Description.NumLayers;
        CheckShapes(source, sourceSteps, target.Length, targetSteps, batch);
        CheckSourceLengths(sourceLengths, sourceSteps, batch);
        SourceEmbedding.CheckIds(source, nameof(source));
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] < -1 || target[i] >= v)
            {
                throw new ArgumentOutOfRangeException(nameof(target), target[i], $"target[{i}] = {target[i]} is neither a target id in 0..{v - 1} nor -1 (ignore).");
            }
        }

        Span<float> src = sourceInputs.AsSpan(0, sourceSteps * batch * e);
        Span<float> tgt = targetInputs.AsSpan(0, targetSteps * batch * e);
        Span<float> state = hidden.AsSpan(0, layers * batch * h);
        Span<float> cellState = cell.AsSpan(0, cell.Length == 0 ? 0 : layers * batch * h);
        SourceEmbedding.Forward(source, src);
        encoderSession.Forward(src, sourceSteps, batch, encoderOutputs.AsSpan(0, sourceSteps * batch * h), final: new FinalState(state, cellState), lengths: sourceLengths);

        Span<int> shifted = decoderTokens.AsSpan(0, targetSteps * batch);
        shifted[..batch].Fill(BeginToken);
        target[..((targetSteps - 1) * batch)].CopyTo(shifted[batch..]);
        for (int i = batch; i < shifted.Length; i++)
        {
            if (shifted[i] < 0)
            {
                shifted[i] = BeginToken; // after an ignored (-1) target the decoder reads BeginToken
            }
        }

        TargetEmbedding.Forward(shifted, tgt);
        Span<float> outputs = decoderOutputs.AsSpan(0, targetSteps * batch * h);
        decoderSession.Forward(tgt, targetSteps, batch, outputs, new InitialState(state, cellState));
        Span<float> logitSpan = logits.AsSpan(0, targetSteps * batch * v);
        Span<float> dLogitSpan = dLogits.AsSpan(0, logitSpan.Length);
        Head.Forward(outputs, targetSteps * batch, logitSpan);
        float loss = SoftmaxCrossEntropy.Compute(logitSpan, target, v, dLogitSpan);

        Span<float> dOut = dDecoderOutputs.AsSpan(0, outputs.Length);
        Head.Backward(outputs, dLogitSpan, targetSteps * batch, dOut);
        Span<float> dState = dHidden.AsSpan(0, state.Length);
        Span<float> dCellState = dCell.AsSpan(0, cellState.Length);
        Span<float> dTgt = dTargetInputs.AsSpan(0, tgt.Length);
        decoderSession.Backward(dOut, decoderGradients, default, dTgt, new InitialStateGradient(dState, dCellState));
        TargetEmbedding.Backward(shifted, dTgt);

        // The decoder's initial state is the encoder's final state: its gradient flows back.
        Span<float> dSrc = dSourceInputs.AsSpan(0, src.Length);
        encoderSession.Backward(zeros.AsSpan(0, sourceSteps * batch * h), encoderGradients, new FinalStateGradient(dState, dCellState), dSrc);
        SourceEmbedding.Backward(source, dSrc);
        return loss;
    }

    /// <summary>
    /// Greedy decoding: encodes the source, then emits the most likely token at each step (the first
    /// of equal scores; a NaN score counts as the largest, as in <c>torch.argmax</c>). With an
    /// <see cref="EndToken"/>, a row's positions after it emits that id hold -1, and decoding stops
    /// once every row has emitted it; the other rows' tokens are those decoding without it gives.
    /// </summary>
    /// <param name="source">[S, B] source ids.</param>
    /// <param name="sourceSteps">S.</param>
    /// <param name="batch">B.</param>
    /// <param name="targetSteps">Tokens to emit.</param>
    /// <param name="output">[T, B] emitted ids, time-major; -1 after a row's <see cref="EndToken"/>.</param>
    /// <param name="sourceLengths">[B] each source's length in 1..S, or empty when every source has S ids (as in <see cref="ForwardBackward"/>): a row decodes as it would alone with its source cut to its length.</param>
    /// <exception cref="ArgumentException">A length or id is out of range, or a span's length does not match the shapes (the message names which).</exception>
    public void Decode(ReadOnlySpan<int> source, int sourceSteps, int batch, int targetSteps, Span<int> output, ReadOnlySpan<int> sourceLengths = default)
    {
        RepackIfStale();
        int e = SourceEmbedding.Dimension, h = Head.InputSize, v = Head.OutputSize, layers = Encoder.Description.NumLayers;
        CheckShapes(source, sourceSteps, output.Length, targetSteps, batch, decoding: true);
        CheckSourceLengths(sourceLengths, sourceSteps, batch);
        SourceEmbedding.CheckIds(source, nameof(source));

        Span<float> src = sourceInputs.AsSpan(0, sourceSteps * batch * e);
        Span<float> state = hidden.AsSpan(0, layers * batch * h);
        Span<float> cellState = cell.AsSpan(0, cell.Length == 0 ? 0 : layers * batch * h);
        SourceEmbedding.Forward(source, src);
        inferenceEncoder.Forward(encoderWorkspace, src, sourceSteps, batch, encoderOutputs.AsSpan(0, sourceSteps * batch * h), final: new FinalState(state, cellState), lengths: sourceLengths);

        StreamingSession stream = decoderStream;
        stream.SetState(state, cellState, batch);
        Span<int> tokens = decoderTokens.AsSpan(0, batch);
        tokens.Fill(BeginToken);
        Span<float> x = targetInputs.AsSpan(0, batch * e);
        Span<float> y = decoderOutputs.AsSpan(0, batch * h);
        Span<float> scores = logits.AsSpan(0, batch * v);
        output.Fill(-1);
        Span<bool> ended = this.ended.AsSpan(0, batch);
        ended.Clear();
        int running = batch; // rows that have not emitted EndToken
        for (int t = 0; t < targetSteps && running > 0; t++)
        {
            TargetEmbedding.Forward(tokens, x);
            stream.Step(x, batch, y);
            Head.Forward(y, batch, scores);
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> row = scores.Slice(b * v, v);
                // torch.argmax: the first maximum, a NaN counting as the maximum (the first NaN wins).
                int best = 0;
                for (int k = 1; k < v && !float.IsNaN(row[best]); k++)
                {
                    if (row[k] > row[best] || float.IsNaN(row[k]))
                    {
                        best = k;
                    }
                }

                if (ended[b])
                {
                    continue; // its row still runs in the batch, reading EndToken (rows are independent); its tokens are not kept
                }

                tokens[b] = best;
                output[(t * batch) + b] = best;
                if (best == EndToken)
                {
                    ended[b] = true;
                    running--;
                }
            }
        }
    }

    /// <summary>
    /// Re-packs both networks from their parameters' values. Optimizer steps and
    /// <see cref="Checkpoint.Load"/> are picked up by themselves at the start of the next call;
    /// call this after writing <see cref="Parameter.Value"/> directly, or after a step of an
    /// optimizer written outside this library.
    /// </summary>
    public void ParametersUpdated()
    {
        Encoder.Repack();
        Decoder.Repack();
        if (!ReferenceEquals(inferenceEncoder, Encoder))
        {
            UseWeightFormat(inferenceEncoder.WeightFormat);
        }
    }

    /// <summary>Decodes with both networks' weights stored in <paramref name="format"/> (training stays float32).</summary>
    /// <param name="format">The format to infer with.</param>
    public void UseWeightFormat(WeightFormat format)
    {
        bool fp32 = format == WeightFormat.Float32;
        inferenceEncoder = fp32 ? Encoder : Encoder.WithWeightFormat(format);
        inferenceDecoder = fp32 ? Decoder : Decoder.WithWeightFormat(format);
        decoderStream = inferenceDecoder.CreateSession(MaxBatch);
        encoderWorkspace = inferenceEncoder.CreateWorkspace(MaxBatch, MaxSourceSteps);
    }

    // Optimizer steps and checkpoint loads mark the networks' values changed: re-pack before running them.
    private void RepackIfStale()
    {
        if (Encoder.IsPackStale || Decoder.IsPackStale)
        {
            ParametersUpdated();
        }
    }

    // Checked here, before anything runs, so the message names this method's parameter (the encoder would name its own "lengths").
    private static void CheckSourceLengths(ReadOnlySpan<int> sourceLengths, int sourceSteps, int batch)
    {
        if (sourceLengths.IsEmpty)
        {
            return;
        }

        if (sourceLengths.Length != batch)
        {
            throw new ArgumentException($"Expected sourceLengths [{batch}] (one per source), got {sourceLengths.Length} values.", nameof(sourceLengths));
        }

        for (int i = 0; i < sourceLengths.Length; i++)
        {
            if (sourceLengths[i] < 1 || sourceLengths[i] > sourceSteps)
            {
                throw new ArgumentOutOfRangeException(nameof(sourceLengths), sourceLengths[i], $"sourceLengths[{i}] = {sourceLengths[i]}; each must be in 1..{sourceSteps} (the source steps).");
            }
        }
    }

    // The batch and source of both calls, and the target (training) or the output (decoding, which
    // emits any number of tokens, so MaxTargetSteps does not bound it).
    private void CheckShapes(ReadOnlySpan<int> source, int sourceSteps, int targetLength, int targetSteps, int batch, bool decoding = false)
    {
        if (batch < 1 || batch > MaxBatch || sourceSteps < 1 || sourceSteps > MaxSourceSteps || targetSteps < 1 || (!decoding && targetSteps > MaxTargetSteps))
        {
            throw new ArgumentOutOfRangeException(
                nameof(batch),
                decoding
                    ? $"Batch {batch}, source {sourceSteps} steps and {targetSteps} tokens to emit; the model takes up to {MaxBatch} and {MaxSourceSteps}, and emits at least 1."
                    : $"Batch {batch}, source {sourceSteps} and target {targetSteps} steps; the model takes up to {MaxBatch}, {MaxSourceSteps} and {MaxTargetSteps}.");
        }

        if (source.Length != sourceSteps * batch || targetLength != (long)targetSteps * batch)
        {
            string what = decoding ? "output" : "target";
            throw new ArgumentException($"Expected source [{sourceSteps}, {batch}] and {what} [{targetSteps}, {batch}], got {source.Length} and {targetLength} ids.");
        }
    }
}
