using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Tests.Reliability.Fuzzing;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// Hand-made hostile files, and the corpus of interesting inputs a coverage-guided fuzzer found
/// (Reliability/Corpus, see tests/README.md, "Fuzzing"), through every reader: accepted and correct, or
/// rejected with <see cref="FastRnnFormatException"/>, within the time and allocation bounds.
/// </summary>
public sealed class HostileFileTests
{
    public static TheoryData<string> Readers() => [.. FileFuzzTests.TargetNames()];

    [Theory]
    [MemberData(nameof(Readers))]
    public void HostileFilesAreRejectedCleanly(string reader)
    {
        ReaderTarget target = FileFuzzTests.Create(reader);
        try
        {
            var run = new FuzzRun(target);
            foreach ((string what, byte[] bytes) in HostileInputs.Malformed())
            {
                run.Feed(bytes, what);
            }

            Assert.Equal(0, run.Accepted);
            int wellFormed = 0;
            foreach ((string what, byte[] bytes) in HostileInputs.WellFormedButWrong())
            {
                run.Feed(bytes, what);
                wellFormed++;
            }

            // Plain safetensors files, but no network, case or checkpoint.
            Assert.Equal(reader == "safetensors" ? wellFormed : 0, run.Accepted);
        }
        finally
        {
            (target as CheckpointTarget)?.Cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void CorpusFilesAreReadCorrectlyOrRejectedCleanly(string reader)
    {
        string[] files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Reliability", "Corpus"));
        Assert.NotEmpty(files);
        ReaderTarget target = FileFuzzTests.Create(reader);
        try
        {
            var run = new FuzzRun(target);
            foreach (string file in files)
            {
                run.Feed(File.ReadAllBytes(file), Path.GetFileName(file));
            }
        }
        finally
        {
            (target as CheckpointTarget)?.Cleanup();
        }
    }
}
