using System;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>Each CI leg says which path it means to run; a leg that silently runs another fails here.</summary>
public sealed class IsaPathTests
{
    [Fact]
    public void ActivePathIsTheOneThisLegExpects()
    {
        string? expected = Environment.GetEnvironmentVariable("FASTRNN_EXPECT_SIMD_PATH");
        if (string.IsNullOrEmpty(expected))
        {
            // A developer's run: only check the choice is the widest accelerated one.
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? SimdPath.Vector512 : Isa.Active, Isa.Active);
            return;
        }

        Assert.Equal(Enum.Parse<SimdPath>(expected), Isa.Active);
    }

    [Fact]
    public void WidthMatchesPath()
    {
        Assert.Equal(Isa.WidthOf(Isa.Active), Isa.FloatsPerVector);
        Assert.Contains(Isa.FloatsPerVector, new[] { 1, 4, 8, 16 });
    }
}
