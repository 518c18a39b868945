using System;
using FastRnn.Cells;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// The history a training forward pass saves for backward (exactly what backward reads), and the
/// backward pass's own buffers, all sized once from (network, max batch, max steps).
/// </summary>
internal sealed class TrainingWorkspace
{
    public TrainingWorkspace(RecurrentNetwork network, int maxBatch, int maxSteps, Dropout? dropout, int threads)
    {
        NetworkDescription d = network.Description;
        int rows = checked(maxBatch * maxSteps);
        int slots = network.Cells.Length;
        Dropout = dropout;
        LayerOutputs = new AlignedBuffer[d.NumLayers];
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            LayerOutputs[layer] = new AlignedBuffer(checked(rows * d.OutputSize));
        }

        DropoutMasks = new AlignedBuffer[dropout is not null ? d.NumLayers - 1 : 0];
        for (int layer = 0; layer < DropoutMasks.Length; layer++)
        {
            DropoutMasks[layer] = new AlignedBuffer(checked(rows * d.OutputSize));
        }

        Gates = new AlignedBuffer[slots];
        HiddenBefore = new AlignedBuffer[slots];
        CellBefore = new AlignedBuffer[slots];
        CellAfter = new AlignedBuffer[slots];
        Unprojected = new AlignedBuffer[slots];
        HiddenGates = new AlignedBuffer[slots];
        ResetHidden = new AlignedBuffer[slots];
        Strides = new GradientStrides[slots];
        int gateStride = 0, stateStride = 0, hp = 0, candidate = 0, inputStride = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            CellWeights w = network.Cells[slot];
            bool lstm = w.Kind == CellKind.Lstm;
            Gates[slot] = new AlignedBuffer(checked(rows * w.GateStride));
            HiddenBefore[slot] = new AlignedBuffer(checked(rows * w.StateStride));
            CellBefore[slot] = new AlignedBuffer(lstm ? checked(rows * w.PaddedUnits) : 0);
            CellAfter[slot] = new AlignedBuffer(lstm ? checked(rows * w.PaddedUnits) : 0);
            Unprojected[slot] = new AlignedBuffer(w.Projection is not null ? checked(rows * w.PaddedUnits) : 0);
            HiddenGates[slot] = new AlignedBuffer(checked(rows * w.HiddenGateStride));
            ResetHidden[slot] = new AlignedBuffer(w.ResetBefore ? checked(rows * w.PaddedUnits) : 0);
            gateStride = Math.Max(gateStride, w.GateStride);
            stateStride = Math.Max(stateStride, w.StateStride);
            hp = Math.Max(hp, w.PaddedUnits);
            candidate = Math.Max(candidate, w.Candidate?.PaddedRows ?? 0);
            inputStride = Math.Max(inputStride, PaddedInput(w));

