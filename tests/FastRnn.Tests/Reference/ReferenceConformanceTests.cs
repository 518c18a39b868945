using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace FastRnn.Tests.Reference;

/// <summary>The reference against PyTorch float64 results stored in the conformance files.</summary>
public sealed class ReferenceConformanceTests
{
    private const double Tolerance = 1e-9;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string name in ConformanceCase.Names())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void All_case_files_are_present()
    {
        Assert.Equal(33, ConformanceCase.Names().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weight_shapes_list_the_file_weights_in_state_dict_order(string name)
    {
        ConformanceCase c = ConformanceCase.Load(name);
        var fromConfig = c.Config.WeightShapes().Select(w => (w.name, string.Join(",", w.shape))).ToList();
        var fromFile = ConformanceCaseFile.Load(System.IO.Path.Combine(ConformanceCase.Folder, name + ".safetensors"))
            .Names.Where(n => c.Weights.ContainsKey(n))
            .Select(n => (n, string.Join(",", c.Shapes[n])))
            .ToList();
        Assert.Equal(fromFile, fromConfig);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_matches_pytorch(string name)
    {
        ConformanceCase c = ConformanceCase.Load(name);
        ReferenceForwardResult forward = c.RunForward();
        ReferenceGradients grads = c.RunBackward();

        var actual = new Dictionary<string, double[]?>
        {
            ["output"] = forward.Output,
            ["h_n"] = forward.HN,
            ["c_n"] = forward.CN,
            ["grad.input"] = grads.GradInput,
            ["grad.h0"] = grads.GradH0,
            ["grad.c0"] = grads.GradC0,
        };
        foreach ((string weight, double[] g) in grads.GradWeights)
        {
            actual["grad." + weight] = g;
        }

        var failures = new List<string>();
        foreach ((string tensor, double[] expected) in c.Expected)
        {
            double[]? a = actual.GetValueOrDefault(tensor);
            double err = a is null ? double.PositiveInfinity : ReferenceTolerance.RelativeError(a, expected);
            if (!(err <= Tolerance))
            {
                failures.Add($"{tensor}: relative error {err:E3}");
            }
        }

        Assert.True(failures.Count == 0, $"{name}: {string.Join("; ", failures)}");
        Assert.Equal(
            actual.Where(kv => kv.Value is not null).Select(kv => kv.Key).OrderBy(k => k, System.StringComparer.Ordinal),
            c.Expected.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
    }
}
