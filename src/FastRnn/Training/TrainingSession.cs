using System;
using System.Threading;
using FastRnn.Cells;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Backpropagation through time for one network: <see cref="Forward"/> runs whole sequences and
/// saves what backward needs; <see cref="Backward"/> then computes the gradients of
/// loss = Σ output ⊙ gradOutput + Σ h_n ⊙ gradFinalHidden + Σ c_n ⊙ gradFinalCell, exactly as
/// PyTorch autograd does (positions past a sequence's length get zero gradient and their output
/// gradients are ignored). Buffers are sized once; calls allocate nothing. One caller at a time. A
/// session with threads owns worker threads: dispose it when done with it (a session never
/// disposed lets them go when it is collected).
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly RecurrentNetwork network;
    private readonly TrainingWorkspace workspace;
    private readonly BackwardWeights[] backward;
    private readonly Func<string, float[]> weights; // the network's canonical tensors, made once so repacking allocates nothing
    private readonly Dropout? dropout;
    private int packedVersion;
    private int forwardVersion;       // network.Version at the last Forward
    private int forwardValuesVersion; // network.ValuesVersion at the last Forward
    private CallGuard guard;

    /// <summary>Sizes a training session for up to <paramref name="maxBatch"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
    /// <param name="network">The network to train (its weights are read, not changed).</param>
    /// <param name="maxBatch">Largest batch.</param>
    /// <param name="maxSteps">Longest sequence.</param>
    /// <param name="dropout">
    /// PyTorch's <c>dropout</c>: the probability of zeroing each output of every layer but the last
    /// during training, in [0, 1) (0 for none; no effect on a one-layer network).
    /// </param>
    /// <param name="seed">Seed of the dropout masks (training is reproducible for a given seed).</param>
    /// <param name="threads">
    /// Threads a call may use (1..64): the recurrence is split by sequences and the whole-sequence
    /// products by output rows, so results and gradients are bit-identical for any thread count.
    /// </param>
    /// <exception cref="NotSupportedException">
    /// The network cannot be trained: it is <see cref="RecurrentNetwork.IsInferenceOnly"/>, stores bfloat16 or int8 weights,
    /// or has an option for inference only (<see cref="NetworkDescription.InferenceOnly"/>: ONNX clip, coupled gates or activations).
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A size, the dropout probability or the thread count is out of range (<see cref="ArgumentOutOfRangeException"/>),
    /// or the buffers for <paramref name="maxBatch"/> × <paramref name="maxSteps"/> would not fit an array.
    /// </exception>
    public TrainingSession(RecurrentNetwork network, int maxBatch, int maxSteps, float dropout = 0f, int seed = 0, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        if (network.IsInferenceOnly)
        {
            throw new NotSupportedException("Training needs the network's canonical weights; this network was created for inference only (inferenceOnly: true). Load it without inferenceOnly to train it.");
        }

        if (network.WeightFormat != WeightFormat.Float32)
        {
            throw new NotSupportedException($"Training needs float32 weights; this network stores {network.WeightFormat}. Train in float32, then convert with WithWeightFormat.");
        }

        if (network.Description.InferenceOnly)
        {
            // The options it has, without reverse, which training supports.
            string options = network.Description.FormatOnnxOptions().Replace(", reverse", string.Empty, StringComparison.Ordinal).TrimStart(',', ' ');
            throw new NotSupportedException($"Training does not support the ONNX cell clip, coupled input/forget gates or activation functions other than the cell's own (NetworkDescription.Clip, CoupledInputForget, Activations); this network has {options}: such a network is for inference only.");
        }

        if (!(dropout >= 0f && dropout < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout probability must be in [0, 1).");
        }

        this.network = network;
        this.dropout = dropout > 0f && network.Description.NumLayers > 1 ? new Dropout(dropout, seed) : null;

        if (threads < 1 || threads > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be in 1..64.");
        }

        try
        {
            workspace = new TrainingWorkspace(network, maxBatch, maxSteps, this.dropout, threads);
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"A training session for batch {maxBatch} x {maxSteps} steps needs more than {int.MaxValue} floats in one buffer; use shorter sequences or smaller batches.", nameof(maxSteps), e);
        }

        NetworkDescription d = network.Description;
        weights = network.MutableParameter;
        backward = new BackwardWeights[network.Cells.Length];
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                backward[slot] = new BackwardWeights(network.Cells[slot], weights, layer, direction);
            }
        }

        packedVersion = network.Version;
    }

    /// <summary>The network.</summary>
    public RecurrentNetwork Network => network;

    /// <summary>Largest batch.</summary>
    public int MaxBatch => workspace.MaxBatch;

    /// <summary>Longest sequence.</summary>
    public int MaxSteps => workspace.MaxSteps;

    /// <summary>
    /// The forward pass of <see cref="RecurrentNetwork.Forward"/>, saving what backward needs.
    /// Arguments and shapes as there.
    /// </summary>
    /// <param name="input">[T, B, I] (or [B, T, I] with batch_first).</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="output">[T, B, D*H_out] (or [B, T, D*H_out]).</param>
    /// <param name="initial">h_0 [L*D, B, H_out] and c_0 [L*D, B, H] (LSTM), or default for zeros.</param>
    /// <param name="final">Receives h_n [L*D, B, H_out] and c_n [L*D, B, H] (LSTM), or default to skip.</param>
    /// <param name="lengths">[B] valid steps per sequence, or empty for all T.</param>
    public void Forward(
        ReadOnlySpan<float> input,
        int steps,
        int batch,
        Span<float> output,
        InitialState initial = default,
        FinalState final = default,
        ReadOnlySpan<int> lengths = default)
    {
        Enter();
        try
        {
            // Refused arguments change nothing: the last Forward's history stays ready for Backward.
            SequenceArguments.Validate(
                network.Description, workspace.MaxSteps, workspace.MaxBatch, input, steps, batch, output, final.Hidden, final.Cell, initial.Hidden, initial.Cell, lengths);
            workspace.Steps = 0;
            if (packedVersion != network.Version)
            {
                // An optimizer changed the weights since the transposes were made.
                for (int slot = 0; slot < backward.Length; slot++)
                {
                    backward[slot].Repack(network.Cells[slot], weights);
                }

                packedVersion = network.Version;
            }

            workspace.Runner.Forward(input, steps, batch, output, final.Hidden, final.Cell, initial.Hidden, initial.Cell, lengths);
            workspace.Steps = steps;
            workspace.Batch = batch;
            forwardVersion = network.Version;
            forwardValuesVersion = network.ValuesVersion;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Backward through the last <see cref="Forward"/>: accumulates weight gradients into
    /// <paramref name="gradients"/> and writes the gradients of the input and initial states.
    /// Refused when the network's weights changed since that Forward.
    /// </summary>
    /// <param name="gradOutput">[T, B, D*H_out] (or batch-first) gradient of the output.</param>
    /// <param name="gradients">Accumulates the weight and bias gradients (call <see cref="GradientBuffer.Zero"/> first for fresh ones).</param>
    /// <param name="gradFinal">
    /// dL/dh_n [L*D, B, H_out] and dL/dc_n [L*D, B, H] (LSTM), e.g. <c>new FinalStateGradient(dhn, dcn)</c>;
    /// default for zero.
    /// </param>
    /// <param name="gradInput">[T, B, I] (or batch-first) gradient of the input, or empty to skip.</param>
    /// <param name="gradInitial">
    /// Receives dL/dh_0 [L*D, B, H_out] and dL/dc_0 [L*D, B, H] (LSTM), e.g.
    /// <c>new InitialStateGradient(dh0, dc0)</c>; default to skip. The states' gradients are
    /// structs rather than spans so that arguments in the wrong places do not compile.
    /// </param>
    public void Backward(
        ReadOnlySpan<float> gradOutput,
        GradientBuffer gradients,
        FinalStateGradient gradFinal = default,
        Span<float> gradInput = default,
        InitialStateGradient gradInitial = default)
    {
        guard.ThrowIfDisposed(nameof(TrainingSession));
        ReadOnlySpan<float> gradFinalHidden = gradFinal.Hidden, gradFinalCell = gradFinal.Cell;
        Span<float> gradInitialHidden = gradInitial.Hidden, gradInitialCell = gradInitial.Cell;
        ArgumentNullException.ThrowIfNull(gradients);
        NetworkDescription d = network.Description;
        int steps = workspace.Steps, batch = workspace.Batch;
        if (steps == 0)
        {
            throw new InvalidOperationException("Backward needs a completed Forward on this session first.");
        }

        if (network.Version != forwardVersion || network.ValuesVersion != forwardValuesVersion)
        {
            // Backward would mix the weights Forward ran with and the new ones (PyTorch refuses this too).
            throw new InvalidOperationException("The network's weights changed since the last Forward (an optimizer step, a checkpoint load or a re-pack); run Forward again before Backward.");
        }

        if (!gradients.Description.Equals(d))
        {
            throw new ArgumentException("The gradient buffer belongs to a network of another description.", nameof(gradients));
        }

        int slots = d.NumLayers * d.Directions;
        if (gradOutput.Length != steps * batch * d.OutputSize)
        {
            SequenceArguments.ThrowShape(d, "output gradient", d.OutputSize, steps, batch, gradOutput.Length, nameof(gradOutput));
        }

        if (!gradInput.IsEmpty && gradInput.Length != steps * batch * d.InputSize)
        {
            SequenceArguments.ThrowShape(d, "input gradient", d.InputSize, steps, batch, gradInput.Length, nameof(gradInput));
        }

        CheckState(gradFinalHidden.Length, slots, batch, d.StateSize, "gradient of h_n", "gradFinal.Hidden");
        CheckState(gradInitialHidden.Length, slots, batch, d.StateSize, "gradient of h_0", "gradInitial.Hidden");
        if (!d.HasCellState && (!gradFinalCell.IsEmpty || !gradInitialCell.IsEmpty))
        {
            throw new ArgumentException($"A {d.Kind} network has no cell state; pass empty cell gradients.");
        }

        CheckState(gradFinalCell.Length, slots, batch, d.HiddenSize, "gradient of c_n", "gradFinal.Cell");
        CheckState(gradInitialCell.Length, slots, batch, d.HiddenSize, "gradient of c_0", "gradInitial.Cell");

        // gradOutput is copied before anything is written; the outputs are written layer by layer while
        // gradFinalHidden/gradFinalCell are still read.
        OverlapCheck.StatesReadWhileWritten(
            gradInput, gradInitialHidden, gradInitialCell, gradFinalHidden, gradFinalCell,
            (nameof(gradInput), "gradInitial.Hidden", "gradInitial.Cell", "gradFinal.Hidden", "gradFinal.Cell"));
        Enter();
        try
        {
            SequenceTraining.Backward(network, backward, workspace, gradOutput, gradFinalHidden, gradFinalCell, gradients, gradInput, gradInitialHidden, gradInitialCell);
        }
        finally
        {
            Exit();
        }
    }

    private static void CheckState(int length, int slots, int batch, int size, string what, string parameter)
    {
        if (length != 0 && length != slots * batch * size)
        {
            SequenceArguments.ThrowState(what, slots, batch, size, length, parameter);
        }
    }

    /// <summary>
    /// Stops the session's worker threads (with threads above 1; they exit within about 100 µs) and refuses later calls with
    /// <see cref="ObjectDisposedException"/>. Idempotent. Disposing while a call runs on another
    /// thread refuses new calls at once and waits for that call to return.
    /// </summary>
    public void Dispose()
    {
        if (guard.Dispose())
        {
            workspace.Runner.Region.StopThreads();
        }
    }

    /// <summary>The worker threads of the session's calls (tests).</summary>
    internal ParallelParts Workers => workspace.Runner.Region.Workers;

    /// <summary>Marks the session busy; a second caller is refused until <see cref="Exit"/>, and every call once disposed (internal so tests can hold it busy).</summary>
    internal void Enter() => guard.Enter(nameof(TrainingSession), "This training session is already in use by another thread; give each thread its own session.");

    /// <summary>Marks the session free again.</summary>
    internal void Exit() => guard.Exit();
}
