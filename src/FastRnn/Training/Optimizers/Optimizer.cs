using System;
using System.Collections.Generic;

namespace FastRnn.Training.Optimizers;

/// <summary>
/// Updates parameters in place from their gradients. The library's optimizers record every
/// <see cref="Step"/>, and a model re-packs the fast layouts of the weights that changed at the
/// start of its next call; an optimizer written outside this library cannot, so call the model's
/// <c>ParametersUpdated</c> after its steps.
/// </summary>
public abstract class Optimizer
{
    private readonly Parameter[] parameters;
    private float learningRate;

    /// <summary>Creates an optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters it updates, in a fixed order (its state follows it), each under a name of its own.</param>
    /// <exception cref="ArgumentException">An element is null, or two share a name (the same parameter twice would be updated twice a step).</exception>
    protected Optimizer(IReadOnlyList<Parameter> parameters)
    {
        Parameter.CheckList(parameters, nameof(parameters));
        this.parameters = new Parameter[parameters.Count];
        var first = new Dictionary<string, int>(parameters.Count, StringComparer.Ordinal);
        for (int i = 0; i < this.parameters.Length; i++)
        {
            this.parameters[i] = parameters[i];
            if (!first.TryAdd(parameters[i].Name, i))
            {
                throw new ArgumentException(
                    $"parameters[{first[parameters[i].Name]}] and parameters[{i}] are both named '{parameters[i].Name}'; an optimizer updates each parameter once, and keeps its state by name.", nameof(parameters));
            }
        }
    }

    /// <summary>The parameters, in the optimizer's order.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>Learning rate; may be changed between steps (schedules). Positive and finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not positive and finite.</exception>
    public float LearningRate
    {
        get => learningRate;
        set
        {
            if (LearningRateProblem(value) is string problem)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, problem);
            }

            learningRate = value;
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Applies one update from the current gradients.</summary>
    public abstract void Step();

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (Parameter p in parameters)
        {
            Array.Clear(p.Gradient);
        }
    }

    /// <summary>
    /// The optimizer's state tensors by name (e.g. <c>exp_avg.head.weight</c>) for checkpoints;
    /// restoring writes into these arrays.
    /// </summary>
    /// <returns>Name and storage of every state tensor.</returns>
    public abstract IReadOnlyList<(string Name, float[] Values)> State();

    /// <summary>Restores the step count from a checkpoint (bias corrections depend on it).</summary>
    /// <param name="steps">Steps taken before the checkpoint.</param>
    internal void RestoreStepCount(long steps) => StepCount = steps;

    /// <summary>
    /// The hyperparameters a checkpoint keeps, by name (learning rate first); an optimizer of this
    /// library adds its own. Values in the order <see cref="CheckSettings"/> and <see cref="RestoreSettings"/> take them.
    /// </summary>
    internal virtual string[] SettingNames => ["lr"];

    /// <summary>The current values of <see cref="SettingNames"/>.</summary>
    internal virtual void GetSettings(Span<float> values) => values[0] = LearningRate;

    /// <summary>What is wrong with saved values of <see cref="SettingNames"/>, or null when they can be restored.</summary>
    internal virtual string? CheckSettings(ReadOnlySpan<float> values) => LearningRateProblem(values[0]);

    /// <summary>Restores values of <see cref="SettingNames"/> that <see cref="CheckSettings"/> accepted.</summary>
    internal virtual void RestoreSettings(ReadOnlySpan<float> values) => LearningRate = values[0];

    /// <summary>What is wrong with a learning rate, or null.</summary>
    private protected static string? LearningRateProblem(float value) =>
        value > 0 && float.IsFinite(value) ? null : $"The learning rate must be positive and finite; got {value}.";

    /// <summary>What is wrong with saved state <paramref name="name"/> (as <see cref="State"/> names it), or null when it can be restored.</summary>
    internal virtual string? CheckState(string name, ReadOnlySpan<float> values) => null;

    /// <summary>The parameter at <paramref name="index"/>, without the interface dispatch of <see cref="Parameters"/>.</summary>
    protected Parameter At(int index) => parameters[index];

    /// <summary>Number of parameters.</summary>
    protected int Count => parameters.Length;
}
