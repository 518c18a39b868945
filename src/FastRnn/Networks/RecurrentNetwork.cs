using System;
using System.Collections.Generic;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Layers;
using FastRnn.Sessions;

namespace FastRnn.Networks;

/// <summary>
/// A loaded recurrent network: its description, its parameters under PyTorch <c>state_dict</c>
/// names, and those parameters packed for the active vector path. Immutable once created, so
/// any number of threads may run it at once, each with its own <see cref="SequenceWorkspace"/>
/// or <see cref="StreamingSession"/>.
/// </summary>
public sealed class RecurrentNetwork
{
    private readonly Dictionary<string, float[]> parameters;
    private readonly string[] parameterNames;
    private readonly Func<string, float[]> lookup;
    private int packedValuesVersion; // ValuesVersion at the last Repack

    private RecurrentNetwork(NetworkDescription description, Dictionary<string, float[]> parameters, string[] names, WeightFormat format, bool inferenceOnly)
    {
        Description = description;
        WeightFormat = format;
        this.parameters = parameters;
        parameterNames = names;
        lookup = name => parameters[name];
        var cells = new CellWeights[description.NumLayers * description.Directions];
        for (int layer = 0; layer < description.NumLayers; layer++)
        {
            for (int direction = 0; direction < description.Directions; direction++)
            {
                cells[(layer * description.Directions) + direction] = new CellWeights(description, layer, direction, lookup, format);
            }
        }

        Stack = new CellStack(description, cells);

        // Running a network needs only the packed matrices: without this, the canonical float32
        // matrices stay beside them (twice the weight memory for fp32, five times for int8).
        if (inferenceOnly)
        {
            foreach (string name in names)
            {
                if (NetworkDescription.IsWeightMatrix(name))
                {
                    parameters.Remove(name);
                }
            }

            IsInferenceOnly = true;
        }
    }

    /// <summary>What this network is.</summary>
    public NetworkDescription Description { get; }

    /// <summary>How the weight matrices are stored for the kernels (float32, bfloat16 or int8).</summary>
    public WeightFormat WeightFormat { get; }

    /// <summary>
    /// Whether the network keeps its weight matrices only packed for the kernels (created with
    /// <c>inferenceOnly: true</c>), not also in PyTorch's layout as float32. It runs the same; reading
    /// a matrix, saving, converting or training it needs the canonical matrices and is refused.
    /// </summary>
    public bool IsInferenceOnly { get; }

    /// <summary>Bytes of all stored weight matrices: what a batch-1 step streams.</summary>
    public long WeightBytes
    {
        get
        {
            long total = 0;
            foreach (CellWeights cell in Cells)
            {
                total += cell.WeightBytes;
            }

            return total;
        }
    }

    /// <summary>Parameter names in PyTorch <c>state_dict</c> order.</summary>
    public IReadOnlyList<string> ParameterNames => parameterNames;

    /// <summary>The packed cells with the description: what sessions and the sequence runner work on.</summary>
    internal CellStack Stack { get; }

    /// <summary>Packed weights per layer and direction: index layer * Directions + direction.</summary>
    internal CellWeights[] Cells => Stack.Cells;

    /// <summary>Counts <see cref="Repack"/> calls, so training sessions know when their transposes are stale.</summary>
    internal int Version { get; private set; }

    /// <summary>Counts writes to the canonical values reported by <see cref="MarkValuesChanged"/> (optimizer steps, checkpoint loads).</summary>
    internal int ValuesVersion { get; private set; }

    /// <summary>Whether the canonical values changed since the last <see cref="Repack"/>.</summary>
    internal bool IsPackStale => ValuesVersion != packedValuesVersion;

    /// <summary>Records a write to the canonical values; the packed layouts are stale until <see cref="Repack"/>.</summary>
    internal void MarkValuesChanged() => ValuesVersion++;

    /// <summary>The canonical values of a parameter, for optimizers to change in place (then <see cref="Repack"/>).</summary>
    internal float[] MutableParameter(string name) => parameters[name];

    /// <summary>
    /// Re-packs every layer from the canonical values after an optimizer step. Not to be run while
    /// another thread runs the network: training changes a network, serving shares a fixed one.
    /// </summary>
    internal void Repack()
    {
        foreach (CellWeights cell in Cells)
        {
            cell.Repack(lookup);
        }

        packedValuesVersion = ValuesVersion;
        Version++;
    }

