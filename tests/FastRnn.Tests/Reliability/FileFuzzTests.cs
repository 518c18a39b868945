using System;
using System.Collections.Generic;
using System.Diagnostics;
using FastRnn.Networks;
using FastRnn.Tests.Reliability.Fuzzing;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// Every file reader of the project against mutated and hostile files: each input is accepted and
/// read correctly, or rejected with <see cref="FastRnnFormatException"/> and a message; never another
/// exception, a hang, or an allocation beyond a small multiple of the file's size (see
/// <see cref="ReaderTarget.AllocationBound"/>). Over 100,000 mutants in all, in a few seconds.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FileFuzzTests
{
    private readonly ITestOutputHelper output;

    public FileFuzzTests(ITestOutputHelper output) => this.output = output;

    public static TheoryData<string, int> Targets() => new()
    {
        { "safetensors", 50_000 },
        { "network", 30_000 },
        { "case", 30_000 },
        { "checkpoint", 3_000 }, // a file write per mutant
        { "onnx", 20_000 },
        { "module", 20_000 },
    };

    // Protobuf has no end marker: a model cut at a field boundary is a valid, smaller model, which
    // the importer may accept (it then holds what is left), so the truncation test below cannot
    // demand rejection of it; the mutants above cover it.
    public static TheoryData<string, int> SelfDelimitingTargets()
    {
        var data = new TheoryData<string, int>();
        foreach (TheoryDataRow<string, int> row in Targets())
        {
            if (row.Data.Item1 != "onnx")
            {
                data.Add(row.Data.Item1, row.Data.Item2);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutantsAreAcceptedCorrectlyOrRejectedCleanly(string name, int mutants)
    {
        ReaderTarget target = Create(name);
        try
        {
            var run = new FuzzRun(target);
            var mutator = new ByteMutator(seed: name.Length * 7919);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < mutants; i++)
            {
                byte[] seed = target.Seeds[i % target.Seeds.Length];
                run.Feed(mutator.Mutate(seed), $"mutant {i} of seed {i % target.Seeds.Length}");
            }

            output.WriteLine(
                $"{name}: {mutants} mutants in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s, {run.Accepted} accepted, {run.Rejected} rejected, " +
                $"slowest {run.SlowestMilliseconds:F2} ms, largest allocation {run.LargestAllocation} bytes ({run.LargestAllocationFileLength}-byte file), " +
                $"worst allocation {run.WorstAllocationRatio:F2} x file size for files over {ReaderTarget.AllocationConstant} bytes");
            Assert.True(run.Rejected > mutants / 2, $"only {run.Rejected} of {mutants} mutants were rejected: the mutator is too timid to test anything");
        }
        finally
        {
            (target as CheckpointTarget)?.Cleanup();
        }
    }

    [Theory]
    [InlineData("safetensors")]
    [InlineData("network")]
    public void MutantsOfALargeFileAllocateAtMostAFewTimesItsSize(string name)
    {
        // About 1 MB of weights, so the per-byte part of the bound, not the constant, is what is tested.
        byte[] large = FuzzSeeds.NetworkFile(new NetworkDescription(CellKind.Lstm, 64, 128) { NumLayers = 2 });
        var run = new FuzzRun(Create(name));
        var mutator = new ByteMutator(seed: 17);
        for (int i = 0; i < 300; i++)
        {
            run.Feed(mutator.Mutate(large), $"mutant {i} of a {large.Length}-byte network file");
        }

        output.WriteLine($"{name}: {large.Length}-byte file, {run.Accepted} of 300 mutants accepted, worst allocation {run.WorstAllocationRatio:F2} x file size");
        Assert.True(run.Accepted > 0, "no mutant of the large file was accepted, so no full load was measured");
        Assert.InRange(run.WorstAllocationRatio, 0.5, ReaderTarget.AllocationPerFileByte);
    }

    [Theory]
    [MemberData(nameof(SelfDelimitingTargets))]
    public void TruncationAtEveryByteOfEverySeedIsRejected(string name, int mutants)
    {
        _ = mutants;
        ReaderTarget target = Create(name);
        try
        {
            var run = new FuzzRun(target);
            foreach (byte[] seed in target.Seeds)
            {
                for (int length = 0; length < seed.Length; length++)
                {
                    run.Feed(seed.AsSpan(0, length).ToArray(), $"the first {length} of {seed.Length} bytes");
                }
            }

            Assert.Equal(0, run.Accepted);
        }
        finally
        {
            (target as CheckpointTarget)?.Cleanup();
        }
    }

    internal static ReaderTarget Create(string name) => name switch
    {
        "safetensors" => new SafeTensorsTarget(),
        "network" => new NetworkFileTarget(),
        "case" => new CaseFileTarget(),
        "checkpoint" => new CheckpointTarget(),
        "onnx" => new OnnxModelTarget(),
        "module" => new ModuleFileTarget(),
        _ => throw new ArgumentException($"No reader target '{name}'.", nameof(name)),
    };

    internal static IEnumerable<string> TargetNames() => ["safetensors", "network", "case", "checkpoint", "onnx", "module"];
}
