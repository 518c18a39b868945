using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>The result of <see cref="SelfCheck.Run"/>: the rows, their verdict and the ISA path they ran on.</summary>
public sealed class SelfCheckReport
{
    private readonly SelfCheckRow[] rows;

    /// <summary>Creates a report; callers may add checks of their own (e.g. that the active path is the one expected).</summary>
    /// <param name="activePath">The ISA path the checks ran on.</param>
    /// <param name="rows">The rows, copied in order; none may be null.</param>
    public SelfCheckReport(SimdPath activePath, IEnumerable<SelfCheckRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ActivePath = activePath;
        this.rows = [.. rows];
        int missing = Array.IndexOf(this.rows, null);
        if (missing >= 0)
        {
            throw new ArgumentException($"Row {missing} of {this.rows.Length} is null.", nameof(rows));
        }
    }

    /// <summary>The ISA path the checks ran on (<see cref="Isa.Active"/> for <see cref="SelfCheck.Run"/>).</summary>
    public SimdPath ActivePath { get; }

    /// <summary>The rows in order.</summary>
    public IReadOnlyList<SelfCheckRow> Rows => rows;

    /// <summary>Whether there is at least one row and every row passed (an empty report is not a pass).</summary>
    public bool AllPassed => rows.Length > 0 && Array.TrueForAll(rows, r => r.Passed);
}