    /// <summary>
    /// Creates a network from its parameters (PyTorch <c>state_dict</c> names and row-major layouts).
    /// Every expected tensor must be present with exactly its shape's element count, no other tensor
    /// may be given, and every value must be finite.
    /// </summary>
    /// <param name="description">What the network is.</param>
    /// <param name="parameters">Tensors by name; copied.</param>
    /// <param name="format">How to store the weight matrices (quantized at load for bfloat16 and int8).</param>
    /// <param name="inferenceOnly">
    /// Keep the weight matrices only packed for the kernels, dropping the canonical float32 copy
    /// (half the weight memory of an fp32 network, a fifth of an int8 one); see <see cref="IsInferenceOnly"/>.
    /// </param>
    /// <returns>The network, packed for the active vector path.</returns>
    /// <exception cref="ArgumentException">A tensor is missing, extra, of the wrong size, or not finite.</exception>
    public static RecurrentNetwork Create(
        NetworkDescription description, IReadOnlyDictionary<string, float[]> parameters, WeightFormat format = WeightFormat.Float32, bool inferenceOnly = false) =>
        Create(description, parameters, format, inferenceOnly, copy: true);

    /// <summary>
    /// <see cref="Create(NetworkDescription, IReadOnlyDictionary{string, float[]}, WeightFormat, bool)"/> from arrays
    /// the caller made for it and gives up (a file's tensors, just read): kept, not copied, so loading holds one float32
    /// copy of the weights, not two.
    /// </summary>
    internal static RecurrentNetwork CreateOwning(
        NetworkDescription description, IReadOnlyDictionary<string, float[]> parameters, WeightFormat format, bool inferenceOnly) =>
        Create(description, parameters, format, inferenceOnly, copy: false);

