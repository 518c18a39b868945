using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Architecture;

/// <summary>
/// The core's floors (src/FastRnn/README.md): a namespace may use its own floor and the floors
/// below it, never one above. Read from the compiled assembly, so a new upward edge fails here
/// whatever the source spelling.
/// </summary>
public sealed class FloorTests
{
    // Lowest first. Namespaces on one floor may use each other; a namespace not listed fails the
    // test, so each new one is placed on purpose.
    private static readonly string[][] Floors =
    [
        ["FastRnn"],                              // vocabulary: cell kinds, variants, activations, descriptions, weight formats
        ["FastRnn.Memory"],                       // aligned buffers, overlap checks, the parallel-parts runner
        ["FastRnn.Kernels"],                      // products and fused epilogues, one dispatch per ISA path
        ["FastRnn.Cells"],                        // one layer-direction's weights and its step, forward and backward
        ["FastRnn.Layers", "FastRnn.Sessions", "FastRnn.Heads"], // the sequence runner; step-by-step sessions; dense heads
        ["FastRnn.Networks"],                     // RecurrentNetwork: the facade that owns the cells
        ["FastRnn.IO"],                           // network files, safetensors
        ["FastRnn.Training", "FastRnn.Training.Optimizers", "FastRnn.Training.Heads", "FastRnn.Training.Losses"],
        ["FastRnn.Training.Models"],              // sequence and seq2seq models built on training
        ["FastRnn.Diagnostics"],                  // the self-check
    ];

    private static readonly NamespaceGraph Graph = NamespaceGraph.Read(typeof(RecurrentNetwork).Assembly);

    [Fact]
    public void EveryNamespaceIsOnAFloor()
    {
        string[] unplaced = Graph.Namespaces.Where(ns => FloorOf(ns) < 0).ToArray();
        Assert.True(unplaced.Length == 0, $"Namespaces not on any floor (add each to FloorTests.Floors and src/FastRnn/README.md): {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void NoNamespaceUsesAFloorAboveIt()
    {
        var upward = new StringBuilder();
        foreach (KeyValuePair<(string From, string To), string> edge in Graph.Edges.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal))
        {
            int from = FloorOf(edge.Key.From), to = FloorOf(edge.Key.To);
            if (from >= 0 && to > from)
            {
                upward.AppendLine($"  {edge.Key.From} (floor {from}) uses {edge.Key.To} (floor {to}): {edge.Value}");
            }
        }

        Assert.True(upward.Length == 0, "Upward dependencies:\n" + upward);
    }

    [Fact]
    public void TheGraphSeesEdgesItMustSee()
    {
        // Guards the reader itself: edges that exist by construction (a kernel's use of the
        // vector abstraction is generic-argument only; the facade news up cells).
        Assert.Contains(("FastRnn.Networks", "FastRnn.Cells"), Graph.Edges.Keys);
        Assert.Contains(("FastRnn.Cells", "FastRnn.Kernels"), Graph.Edges.Keys);
        Assert.True(Graph.Namespaces.Count >= Floors.Length, $"Only {Graph.Namespaces.Count} namespaces read.");
    }

    private static int FloorOf(string ns)
    {
        for (int i = 0; i < Floors.Length; i++)
        {
            if (Array.IndexOf(Floors[i], ns) >= 0)
            {
                return i;
            }
        }

        return -1;
    }
}
