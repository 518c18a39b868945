using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn eval CASE.safetensors --out RESULT.safetensors [--check]</c>: runs a case in the
/// conformance format and writes <c>output</c>, <c>h_n</c> (and <c>c_n</c>) as F32; with
/// <c>--check</c>, also compares them with the case's expected tensors.
/// </summary>
internal static class EvalCommand
{
    private const double ForwardTolerance = 1e-5;

    public static int Run(ReadOnlySpan<string> args)
    {
        string? casePath = null, outPath = null;
        bool check = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length:
                    outPath = args[++i];
                    break;
                case "--check":
                    check = true;
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || casePath is not null)
                    {
                        return Fail($"unexpected argument '{args[i]}'. Usage: fastrnn eval CASE.safetensors --out RESULT.safetensors [--check]");
                    }

                    casePath = args[i];
                    break;
            }
        }

        if (casePath is null || (outPath is null && !check))
        {
            return Fail("usage: fastrnn eval CASE.safetensors --out RESULT.safetensors [--check]");
        }

        try
        {
            SafeTensorsFile file = SafeTensorsFile.Read(casePath);
            RecurrentNetwork network = NetworkFile.FromSafeTensors(file, CaseTensors.IsCaseTensor);
            NetworkDescription d = network.Description;
            CaseTensors c = CaseTensors.Read(file, d);
            int slots = d.NumLayers * d.Directions;
            float[] output = new float[c.Steps * c.Batch * d.OutputSize];
            float[] hn = new float[slots * c.Batch * d.StateSize];
            float[]? cn = d.HasCellState ? new float[slots * c.Batch * d.HiddenSize] : null;
            network.Forward(network.CreateWorkspace(c.Batch, c.Steps), c.Input, c.Steps, c.Batch, output, hn, cn, c.H0, c.C0, c.Lengths);

            int[] outputShape = d.BatchFirst ? [c.Batch, c.Steps, d.OutputSize] : [c.Steps, c.Batch, d.OutputSize];
            var results = new List<(string Name, float[] Data, int[] Shape)>
            {
                ("output", output, outputShape),
                ("h_n", hn, [slots, c.Batch, d.StateSize]),
            };
            if (cn is not null)
            {
                results.Add(("c_n", cn, [slots, c.Batch, d.HiddenSize]));
            }

            if (outPath is not null)
            {
                var writer = new SafeTensorsWriter();
                writer.SetMetadata("source", Path.GetFileName(casePath));
                foreach ((string name, float[] data, int[] shape) in results)
                {
                    writer.Add(name, data, shape);
                }

                writer.Save(outPath);
                Console.WriteLine($"wrote {outPath}: {string.Join(", ", results.ConvertAll(r => r.Name))}");
            }

            return check ? Check(file, results) : 0;
        }
        catch (Exception e) when (e is FastRnnFormatException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Fail(e.Message);
        }
    }

    private static int Check(SafeTensorsFile file, List<(string Name, float[] Data, int[] Shape)> results)
    {
        bool ok = true;
        foreach ((string name, float[] data, int[] shape) in results)
        {
            if (!file.Contains(name))
            {
                Console.WriteLine($"  {name,-8} no expected tensor in the case: not checked");
                continue;
            }

            CaseTensors.CheckShape(file, name, shape, file.SourceName ?? "the case");
            double[] expected = file.ReadFloat64(name);
            double error = RelativeError(data, expected);
            bool pass = error <= ForwardTolerance;
            ok &= pass;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-8} max|A-E|/(max|E|+1e-6) = {error:E2} (allowed {ForwardTolerance:E0}) {(pass ? "PASS" : "FAIL")}"));
        }

        return ok ? 0 : 1;
    }

    private static double RelativeError(float[] actual, double[] expected)
    {
        double maxDiff = 0, maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            maxDiff = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(maxDiff, diff);
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }

        return maxDiff / (maxExpected + 1e-6);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn eval: {message}");
        return 1;
    }
}
