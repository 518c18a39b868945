using System;
using System.Diagnostics.CodeAnalysis;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training.Heads;
using FastRnn.Training.Losses;

namespace FastRnn.Training.Models;

/// <summary>
/// A trainable sequence model: an optional embedding, a recurrent network and a dense head on
/// every step (many-to-many, one-to-many by sampling) or on the final state (many-to-one).
/// Buffers are sized once for (max batch, max steps); training steps allocate nothing.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Its sessions and workspaces run on the calling thread only (threads: 1): they own no worker threads, and nothing else that outlives a collection.")]
public sealed class SequenceModel
{
    private readonly TrainingSession session;
    private readonly GradientBuffer networkGradients;
    private RecurrentNetwork inference;   // the network Evaluate and Sample run: Network, or a copy in another weight format
    private SequenceWorkspace workspace;
    private readonly Dropout? inputDropout;
    private readonly Dropout? outputDropout;
    private readonly List<Parameter> parameters = [];
    private readonly float[] inputs;        // [T, B, I] embedded or copied inputs
    private readonly float[] inputMask;     // [T, B, I] input dropout mask
    private readonly float[] outputs;       // [T, B, D*H_out]
    private readonly float[] headInputs;    // [T*B or B, D*H_out] what the head reads
    private readonly float[] headMask;      // same shape, output dropout mask
    private readonly float[] logits;        // [T*B or B, Out]
    private readonly float[] dLogits;
    private readonly float[] dHeadInputs;
    private readonly float[] dOutputs;      // [T, B, D*H_out]
    private readonly float[] dInputs;       // [T, B, I]
    private readonly float[] finalHidden;   // [L*D, B, H_out]
    private readonly float[] finalCell;     // [L*D, B, H]
    private readonly float[] dFinalHidden;
    private int lastBatch;                  // B of the last forward pass, 0 before the first

    /// <summary>Builds the model with seeded initialisation.</summary>
    /// <param name="options">What to build.</param>
    /// <param name="maxBatch">Largest batch.</param>
    /// <param name="maxSteps">Longest sequence.</param>
    public SequenceModel(SequenceModelOptions options, int maxBatch, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        NetworkDescription d = options.Network;
        if (d.BatchFirst)
        {
            throw new ArgumentException("SequenceModel works time-major; describe the network with BatchFirst = false.", nameof(options));
        }

        if (options.Vocabulary < 0 || !float.IsFinite(options.KeepGateBias))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Need Vocabulary ≥ 0 (0 for a features model; got {options.Vocabulary}) and a finite KeepGateBias (got {options.KeepGateBias}).");
        }

        foreach ((float probability, string option) in new[] { (options.LayerDropout, nameof(options.LayerDropout)), (options.InputDropout, nameof(options.InputDropout)), (options.OutputDropout, nameof(options.OutputDropout)) })
        {
            if (!(probability >= 0f && probability < 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(options), probability, $"{option} must be in [0, 1).");
            }
        }

        Options = options;
        MaxBatch = maxBatch;
        MaxSteps = maxSteps;
        if (options.Vocabulary > 0)
        {
            Embedding = new Embedding("embedding", options.Vocabulary, d.InputSize, options.Seed + 1);
            parameters.Add(Embedding.Weight);
        }

        Network = RecurrentNetwork.CreateRandom(d, options.Seed + 2);
        KeepGate.Initialise(Network, options.KeepGateBias);
        Head = new DenseLayer("head", d.OutputSize, options.OutputSize, options.Seed + 3);
        session = new TrainingSession(Network, maxBatch, maxSteps, options.LayerDropout, options.Seed + 4);

