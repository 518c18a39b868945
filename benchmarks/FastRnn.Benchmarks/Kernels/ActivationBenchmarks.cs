using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// FastRnn's sigmoid and tanh over 4096 floats against <see cref="TensorPrimitives"/> (the
/// baseline of each category), inputs spread over [-10, 10] as gate pre-activations are.
/// </summary>
[KernelConfig]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ActivationBenchmarks
{
    public const int Length = 4096;
    private float[] source = null!;
    private float[] destination = null!;

    [GlobalSetup]
    public void Setup()
    {
        IsaJobs.AssertExpectedPath();
        source = KernelData.Uniform(Length, 10f, 3);
        destination = new float[Length];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sigmoid")]
    public void TensorPrimitivesSigmoid() => TensorPrimitives.Sigmoid(source, destination);

    [Benchmark]
    [BenchmarkCategory("Sigmoid")]
    public void FastRnnSigmoid() => Activations.Apply(Activations.Kind.Sigmoid, source, destination);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Tanh")]
    public void TensorPrimitivesTanh() => TensorPrimitives.Tanh(source, destination);

    [Benchmark]
    [BenchmarkCategory("Tanh")]
    public void FastRnnTanh() => Activations.Apply(Activations.Kind.Tanh, source, destination);
}
