using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.IO;
using FastRnn.Training.Optimizers;

namespace FastRnn.Training;

/// <summary>
/// Whole-model checkpoints as safetensors: every parameter under its name, optionally the
/// optimizer's state under <c>optimizer.*</c> with its type, step count and hyperparameters (learning
/// rate, betas, eps, momentum, weight decay) as <c>optimizer_*</c> metadata, and metadata. Writes are
/// atomic; loading checks everything before changing anything, so a refused file leaves the model as it was.
/// </summary>
/// <remarks>
/// Training resumed from a checkpoint (parameters and optimizer) gives the weights of the run that did not
/// stop, bit for bit, when the batches that follow are the same: the optimizer's state, step count and
/// hyperparameters are what it needs, and a learning-rate schedule that reads <see cref="Optimizer.StepCount"/>
/// picks up where it was. Not in a checkpoint: the gradients (zero them before the next batch), the
/// position of a model's dropout generators (a model built again draws its first masks again, so a resumed
/// run with dropout is a valid run but not the uninterrupted one), and <see cref="Trainer.Run"/>'s
/// position (it starts at epoch 1 with its split and shuffles from <see cref="TrainerOptions.Seed"/>, and
/// with its early-stopping count afresh).
/// </remarks>
public static class Checkpoint
{
    /// <summary>Metadata key that marks a FastRnn checkpoint.</summary>
    public const string FormatKey = "fastrnn_checkpoint";

    // Metadata keys of the optimizer: its step count, its type, and each hyperparameter under this prefix and its name.
    private const string StepsKey = "optimizer_steps";
    private const string TypeKey = "optimizer_type";
    private const string OptimizerPrefix = "optimizer_";

    // The value of FormatKey this build writes and reads.
    private const string FormatVersion = "1";

    // The most steps a checkpoint may record: beyond any run, and where Adam's bias correction (a
    // power of the count, taken as a double) is still exact; a count near long.MaxValue wrapped on
    // the next step and made every weight NaN.
    private const long MaxSteps = 1L << 53;

