using System;
using System.Collections.Generic;

namespace FastRnn.IO;

/// <summary>
/// Checks that the tensors tile the data section exactly: no byte shared by two tensors, no byte
/// belonging to none, nothing after the last one. Header order is free; only the offsets matter.
/// </summary>
internal static class SafeTensorsLayout
{
    public static void ValidateTiling(List<SafeTensorsEntry> tensors, long dataLength, string? sourceName)
    {
        SafeTensorsEntry[] byOffset = tensors.ToArray();
        // Empty tensors sort before a non-empty one at the same offset, so they never look like overlaps.
        Array.Sort(byOffset, static (a, b) =>
        {
            int byBegin = a.DataBegin.CompareTo(b.DataBegin);
            return byBegin != 0 ? byBegin : a.DataEnd.CompareTo(b.DataEnd);
        });

        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry entry in byOffset)
        {
            if (entry.DataBegin < covered)
            {
                throw SafeTensorsErrors.Create(
                    sourceName,
                    $"tensor '{entry.Name}' (data_offsets [{entry.DataBegin}, {entry.DataEnd}]) overlaps tensor " +
                    $"'{previous!.Name}' (data_offsets [{previous.DataBegin}, {previous.DataEnd}])");
            }

            if (entry.DataBegin > covered)
            {
                throw SafeTensorsErrors.Create(
                    sourceName,
                    $"bytes [{covered}, {entry.DataBegin}) of the data section belong to no tensor: a hole before " +
                    $"tensor '{entry.Name}' (data_offsets [{entry.DataBegin}, {entry.DataEnd}]), expected it to begin at {covered}");
            }

            covered = entry.DataEnd;
            previous = entry;
        }

        if (covered != dataLength)
        {
            string after = previous is null ? "with no tensors in the header" : $"after the last tensor '{previous.Name}'";
            throw SafeTensorsErrors.Create(
                sourceName,
                $"{dataLength - covered} trailing bytes in the data section {after}: " +
                $"tensors end at {covered}, the data section is {dataLength} bytes long");
        }
    }
}
