using System;
using System.Collections.Generic;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Diagnostics;

/// <summary>
/// The self-check runs the packed product on bfloat16 weights (its own widening loads per path, for
/// every gate count) as well as on float32 and int8 ones: the README says it runs every kernel.
/// </summary>
public sealed class SelfCheckBFloat16Tests
{
    [Fact]
    public void TheBFloat16ProductIsCheckedForEveryGateCount()
    {
        SelfCheckReport report = SelfCheck.Run();
        var rows = new List<SelfCheckRow>(report.Rows);
        for (int gates = 1; gates <= 4; gates++)
        {
            SelfCheckRow row = Assert.Single(rows, r => r.Operation == $"PackedMatMul bf16 gates={gates}");
            Assert.True(row.Passed, $"{row.Operation}: {row.MaxError} > {row.Allowed}");
            Assert.Equal(1e-5, row.Allowed);
            Assert.Equal(Isa.Active, row.Path);
        }
    }
}