            Strides[slot] = new GradientStrides(w);
        }

        Candidate = new AlignedBuffer[threads];
        StepGradient = new AlignedBuffer[threads];
        for (int i = 0; i < threads; i++)
        {
            Candidate[i] = new AlignedBuffer(maxBatch * candidate);
            StepGradient[i] = new AlignedBuffer(maxBatch * Math.Max(hp, candidate));
        }

        // The widest stride any slot uses (padding is not monotonic: 32 floats pad to 48, 40 stay 40).
        int gateGradient = 0, hiddenGateGradient = 0, candidateGradient = 0, stateGradient = 0;
        foreach (GradientStrides g in Strides)
        {
            gateGradient = Math.Max(gateGradient, g.Gates);
            hiddenGateGradient = Math.Max(hiddenGateGradient, g.HiddenGates);
            candidateGradient = Math.Max(candidateGradient, g.Candidate);
            stateGradient = Math.Max(stateGradient, g.State);
        }

        GateGradients = new AlignedBuffer(checked(rows * gateGradient));
        HiddenGateGradients = new AlignedBuffer(checked(rows * hiddenGateGradient));
        CandidateGradients = new AlignedBuffer(checked(rows * candidateGradient));
        StateGradients = new AlignedBuffer(checked(rows * stateGradient));
        HiddenCarry = new AlignedBuffer(maxBatch * stateStride);
        CellCarry = new AlignedBuffer(maxBatch * hp);
        ColumnSums = new AlignedBuffer(Math.Max(gateStride, 3 * hp));
        OutputGradients = [new AlignedBuffer(checked(rows * Math.Max(inputStride, d.OutputSize))), new AlignedBuffer(checked(rows * Math.Max(inputStride, d.OutputSize)))];
        Runner = new SequenceRunner<TrainingHistory>(network.Stack, maxBatch, maxSteps, threads, new TrainingHistory(this));
        BackwardRowsPart = part => SequenceTraining.BackwardRowsPart(this, part);
        BackwardProductsPart = part => WeightGradients.Part(this, part);
    }

    /// <summary>
    /// The forward run (row order, the layer input, step state, the parallel region), whose history
    /// is this workspace; backward reuses its row order and region.
    /// </summary>
    public SequenceRunner<TrainingHistory> Runner { get; }

    public int MaxBatch => Runner.MaxBatch;

    public int MaxSteps => Runner.MaxSteps;

    /// <summary>Steps and batch of the last training forward pass (0 before any).</summary>
    public int Steps { get; set; }

    public int Batch { get; set; }

    /// <summary>Draws the masks between layers; null without dropout.</summary>
    public Dropout? Dropout { get; }

    // Saved by the forward pass (the layer input is Runner.Input).
    public AlignedBuffer[] LayerOutputs { get; }     // per layer [T, B, D*H_out]

    public AlignedBuffer[] DropoutMasks { get; }     // per layer but the last [T, B, D*H_out]: 0 or 1/(1-p)

    public AlignedBuffer[] Gates { get; }            // per slot [T, B, G*Hp] activated gates

    public AlignedBuffer[] HiddenBefore { get; }     // per slot [T, B, StateStride] h entering step t

    public AlignedBuffer[] CellBefore { get; }       // per slot [T, B, Hp] c entering step t (LSTM)

    public AlignedBuffer[] CellAfter { get; }        // per slot [T, B, Hp] c leaving step t (LSTM)

    public AlignedBuffer[] Unprojected { get; }      // per slot [T, B, Hp] o ⊙ tanh(c') (projection)

    public AlignedBuffer[] HiddenGates { get; }      // per slot [T, B, HiddenGateStride] (GRU)

    public AlignedBuffer[] ResetHidden { get; }      // per slot [T, B, Hp] r ⊙ h (reset-before)

    public AlignedBuffer[] Candidate { get; }        // per thread [B, Hn] forward step scratch (reset-before)

    // Backward.
    // The gradients the weight products read down their rows, each slot's rows Strides[slot] apart.
    public GradientStrides[] Strides { get; }        // per slot

    public AlignedBuffer GateGradients { get; }      // [T, B, Strides.Gates] pre-activation gradients (input side)

    public AlignedBuffer HiddenGateGradients { get; } // [T, B, Strides.HiddenGates] recurrent side where it differs (GRU)

    public AlignedBuffer CandidateGradients { get; } // [T, B, Strides.Candidate] reset-before n pre-activation gradients

    public AlignedBuffer StateGradients { get; }     // [T, B, Strides.State] gradients of projected h (projection)

    public AlignedBuffer[] StepGradient { get; }     // per thread [B, max(Hp, Hn)] dm or d(r ⊙ h) of one step

    public AlignedBuffer HiddenCarry { get; }        // [B, StateStride] gradient flowing to h of the previous step

    public AlignedBuffer CellCarry { get; }          // [B, Hp] gradient flowing to c of the previous step

    public AlignedBuffer ColumnSums { get; }         // [max(G*Hp, 3Hp)] bias (column sums of δ) or peephole sums over all rows

    public AlignedBuffer[] OutputGradients { get; }  // 2 x [T, B, max(In stride, D*H_out)]: gradient of a layer's output, then of its input

    /// <summary>Where the running backward pass accumulates weight gradients (set for the call, read by its parts).</summary>
    public GradientBuffer? Gradients { get; set; }

    // The backward parts; the forward's are the runner's.
    public Action<int> BackwardRowsPart { get; }

    public Action<int> BackwardProductsPart { get; }

    /// <summary>
    /// Row stride of a gradient buffer whose rows hold <paramref name="floats"/>: one cache line more
    /// when the rows are an even number of lines long. The weight-gradient products read one column
    /// of many rows at once (<see cref="Kernels.TransposedProduct"/>); at a stride of 1 or 4 KiB
    /// (H = 64 or 256 for an LSTM) those rows all fall into the same few L1 sets and are fetched from
    /// L2 on every use. An odd number of lines spreads them over every set. The first
    /// <paramref name="floats"/> of a row are unchanged, and so is every result.
    /// </summary>
    public static int GradientStride(int floats)
    {
        const int LineFloats = 16;
        int lines = (floats + LineFloats - 1) / LineFloats;
        return lines > 0 && lines % 2 == 0 ? (lines + 1) * LineFloats : floats;
    }

    /// <summary>Row stride of W_ihᵀ products: the layer's input size rounded up to whole vectors.</summary>
    public static int PaddedInput(CellWeights w) => (w.InputSize + w.Input.Width - 1) / w.Input.Width * w.Input.Width;
}