    private static RecurrentNetwork Create(
        NetworkDescription description, IReadOnlyDictionary<string, float[]> parameters, WeightFormat format, bool inferenceOnly, bool copy)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown weight format.");
        }

        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(parameters);
        description.Validate();
        IReadOnlyList<(string Name, int[] Shape)> shapes = description.ParameterShapes();
        var copies = new Dictionary<string, float[]>(shapes.Count, StringComparer.Ordinal);
        string[] names = new string[shapes.Count];
        for (int i = 0; i < shapes.Count; i++)
        {
            (string name, int[] shape) = shapes[i];
            names[i] = name;
            int expected = ElementCount(shape);
            if (!parameters.TryGetValue(name, out float[]? values) || values is null)
            {
                throw new ArgumentException($"Missing parameter '{name}' of shape [{string.Join(", ", shape)}] for a {Describe(description)}.", nameof(parameters));
            }

            if (values.Length != expected)
            {
                throw new ArgumentException($"Parameter '{name}' has {values.Length} values; expected shape [{string.Join(", ", shape)}] ({expected} values).", nameof(parameters));
            }

            for (int j = 0; j < values.Length; j++)
            {
                if (!float.IsFinite(values[j]))
                {
                    throw new ArgumentException($"Parameter '{name}' holds {values[j]} at index {j}: weights must be finite.", nameof(parameters));
                }
            }

            // A matrix dropped after packing is read in place, not copied: loading for inference
            // never holds a second float32 copy.
            bool dropped = inferenceOnly && NetworkDescription.IsWeightMatrix(name);
            copies[name] = dropped || !copy ? values : (float[])values.Clone();
        }

        foreach (string name in parameters.Keys)
        {
            if (!copies.ContainsKey(name))
            {
                throw new ArgumentException($"Unexpected parameter '{name}' for a {Describe(description)}; expected: {string.Join(", ", names)}.", nameof(parameters));
            }
        }

        return new RecurrentNetwork(description, copies, names, format, inferenceOnly);
    }

    /// <summary>
    /// The same network with its weight matrices stored in another format (for example int8 for
    /// an edge device); this network is unchanged.
    /// </summary>
    /// <param name="format">The storage format.</param>
    /// <param name="inferenceOnly">Whether the new network keeps its matrices only packed (see <see cref="Create(NetworkDescription, IReadOnlyDictionary{string, float[]}, WeightFormat, bool)"/>).</param>
    /// <returns>A new network.</returns>
    /// <exception cref="InvalidOperationException">This network is <see cref="IsInferenceOnly"/>.</exception>
    public RecurrentNetwork WithWeightFormat(WeightFormat format, bool inferenceOnly = false)
    {
        RequireCanonicalWeights("convert it to another weight format");
        return Create(Description, parameters, format, inferenceOnly);
    }

    /// <summary>Throws when the canonical matrices were dropped, naming what needed them.</summary>
    /// <param name="purpose">What the caller wanted to do, e.g. "save it".</param>
    internal void RequireCanonicalWeights(string purpose)
    {
        if (IsInferenceOnly)
        {
            throw new InvalidOperationException(
                $"This {WeightFormat} network was created for inference only (inferenceOnly: true): its weight matrices are kept only packed "
                + $"for the kernels. Load it again without inferenceOnly to {purpose}.");
        }
    }

    /// <summary>
    /// Creates a network with PyTorch's default initialisation, U(-1/√H, 1/√H) for every parameter,
    /// from a seeded generator (reproducible for a given seed).
    /// </summary>
    /// <param name="description">What the network is.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <returns>The network.</returns>
    public static RecurrentNetwork CreateRandom(NetworkDescription description, int seed)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        var random = new Random(seed);
        float bound = 1f / MathF.Sqrt(description.HiddenSize);
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach ((string name, int[] shape) in description.ParameterShapes())
        {
            float[] tensor = new float[ElementCount(shape)];
            for (int i = 0; i < tensor.Length; i++)
            {
                tensor[i] = (float)(((random.NextDouble() * 2.0) - 1.0) * bound);
            }

            values[name] = tensor;
        }

        return Create(description, values);
    }

    /// <summary>The canonical (PyTorch layout) values of a parameter.</summary>
    /// <param name="name">A <c>state_dict</c> name, e.g. <c>weight_hh_l0</c>.</param>
    /// <returns>The row-major values.</returns>
    /// <exception cref="ArgumentException">The network has no parameter of that name.</exception>
    /// <exception cref="InvalidOperationException">The parameter is a weight matrix of an <see cref="IsInferenceOnly"/> network.</exception>
    public ReadOnlySpan<float> GetParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (parameters.TryGetValue(name, out float[]? values))
        {
            return values;
        }

        if (Array.IndexOf(parameterNames, name) >= 0)
        {
            RequireCanonicalWeights($"read '{name}'");
        }

        throw new ArgumentException($"No parameter '{name}'; this network has: {string.Join(", ", parameterNames)}.", nameof(name));
    }

    /// <summary>The shape of a parameter, as PyTorch reports it.</summary>
    /// <param name="name">A <c>state_dict</c> name.</param>
    /// <returns>The dimensions.</returns>
    /// <exception cref="ArgumentException">The network has no parameter of that name.</exception>
    public int[] GetParameterShape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach ((string n, int[] shape) in Description.ParameterShapes())
        {
            if (n == name)
            {
                return shape;
            }
        }

        throw new ArgumentException($"No parameter '{name}'; this network has: {string.Join(", ", parameterNames)}.", nameof(name));
    }

    /// <summary>
    /// Allocates the buffers for whole-sequence calls of up to <paramref name="maxBatch"/> sequences
    /// of up to <paramref name="maxSteps"/> steps. One workspace serves one caller at a time.
    /// </summary>
    /// <param name="maxBatch">Largest batch the workspace accepts.</param>
    /// <param name="maxSteps">Longest sequence the workspace accepts.</param>
    /// <param name="threads">
    /// Threads a call may use (1..64). Input products are split by output panels and the recurrence
    /// by sequences; with fewer sequences than threads (one stream), each step's products are split
    /// by output panels instead, and a product too small to pay for it runs on the calling thread.
    /// Results are bit-identical for any thread count. A workspace with N threads owns N − 1 worker
    /// threads, ended by <see cref="SequenceWorkspace.Dispose"/> (or, never disposed, when it is collected).
    /// </param>
    /// <returns>The workspace.</returns>
    public SequenceWorkspace CreateWorkspace(int maxBatch, int maxSteps, int threads = 1) => new(Stack, maxBatch, maxSteps, threads);

    /// <summary>Creates a streaming session (unidirectional networks) for up to <paramref name="maxBatch"/> streams.</summary>
    /// <param name="maxBatch">Rows per step the session accepts.</param>
    /// <param name="threads">
    /// Threads a step may use (1..64): a step of at least 16 rows a thread is shared among them by
    /// rows (each thread the whole step of its rows), a smaller one by output rows, with bit-identical
    /// results either way; a step too small to pay for it runs on the calling thread alone.
    /// Worth it for one stream of a large layer on idle cores (README, "Threads"); a step with several
    /// threads blocks its caller until all are done. A session with N threads owns N − 1 worker
    /// threads, started by its first shared step, asleep when it is idle, ended by
    /// <see cref="StreamingSession.Dispose"/> (or, never disposed, when it is collected).
    /// </param>
    /// <returns>The session, with zero state.</returns>
    /// <exception cref="NotSupportedException">The network is bidirectional or reverse: it needs the whole sequence (use <see cref="Forward"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1, <paramref name="threads"/> outside 1..64, or the session's buffers would not fit an array.</exception>
    public StreamingSession CreateSession(int maxBatch = 1, int threads = 1) => new(Stack, maxBatch, threads);

    /// <summary>
    /// Runs the whole network over a batch of sequences, with PyTorch semantics. Allocates nothing.
    /// </summary>
    /// <param name="workspace">Buffers from <see cref="CreateWorkspace"/> of this network.</param>
    /// <param name="input">[T, B, I], or [B, T, I] when <see cref="NetworkDescription.BatchFirst"/>.</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="output">[T, B, D*H_out] (or [B, T, D*H_out]); zero past each sequence's length.</param>
    /// <param name="initial">
    /// h_0 [L*D, B, H_out] and c_0 [L*D, B, H] (LSTM), e.g. <c>new InitialState(h0, c0)</c>; default
    /// (or an empty span) for zeros. A struct rather than two spans so that it cannot be confused
    /// with <paramref name="final"/>: an order mistake does not compile.
    /// </param>
    /// <param name="final">
    /// Receives h_n [L*D, B, H_out] and c_n [L*D, B, H] (LSTM), e.g. <c>new FinalState(hn, cn)</c>;
    /// default (or an empty span) to skip. May be exactly the buffers of <paramref name="initial"/>.
    /// </param>
    /// <param name="lengths">[B] valid steps per sequence (1..T), or empty for all T.</param>
    public void Forward(
        SequenceWorkspace workspace,
        ReadOnlySpan<float> input,
        int steps,
        int batch,
        Span<float> output,
        InitialState initial = default,
        FinalState final = default,
        ReadOnlySpan<int> lengths = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        workspace.ThrowIfDisposed();
        if (!ReferenceEquals(workspace.Stack, Stack))
        {
            ThrowForeignWorkspace(workspace);
        }

        workspace.Enter();
        try
        {
            workspace.Runner.Forward(input, steps, batch, output, final.Hidden, final.Cell, initial.Hidden, initial.Cell, lengths);
        }
        finally
        {
            workspace.Exit();
        }
    }

    // Apart from Forward, so a call that passes builds no message.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowForeignWorkspace(SequenceWorkspace workspace) =>
        throw new ArgumentException(
            $"The workspace was created by another network, a {Describe(workspace.Description)}; this is a {Describe(Description)}"
            + $"{(workspace.Description == Description ? " (the same description, but another RecurrentNetwork: each one loaded or created is another)" : string.Empty)}. "
            + "A workspace serves only the network whose CreateWorkspace made it.",
            nameof(workspace));

    internal static int ElementCount(int[] shape)
    {
        int count = 1;
        foreach (int d in shape)
        {
            count = checked(count * d);
        }

        return count;
    }

    private static string Describe(NetworkDescription d) =>
        $"{d.Kind} ({d.Variant}) network with input_size {d.InputSize}, hidden_size {d.HiddenSize}, proj_size {d.ProjectionSize}, num_layers {d.NumLayers}, bidirectional {d.Bidirectional}, bias {d.Bias}{d.FormatOnnxOptions()}";
}