        // The session checked its own buffers; the head's logits [T*B or B, Out] are checked here (in double: no overflow).
        double logitFloats = (options.Head == HeadPlacement.EveryStep ? (double)maxBatch * maxSteps : maxBatch) * options.OutputSize;
        if (logitFloats > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"A head of {options.OutputSize} outputs on {(options.Head == HeadPlacement.EveryStep ? $"every step of batch {maxBatch} x {maxSteps} steps" : $"batch {maxBatch}")} needs {logitFloats} floats in one buffer, more than {int.MaxValue}; use smaller batches, shorter sequences or fewer outputs.");
        }

        networkGradients = new GradientBuffer(Network);
        inference = Network;
        workspace = Network.CreateWorkspace(maxBatch, maxSteps);
        foreach (string name in Network.ParameterNames)
        {
            parameters.Add(new Parameter("rnn." + name, Network.GetParameterShape(name), Network.MutableParameter(name), networkGradients.Values(name), Network));
        }

        parameters.Add(Head.Weight);
        parameters.Add(Head.Bias);
        inputDropout = options.InputDropout > 0 ? new Dropout(options.InputDropout, options.Seed + 5) : null;
        outputDropout = options.OutputDropout > 0 ? new Dropout(options.OutputDropout, options.Seed + 6) : null;

        int rows = checked(maxBatch * maxSteps);
        int headRows = options.Head == HeadPlacement.EveryStep ? rows : maxBatch;
        int slots = d.NumLayers * d.Directions;
        inputs = new float[rows * d.InputSize];
        inputMask = new float[inputDropout is null ? 0 : inputs.Length];
        outputs = new float[rows * d.OutputSize];
        headInputs = new float[headRows * d.OutputSize];
        headMask = new float[outputDropout is null ? 0 : headInputs.Length];
        logits = new float[headRows * options.OutputSize];
        dLogits = new float[logits.Length];
        dHeadInputs = new float[headInputs.Length];
        dOutputs = new float[outputs.Length];
        dInputs = new float[Embedding is null ? 0 : inputs.Length];
        finalHidden = new float[slots * maxBatch * d.StateSize];
        finalCell = new float[d.HasCellState ? slots * maxBatch * d.HiddenSize : 0];
        dFinalHidden = new float[finalHidden.Length];
    }

    /// <summary>How the model was built.</summary>
    public SequenceModelOptions Options { get; }

    /// <summary>Largest batch.</summary>
    public int MaxBatch { get; }

    /// <summary>Longest sequence.</summary>
    public int MaxSteps { get; }

    /// <summary>The embedding, if the model reads tokens.</summary>
    public Embedding? Embedding { get; }

    /// <summary>The recurrent network.</summary>
    public RecurrentNetwork Network { get; }

    /// <summary>The dense head.</summary>
    public DenseLayer Head { get; }

    /// <summary>Every trainable parameter (embedding, <c>rnn.*</c>, head), for optimizers and checkpoints.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>
    /// The last forward pass's final hidden state [L*D, B, H_out], B being that call's batch (pass
    /// it as the next batch's <see cref="SequenceBatch.InitialHidden"/> for stateful training); empty before the first call.
    /// </summary>
    public ReadOnlySpan<float> FinalHidden => finalHidden.AsSpan(0, StateFloats(lastBatch, Network.Description.StateSize));

    /// <summary>The last forward pass's final cell state [L*D, B, H] (LSTM; empty otherwise and before the first call).</summary>
    public ReadOnlySpan<float> FinalCell => finalCell.AsSpan(0, finalCell.Length == 0 ? 0 : StateFloats(lastBatch, Network.Description.HiddenSize));

    /// <summary>
    /// Training forward and backward on one batch: accumulates every parameter's gradient and
    /// returns the loss (mean squared error or mean cross-entropy, by the batch's targets). With
    /// <see cref="SequenceBatch.Lengths"/> and a head on every step, the squared error is the mean
    /// over the valid steps only: target values past a row's length are ignored.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <returns>The batch loss.</returns>
    public float ForwardBackward(in SequenceBatch batch)
    {
        RepackIfStale();
        NetworkDescription d = Network.Description;
        int steps = batch.Steps, b = batch.Batch, rows = steps * b;
        int inputFloats = rows * d.InputSize;
        PrepareInputs(batch, inputFloats);
        CheckTargets(batch, Options.Head == HeadPlacement.EveryStep ? rows : b);
        Span<float> hidden = finalHidden.AsSpan(0, StateFloats(b, d.StateSize));
        Span<float> cell = finalCell.AsSpan(0, d.HasCellState ? StateFloats(b, d.HiddenSize) : 0);

        // The lengths and initial states too, before a dropout mask is drawn: a refused batch must not move the generators on.
        SequenceArguments.Validate(
            d, MaxSteps, MaxBatch, inputs.AsSpan(0, inputFloats), steps, b, outputs.AsSpan(0, rows * d.OutputSize), hidden, cell, batch.InitialHidden, batch.InitialCell, batch.Lengths);
        if (inputDropout is not null)
        {
            inputDropout.NextMask(inputMask.AsSpan(0, inputFloats));
            Dropout.Apply(inputs.AsSpan(0, inputFloats), inputMask.AsSpan(0, inputFloats));
        }

        session.Forward(inputs.AsSpan(0, inputFloats), steps, b, outputs.AsSpan(0, rows * d.OutputSize), new InitialState(batch.InitialHidden, batch.InitialCell), new FinalState(hidden, cell), batch.Lengths);
        lastBatch = b;
        int headRows = GatherHeadInputs(steps, b, hidden);
        int headFloats = headRows * d.OutputSize;
        if (outputDropout is not null)
        {
            outputDropout.NextMask(headMask.AsSpan(0, headFloats));
            Dropout.Apply(headInputs.AsSpan(0, headFloats), headMask.AsSpan(0, headFloats));
        }

        Span<float> logitSpan = logits.AsSpan(0, headRows * Options.OutputSize);
        Span<float> dLogitSpan = dLogits.AsSpan(0, logitSpan.Length);
        Head.Forward(headInputs.AsSpan(0, headFloats), headRows, logitSpan);
        float loss = Loss(batch, logitSpan, dLogitSpan);

        Span<float> dHead = dHeadInputs.AsSpan(0, headFloats);
        Head.Backward(headInputs.AsSpan(0, headFloats), dLogitSpan, headRows, dHead);
        if (outputDropout is not null)
        {
            Dropout.Apply(dHead, headMask.AsSpan(0, headFloats));
        }

        Span<float> dOut = dOutputs.AsSpan(0, rows * d.OutputSize);
        Span<float> dHidden = dFinalHidden.AsSpan(0, hidden.Length);
        dHidden.Clear();
        if (Options.Head == HeadPlacement.EveryStep)
        {
            dHead.CopyTo(dOut);
        }
        else
        {
            dOut.Clear();
            ScatterLastStep(dHead, dHidden, b);
        }

        Span<float> dIn = Embedding is null ? default : dInputs.AsSpan(0, inputFloats);
        session.Backward(dOut, networkGradients, new FinalStateGradient(Options.Head == HeadPlacement.LastStep ? dHidden : default), dIn);
        if (Embedding is not null)
        {
            if (inputDropout is not null)
            {
                Dropout.Apply(dIn, inputMask.AsSpan(0, inputFloats));
            }

            Embedding.Backward(batch.Tokens, dIn);
        }

        return loss;
    }

    /// <summary>Inference on one batch (no dropout): the loss, and the head's outputs if wanted.</summary>
    /// <param name="batch">The batch (targets used for the loss; pass none to get only predictions).</param>
    /// <param name="predictions">[T*B or B, Out] the head's outputs (logits or values), exactly that long, or empty.</param>
    /// <returns>The loss, or 0 without targets.</returns>
    public float Evaluate(in SequenceBatch batch, Span<float> predictions = default)
    {
        RepackIfStale();
        NetworkDescription d = Network.Description;
        int steps = batch.Steps, b = batch.Batch, rows = steps * b;
        int inputFloats = rows * d.InputSize;
        PrepareInputs(batch, inputFloats);
        int expectedRows = Options.Head == HeadPlacement.EveryStep ? rows : b;
        if (!predictions.IsEmpty && predictions.Length != expectedRows * Options.OutputSize)
        {
            throw new ArgumentException($"Expected predictions [{expectedRows}, {Options.OutputSize}] = {expectedRows * Options.OutputSize} floats (or none), got {predictions.Length}.", nameof(predictions));
        }

        if (!batch.TargetValues.IsEmpty || !batch.TargetClasses.IsEmpty)
        {
            CheckTargets(batch, expectedRows);
        }

        Span<float> hidden = finalHidden.AsSpan(0, StateFloats(b, d.StateSize));
        Span<float> cell = finalCell.AsSpan(0, d.HasCellState ? StateFloats(b, d.HiddenSize) : 0);
        inference.Forward(workspace, inputs.AsSpan(0, inputFloats), steps, b, outputs.AsSpan(0, rows * d.OutputSize), new InitialState(batch.InitialHidden, batch.InitialCell), new FinalState(hidden, cell), batch.Lengths);
        lastBatch = b;
        int headRows = GatherHeadInputs(steps, b, hidden);
        Span<float> logitSpan = logits.AsSpan(0, headRows * Options.OutputSize);
        Head.Forward(headInputs.AsSpan(0, headRows * d.OutputSize), headRows, logitSpan);
        if (!predictions.IsEmpty)
        {
            logitSpan.CopyTo(predictions);
        }

        return batch.TargetValues.IsEmpty && batch.TargetClasses.IsEmpty ? 0f : Loss(batch, logitSpan, dLogits.AsSpan(0, logitSpan.Length));
    }

    /// <summary>
    /// Re-packs the network from its parameters' values. Optimizer steps and
    /// <see cref="Checkpoint.Load"/> are picked up by themselves at the start of the next call;
    /// call this after writing <see cref="Parameter.Value"/> directly, or after a step of an
    /// optimizer written outside this library.
    /// </summary>
    public void ParametersUpdated()
    {
        Network.Repack();
        if (!ReferenceEquals(inference, Network))
        {
            UseWeightFormat(inference.WeightFormat);
        }
    }

    /// <summary>
    /// Runs <see cref="Evaluate"/> and <see cref="Sample"/> with the recurrent weights stored in
    /// <paramref name="format"/> (training always uses float32). Allocates a converted copy.
    /// </summary>
    /// <param name="format">The format to infer with.</param>
    public void UseWeightFormat(WeightFormat format)
    {
        inference = format == WeightFormat.Float32 ? Network : Network.WithWeightFormat(format);
        workspace = inference.CreateWorkspace(MaxBatch, MaxSteps);
    }

    /// <summary>
    /// Samples <paramref name="count"/> tokens one step at a time after feeding <paramref name="prime"/>
    /// (one-to-many generation; a token model with a forward, unidirectional network, a head on
    /// every step and no more outputs than its vocabulary, since each drawn token is fed back).
    /// </summary>
    /// <param name="prime">Tokens to start from (at least one).</param>
    /// <param name="count">Tokens to generate, 0 or more.</param>
    /// <param name="temperature">Softmax temperature (lower is greedier); positive.</param>
    /// <param name="seed">Sampling seed.</param>
    /// <returns>The generated tokens.</returns>
    /// <exception cref="InvalidOperationException">
    /// The model cannot sample (see above), or the head's logits at a step are NaN, +∞ or all −∞
    /// (weights that diverged): there is no distribution to draw from.
    /// </exception>
    public int[] Sample(ReadOnlySpan<int> prime, int count, float temperature, int seed)
    {
        if (Embedding is null || Options.Head != HeadPlacement.EveryStep || prime.IsEmpty || !(temperature > 0))
        {
            throw new InvalidOperationException("Sampling needs a token model with a head on every step, a non-empty prime and a positive temperature.");
        }

        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Sample generates count ≥ 0 tokens.");
        }
        if (Options.OutputSize > Options.Vocabulary)
        {
            throw new InvalidOperationException($"Sample feeds each drawn token back into the embedding: the head's OutputSize ({Options.OutputSize}) must not exceed the Vocabulary ({Options.Vocabulary}).");
        }

        if (Network.Description.Bidirectional || Network.Description.Reverse)
        {
            throw new InvalidOperationException("Sample runs the network forward one step at a time; a bidirectional or reverse network needs the whole sequence (use Evaluate).");
        }

        Embedding.CheckIds(prime, nameof(prime));
        RepackIfStale();
        NetworkDescription d = Network.Description;
        StreamingSession stream = inference.CreateSession();
        float[] x = new float[d.InputSize];
        float[] h = new float[d.StateSize];
        float[] y = new float[Options.OutputSize];
        var random = new Random(seed);
        int[] result = new int[count];
        int token = prime[0];
        for (int i = 0; i < prime.Length + count - 1; i++)
        {
            token = i < prime.Length ? prime[i] : result[i - prime.Length];
            Embedding.Forward([token], x);
            stream.Step(x, 1, h);
            if (i < prime.Length - 1)
            {
                continue;
            }

            Head.Forward(h, 1, y);
            result[i - prime.Length + 1] = Draw(y, temperature, random, i - prime.Length + 1);
        }

        return result;
    }

    // Optimizer steps and checkpoint loads mark the network's values changed: re-pack before running it.
    private void RepackIfStale()
    {
        if (Network.IsPackStale)
        {
            ParametersUpdated();
        }
    }

    private static int Draw(float[] logits, float temperature, Random random, int index)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits)
        {
            max = Math.Max(max, v); // NaN if any logit is NaN
        }

        // NaN, +∞ or all −∞ leave no distribution to draw from (torch.multinomial refuses one too):
        // without this the draw fell through to the last id, a plausible token from a broken model.
        if (!float.IsFinite(max))
        {
            int bad = Array.FindIndex(logits, v => !float.IsFinite(v) && !float.IsNegativeInfinity(v));
            bad = bad < 0 ? 0 : bad;
            throw new InvalidOperationException(
                $"Sample cannot draw token {index}: the head's logits are not a distribution (logit[{bad}] = {logits[bad].ToString(CultureInfo.InvariantCulture)}, maximum {max.ToString(CultureInfo.InvariantCulture)}); the model's weights are not finite or have overflowed.");
        }

        double total = 0;
        double[] p = new double[logits.Length];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = Math.Exp((logits[i] - max) / temperature);
            total += p[i];
        }

        double u = random.NextDouble() * total;
        for (int i = 0; i < p.Length; i++)
        {
            u -= p[i];
            if (u <= 0)
            {
                return i;
            }
        }

        return p.Length - 1;
    }

    private void PrepareInputs(in SequenceBatch batch, int inputFloats)
    {
        NetworkDescription d = Network.Description;
        if (batch.Steps < 1 || batch.Steps > MaxSteps || batch.Batch < 1 || batch.Batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), $"Batch of {batch.Batch} x {batch.Steps} steps; the model takes up to {MaxBatch} x {MaxSteps}.");
        }

        if (!batch.Features.IsEmpty && !batch.Tokens.IsEmpty)
        {
            throw new ArgumentException(
                $"The batch has both features ({batch.Features.Length}) and tokens ({batch.Tokens.Length}); give the one the model reads ({(Embedding is null ? "features" : "tokens")}).", nameof(batch));
        }

        if (Embedding is not null)
        {
            if (batch.Tokens.Length != batch.Steps * batch.Batch)
            {
                throw new ArgumentException($"Expected tokens [{batch.Steps}, {batch.Batch}], got {batch.Tokens.Length} ids.", nameof(batch));
            }

            Embedding.Forward(batch.Tokens, inputs.AsSpan(0, inputFloats));
        }
        else
        {
            if (batch.Features.Length != inputFloats)
            {
                throw new ArgumentException($"Expected features [{batch.Steps}, {batch.Batch}, {d.InputSize}] = {inputFloats} floats, got {batch.Features.Length}.", nameof(batch));
            }

            batch.Features.CopyTo(inputs);
        }
    }

    // [L*D, b, size] floats of a final state.
    private int StateFloats(int b, int size) => Network.Description.NumLayers * Network.Description.Directions * b * size;

    // Fills headInputs and returns its rows.
    private int GatherHeadInputs(int steps, int b, ReadOnlySpan<float> hidden)
    {
        NetworkDescription d = Network.Description;
        if (Options.Head == HeadPlacement.EveryStep)
        {
            outputs.AsSpan(0, steps * b * d.OutputSize).CopyTo(headInputs);
            return steps * b;
        }

        // The top layer's final state per direction, concatenated (forward first).
        int top = (d.NumLayers - 1) * d.Directions;
        for (int row = 0; row < b; row++)
        {
            for (int dir = 0; dir < d.Directions; dir++)
            {
                hidden.Slice((((top + dir) * b) + row) * d.StateSize, d.StateSize).CopyTo(headInputs.AsSpan((row * d.OutputSize) + (dir * d.StateSize)));
            }
        }

        return b;
    }

    private void ScatterLastStep(ReadOnlySpan<float> dHead, Span<float> dHidden, int b)
    {
        NetworkDescription d = Network.Description;
        int top = (d.NumLayers - 1) * d.Directions;
        for (int row = 0; row < b; row++)
        {
            for (int dir = 0; dir < d.Directions; dir++)
            {
                dHead.Slice((row * d.OutputSize) + (dir * d.StateSize), d.StateSize).CopyTo(dHidden.Slice((((top + dir) * b) + row) * d.StateSize));
            }
        }
    }

    // The targets' kind, shape and class ids, checked before the forward pass: a refused batch changes
    // nothing (predictions, final states, the dropout generators).
    private void CheckTargets(in SequenceBatch batch, int headRows)
    {
        if (!batch.TargetClasses.IsEmpty && !batch.TargetValues.IsEmpty)
        {
            throw new ArgumentException(
                $"The batch has both class targets ({batch.TargetClasses.Length}) and target values ({batch.TargetValues.Length}); give the one the model's loss takes.", nameof(batch));
        }

        if (!batch.TargetClasses.IsEmpty)
        {
            if (batch.TargetClasses.Length != headRows)
            {
                throw new ArgumentException($"Expected {headRows} class targets, got {batch.TargetClasses.Length}.", nameof(batch));
            }

            ReadOnlySpan<int> classes = batch.TargetClasses;
            for (int i = 0; i < classes.Length; i++)
            {
                if (classes[i] < -1 || classes[i] >= Options.OutputSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(batch), classes[i], $"TargetClasses[{i}] = {classes[i]} is neither a class id in 0..{Options.OutputSize - 1} nor -1 (ignore).");
                }
            }

            return;
        }

        if (batch.TargetValues.Length != headRows * Options.OutputSize)
        {
            throw new ArgumentException($"Expected {headRows * Options.OutputSize} target values, got {batch.TargetValues.Length}.", nameof(batch));
        }
    }

    // The loss of targets CheckTargets accepted.
    private float Loss(in SequenceBatch batch, ReadOnlySpan<float> output, Span<float> dOutput)
    {
        if (!batch.TargetClasses.IsEmpty)
        {
            return SoftmaxCrossEntropy.Compute(output, batch.TargetClasses, Options.OutputSize, dOutput);
        }

        return Options.Head == HeadPlacement.EveryStep && !batch.Lengths.IsEmpty
            ? MeanSquaredError.Compute(output, batch.TargetValues, dOutput, batch.Lengths, Options.OutputSize)
            : MeanSquaredError.Compute(output, batch.TargetValues, dOutput);
    }
}
