using System;
using System.Linq;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Onnx.RuntimeTests;

/// <summary>.ci/run runs this project on every ISA path; this asserts the leg really runs the path it names.</summary>
public class ActiveIsaPathTests
{
    [Fact]
    public void The_leg_runs_the_path_it_expects()
    {
        string? expected = Environment.GetEnvironmentVariable("FASTRNN_EXPECT_SIMD_PATH");
        string line = CpuDescription.Summary().Split('\n').Single(l => l.StartsWith("ISA path:", StringComparison.Ordinal));
        string active = line["ISA path:".Length..].Trim();
        Assert.False(string.IsNullOrEmpty(active));
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(expected, active);
        }
    }
}