    /// <summary>Saves the parameters (and optimizer state) atomically.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="parameters">The model's parameters.</param>
    /// <param name="metadata">Extra string metadata (e.g. the model's options), or null.</param>
    /// <param name="optimizer">An optimizer whose state to include, or null.</param>
    /// <exception cref="ArgumentException">A parameter or optimizer value is not finite, or <paramref name="metadata"/> uses a key of the checkpoint's own (<see cref="FormatKey"/> or one starting with <c>optimizer_</c>).</exception>
    public static void Save(string path, IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, string>? metadata = null, Optimizer? optimizer = null)
    {
        Parameter.CheckList(parameters, nameof(parameters));

        // Refused here, not found at the resume: Load refuses non-finite values (a diverged model has
        // nothing to resume from) and reads these two keys itself.
        foreach (Parameter p in parameters)
        {
            RequireFinite(p.Value, p.Name);
        }

        foreach ((string name, float[] values) in optimizer?.State() ?? [])
        {
            RequireFinite(values, "optimizer." + name);
        }

        var writer = new SafeTensorsWriter();
        writer.SetMetadata(FormatKey, FormatVersion);
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (pair.Key == FormatKey || pair.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Metadata key '{pair.Key}' is the checkpoint's own; name the entry otherwise.", nameof(metadata));
                }

                writer.SetMetadata(pair.Key, pair.Value);
            }
        }

        foreach (Parameter p in parameters)
        {
            writer.Add(p.Name, p.Value, p.Shape);
        }

        if (optimizer is not null)
        {
            writer.SetMetadata(StepsKey, optimizer.StepCount.ToString(CultureInfo.InvariantCulture));
            writer.SetMetadata(TypeKey, optimizer.GetType().Name);
            string[] names = optimizer.SettingNames;
            float[] settings = new float[names.Length];
            optimizer.GetSettings(settings);
            for (int i = 0; i < names.Length; i++)
            {
                writer.SetMetadata(OptimizerPrefix + names[i], settings[i].ToString("R", CultureInfo.InvariantCulture));
            }
            foreach ((string name, float[] values) in optimizer.State())
            {
                writer.Add("optimizer." + name, values, [values.Length]);
            }
        }

        writer.Save(path);
    }

    /// <summary>
    /// Loads parameters (and, if given, optimizer state) saved by <see cref="Save"/> into
    /// <paramref name="parameters"/>. The file must hold exactly these parameters with their shapes.
    /// A <see cref="Models.SequenceModel"/> or <see cref="Models.Seq2SeqModel"/> whose parameters
    /// these are re-packs its networks at the start of its next call; no <c>ParametersUpdated</c>
    /// call is needed. An optimizer gets back its state, step count and hyperparameters (learning
    /// rate included); it must be of the type that saved them.
    /// </summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="parameters">The model's parameters, overwritten on success.</param>
    /// <param name="optimizer">An optimizer to restore, or null to ignore saved optimizer state.</param>
    /// <returns>The checkpoint's metadata.</returns>
    /// <exception cref="FastRnnFormatException">The file is not a matching FastRnn checkpoint, is one of another format version, holds the state of another type of optimizer, or holds no optimizer state while <paramref name="optimizer"/> is given.</exception>
    public static IReadOnlyDictionary<string, string> Load(string path, IReadOnlyList<Parameter> parameters, Optimizer? optimizer = null)
    {
        Parameter.CheckList(parameters, nameof(parameters));
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        string where = file.SourceName ?? path;
        if (!file.Metadata.TryGetValue(FormatKey, out string? version))
        {
            throw new FastRnnFormatException($"{where} is not a FastRnn checkpoint (no '{FormatKey}' metadata).");
        }

        if (version != FormatVersion)
        {
            throw new FastRnnFormatException($"{where} is a FastRnn checkpoint of format version '{version}'; this build reads version {FormatVersion} only (a later FastRnn's checkpoint needs that FastRnn).");
        }

        if (optimizer is not null && optimizer.State().Count > 0 && !file.Metadata.ContainsKey(TypeKey) && !file.Metadata.ContainsKey(StepsKey)
            && !HasOptimizerTensors(file))
        {
            throw new FastRnnFormatException($"{where} holds no optimizer state (it was saved without an optimizer); load it with optimizer: null, and the optimizer starts afresh.");
        }

        float[]? settings = optimizer is null ? null : ReadSettings(file, optimizer, where);
        var staged = new List<(float[] Target, float[] Values)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (Parameter p in parameters)
        {
            expected.Add(p.Name);
            float[] read = Read(file, p.Name, p.Shape, where);
            if (read.Length != p.Value.Length)
            {
                // Its Shape array was changed after it was made: refused before any parameter is written.
                throw new ArgumentException($"Parameter '{p.Name}' has shape [{string.Join(", ", p.Shape)}] ({read.Length} values) but holds {p.Value.Length} values.", nameof(parameters));
            }

            staged.Add((p.Value, read));
        }

        IReadOnlyList<(string Name, float[] Values)> state = optimizer?.State() ?? [];
        foreach ((string name, float[] values) in state)
        {
            string key = "optimizer." + name;
            expected.Add(key);
            float[] read = Read(file, key, [values.Length], where);
            if (optimizer!.CheckState(name, read) is string problem)
            {
                throw new FastRnnFormatException($"{where}: tensor '{key}' {problem}.");
            }

            staged.Add((values, read));
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            bool optimizerTensor = entry.Name.StartsWith("optimizer.", StringComparison.Ordinal);
            if (!expected.Contains(entry.Name) && !(optimizerTensor && optimizer is null))
            {
                throw new FastRnnFormatException($"{where}: unexpected tensor '{entry.Name}'; the checkpoint does not match this model.");
            }
        }

        long steps = 0;
        if (optimizer is not null && state.Count > 0
            && (!file.Metadata.TryGetValue(StepsKey, out string? text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out steps)))
        {
            throw new FastRnnFormatException($"{where}: optimizer state without a valid '{StepsKey}' entry.");
        }

        if (steps > MaxSteps)
        {
            throw new FastRnnFormatException($"{where}: {StepsKey} = {steps} is more than {MaxSteps} (2^53), more steps than a run takes.");
        }

        foreach ((float[] target, float[] values) in staged)
        {
            values.CopyTo(target, 0);
        }

        foreach (Parameter p in parameters)
        {
            p.MarkChanged();
        }

        optimizer?.RestoreStepCount(steps);
        if (settings is not null)
        {
            optimizer!.RestoreSettings(settings);
        }

        return file.Metadata;
    }

    // The optimizer's saved hyperparameters, checked; null for a checkpoint from before they were kept
    // (the optimizer keeps its own). Another type's state is refused before its tensors are looked for.
    private static float[]? ReadSettings(SafeTensorsFile file, Optimizer optimizer, string where)
    {
        string type = optimizer.GetType().Name;
        if (!file.Metadata.TryGetValue(TypeKey, out string? saved))
        {
            return null;
        }

        if (saved != type)
        {
            throw new FastRnnFormatException($"{where} holds optimizer state of type {saved}, not {type}; load it with an optimizer of type {saved}, or with none.");
        }

        string[] names = optimizer.SettingNames;
        float[] values = new float[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string key = OptimizerPrefix + names[i];
            if (!file.Metadata.TryGetValue(key, out string? text) || !float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                throw new FastRnnFormatException($"{where}: {type} state without a valid '{key}' entry.");
            }
        }

        if (optimizer.CheckSettings(values) is string problem)
        {
            throw new FastRnnFormatException($"{where}: the saved {type} hyperparameters are refused: {problem}");
        }

        return values;
    }

    private static bool HasOptimizerTensors(SafeTensorsFile file)
    {
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            if (entry.Name.StartsWith("optimizer.", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void RequireFinite(float[] values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException($"'{name}' holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}: a checkpoint holds finite values only (a diverged model has nothing to resume from).");
            }
        }
    }

    private static float[] Read(SafeTensorsFile file, string name, int[] shape, string where)
    {
        if (!file.Contains(name))
        {
            throw new FastRnnFormatException($"{where}: missing tensor '{name}' of shape [{string.Join(", ", shape)}].");
        }

        SafeTensorsEntry entry = file.Get(name);
        bool same = entry.DType == SafeTensorsDType.F32 && entry.Shape.Count == shape.Length;
        for (int i = 0; same && i < shape.Length; i++)
        {
            same = entry.Shape[i] == shape[i];
        }

        if (!same)
        {
            throw new FastRnnFormatException($"{where}: tensor '{name}' is {entry.DType.ToHeaderName()} [{string.Join(", ", entry.Shape)}]; this model needs F32 [{string.Join(", ", shape)}].");
        }

        float[] values = file.ReadFloat32(name);
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new FastRnnFormatException($"{where}: tensor '{name}' holds a non-finite value.");
            }
        }

        return values;
    }
}
