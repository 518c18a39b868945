using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace FastRnn.Training;

/// <summary>Gradient clipping, the standard remedy for exploding gradients in recurrent networks.</summary>
public static class GradientClipping
{
    /// <summary>The L2 norm of all gradients together, computed in double precision.</summary>
    /// <param name="gradients">The gradients.</param>
    /// <returns>sqrt(Σ g²) over every parameter.</returns>
    public static double GlobalNorm(GradientBuffer gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        double sum = 0;
        foreach (string name in gradients.NameArray)
        {
            foreach (float g in gradients.Get(name))
            {
                sum += (double)g * g;
            }
        }

        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales all gradients by maxNorm / (norm + 1e-6) when that factor is below 1, as PyTorch's
    /// <c>clip_grad_norm_</c> does (so also for a norm within 1e-6 below <paramref name="maxNorm"/>).
    /// A non-finite norm leaves the gradients unscaled.
    /// </summary>
    /// <param name="gradients">The gradients, scaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed; positive.</param>
    /// <returns>The global norm before clipping.</returns>
    public static double ClipByGlobalNorm(GradientBuffer gradients, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        }

        double norm = GlobalNorm(gradients);
        double coefficient = maxNorm / (norm + 1e-6);
        if (double.IsFinite(norm) && coefficient < 1)
        {
            float scale = (float)coefficient;
            foreach (string name in gradients.NameArray)
            {
                Span<float> g = gradients.Get(name);
                TensorPrimitives.Multiply(g, scale, g);
            }
        }

        return norm;
    }

    /// <summary>
    /// Clips the gradients of any set of parameters (a whole model: embedding, network, head) by their
    /// global norm, as the <see cref="GradientBuffer"/> overload does.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are scaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed; positive.</param>
    /// <returns>The global norm before clipping.</returns>
    public static double ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        Parameter.CheckList(parameters, nameof(parameters));
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        }

        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            foreach (float g in parameters[i].Gradient)
            {
                sum += (double)g * g;
            }
        }

        double norm = Math.Sqrt(sum);
        double coefficient = maxNorm / (norm + 1e-6);
        if (double.IsFinite(norm) && coefficient < 1)
        {
            float scale = (float)coefficient;
            for (int i = 0; i < parameters.Count; i++)
            {
                TensorPrimitives.Multiply(parameters[i].Gradient, scale, parameters[i].Gradient);
            }
        }

        return norm;
    }

    /// <summary>Clamps every gradient element to [-limit, limit] (PyTorch's <c>clip_grad_value_</c>).</summary>
    /// <param name="gradients">The gradients, clamped in place.</param>
    /// <param name="limit">The largest magnitude allowed; positive.</param>
    public static void ClipByValue(GradientBuffer gradients, float limit)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(limit > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The clip value must be positive.");
        }

        foreach (string name in gradients.NameArray)
        {
            Span<float> g = gradients.Get(name);
            TensorPrimitives.Min(g, limit, g);
            TensorPrimitives.Max(g, -limit, g);
        }
    }
}
