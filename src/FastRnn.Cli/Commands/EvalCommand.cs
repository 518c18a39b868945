using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Training;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn eval CASE.safetensors [--model MODEL.safetensors] --out RESULT.safetensors [--check] [--weights fp32|bf16|int8]</c>:
/// runs a case in the conformance format and writes <c>output</c>, <c>h_n</c> (and <c>c_n</c>) as F32, and, when the
/// case holds cotangents (<c>grad_output</c>, ...), every gradient (<c>grad.input</c>,
/// <c>grad.h0</c>, <c>grad.c0</c>, <c>grad.&lt;weight&gt;</c>); for a module case (with <c>--model</c>),
/// also <c>head_output</c>; with <c>--check</c>, also compares them with the case's expected tensors.
/// </summary>
internal static class EvalCommand
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    /// <summary>The <c>eval</c> command.</summary>
    public static CliCommand Create()
    {
        var casePath = new Argument<string>("CASE.safetensors") { Description = "A case in the format of the PyTorch conformance cases." };
        var output = new Option<string>("--out")
        {
            HelpName = "RESULT.safetensors",
            Description = "Write output, h_n, c_n and every gradient the case has cotangents for, as F32.",
        };
        var model = new Option<string>("--model")
        {
            HelpName = "MODEL.safetensors",
            Description = "For a module case (metadata kind = module): the module's state_dict, read by the case's rnn_prefix and head_prefix.",
        };
        var check = new Option<bool>("--check") { Description = "Compare the results with the case's expected tensors; exit 1 when one is off." };
        Option<WeightFormat?> weights = CliOptions.Parsed<WeightFormat>(
            "--weights",
            "fp32|bf16|int8",
            "Store the weight matrices in this format (default: fp32); other formats are reported, not judged.",
            "fp32, bf16 or int8",
            NetworkFile.ParseFormat);
        var command = new CliCommand("eval", "Run a conformance-format case: outputs, states and gradients.", FastRnnCommandLine.UsageErrorExitCode)
        {
            casePath,
            model,
            output,
            check,
            weights,
        };
        command.Validators.Add(result =>
        {
            string? outPath = result.GetValue(output);
            if (outPath is null && !result.GetValue(check))
            {
                // Named with the case too when it is missing: the parser leaves its own complaint out then.
                result.AddError(result.GetResult(casePath) is null
                    ? "give a case (fastrnn eval CASE.safetensors) and --out RESULT.safetensors, --check, or both"
                    : "give --out RESULT.safetensors, --check, or both");
            }

            if (outPath is not null)
            {
                string? input = result.GetValue(casePath) is string c && CliPaths.SameFile(outPath, c) ? $"the case '{c}'"
                    : result.GetValue(model) is string m && CliPaths.SameFile(outPath, m) ? $"--model '{m}'"
                    : null;
                CliOptions.AddError(result, CliPaths.FileProblem("--out", outPath)
                    ?? (input is null ? null : $"--out '{outPath}' is the same file as {input}: the results would replace it"));
            }
        });
        command.SetAction(result => Run(
            result.GetRequiredValue(casePath),
            result.GetValue(model),
            result.GetValue(output),
            result.GetValue(check),
            result.GetValue(weights) ?? WeightFormat.Float32));
        return command;
    }

    private static int Run(string casePath, string? modelPath, string? outPath, bool check, WeightFormat format)
    {
        try
        {
            SafeTensorsFile file = SafeTensorsFile.Read(casePath);
            List<(string Name, float[] Data, int[] Shape)> results;
            if (ModuleCase.IsModuleCase(file))
            {
                if (modelPath is null)
                {
                    return Fail($"{casePath} is a module case (metadata kind = module): give its weights with --model MODEL.safetensors");
                }

                results = ModuleCase.Run(file, modelPath, format);
            }
            else if (modelPath is not null)
            {
                return Fail($"--model is for module cases (metadata kind = module); {casePath} holds its own network");
            }
            else
            {
                results = RunNetworkCase(file, format);
            }

            if (outPath is not null)
            {
                var writer = new SafeTensorsWriter();
                writer.SetMetadata("source", Path.GetFileName(casePath));
                foreach ((string name, float[] data, int[] shape) in results)
                {
                    writer.Add(name, data, shape);
                }

                CliPaths.Write(outPath, () => writer.Save(outPath));
                Console.WriteLine($"wrote {outPath}: {results.Count} tensors ({string.Join(", ", results.ConvertAll(r => r.Name).GetRange(0, Math.Min(results.Count, 6)))}{(results.Count > 6 ? ", ..." : string.Empty)})");
            }

            return check ? Check(file, results, format) : 0;
        }
        catch (Exception e) when (e is FastRnnFormatException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Fail(e.Message);
        }
    }

    private static List<(string Name, float[] Data, int[] Shape)> RunNetworkCase(SafeTensorsFile file, WeightFormat format)
    {
        RecurrentNetwork network = NetworkFile.FromSafeTensors(file, CaseTensors.IsCaseTensor);
        if (format != network.WeightFormat)
        {
            network = network.WithWeightFormat(format);
        }

        CaseTensors c = CaseTensors.Read(file, network.Description);
        // Gradients are a float32 affair: reduced-precision weights are for inference.
        using TrainingSession? training = file.Contains("grad_output") && format == WeightFormat.Float32
            ? new TrainingSession(network, c.Batch, c.Steps)
            : null;
        List<(string Name, float[] Data, int[] Shape)> results = Forward(network, c, training);
        if (training is not null)
        {
            AddGradients(file, network, training, c, results[0].Shape, results);
        }

        return results;
    }

    /// <summary>Runs a case's whole sequence: <c>output</c> (first), <c>h_n</c> and, for an LSTM, <c>c_n</c>, in the case's layout.</summary>
    internal static List<(string Name, float[] Data, int[] Shape)> Forward(RecurrentNetwork network, CaseTensors c, TrainingSession? training = null)
    {
        NetworkDescription d = network.Description;
        int slots = d.NumLayers * d.Directions;
        float[] output = new float[c.Steps * c.Batch * d.OutputSize];
        float[] hn = new float[slots * c.Batch * d.StateSize];
        float[]? cn = d.HasCellState ? new float[slots * c.Batch * d.HiddenSize] : null;
        if (training is not null)
        {
            training.Forward(c.Input, c.Steps, c.Batch, output, new InitialState(c.H0, c.C0), new FinalState(hn, cn), c.Lengths);
        }
        else
        {
            using SequenceWorkspace workspace = network.CreateWorkspace(c.Batch, c.Steps);
            network.Forward(workspace, c.Input, c.Steps, c.Batch, output, new InitialState(c.H0, c.C0), new FinalState(hn, cn), c.Lengths);
        }

        var results = new List<(string Name, float[] Data, int[] Shape)>
        {
            ("output", output, d.BatchFirst ? [c.Batch, c.Steps, d.OutputSize] : [c.Steps, c.Batch, d.OutputSize]),
            ("h_n", hn, [slots, c.Batch, d.StateSize]),
        };
        if (cn is not null)
        {
            results.Add(("c_n", cn, [slots, c.Batch, d.HiddenSize]));
        }

        return results;
    }

    private static int Check(SafeTensorsFile file, List<(string Name, float[] Data, int[] Shape)> results, WeightFormat format)
    {
        if (format != WeightFormat.Float32)
        {
            Console.WriteLine($"  weights stored as {NetworkFile.FormatName(format)}: deviations from the float64 reference are reported, not judged against the float32 tolerances");
        }

        bool ok = true;
        int checkedCount = 0;
        foreach ((string name, float[] data, int[] shape) in results)
        {
            if (!file.Contains(name))
            {
                Console.WriteLine($"  {name,-24} no expected tensor in the case: not checked");
                continue;
            }

            checkedCount++;

            CaseTensors.CheckShape(file, name, shape, file.SourceName ?? "the case");
            double[] expected = file.ReadFloat64(name);
            double error = RelativeError(data, expected);
            double allowed = name.StartsWith("grad.", StringComparison.Ordinal) ? GradientTolerance : ForwardTolerance;
            bool pass = format == WeightFormat.Float32 ? error <= allowed : double.IsFinite(error);
            ok &= pass;
            string verdict = format == WeightFormat.Float32 ? string.Create(CultureInfo.InvariantCulture, $"(allowed {allowed:E0}) {(pass ? "PASS" : "FAIL")}") : pass ? "(reported)" : "(not finite) FAIL";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-24} max|A-E|/(max|E|+1e-6) = {error:E2} {verdict}"));
        }

        if (checkedCount == 0)
        {
            return Fail($"--check: {file.SourceName ?? "the case"} holds none of the {results.Count} expected tensors ({string.Join(", ", results.ConvertAll(r => r.Name).GetRange(0, Math.Min(results.Count, 3)))}, ...): nothing was checked");
        }

        return ok ? 0 : 1;
    }

    private static void AddGradients(SafeTensorsFile file, RecurrentNetwork network, TrainingSession training, CaseTensors c, int[] outputShape, List<(string Name, float[] Data, int[] Shape)> results)
    {
        NetworkDescription d = network.Description;
        int slots = d.NumLayers * d.Directions;
        string where = file.SourceName ?? "the case";
        int[] hShape = [slots, c.Batch, d.StateSize];
        int[] cShape = [slots, c.Batch, d.HiddenSize];
        CaseTensors.CheckShape(file, "grad_output", outputShape, where);
        float[] gradOutput = file.ReadFloat32("grad_output");
        float[]? gradHn = null, gradCn = null;
        if (file.Contains("grad_h_n"))
        {
            CaseTensors.CheckShape(file, "grad_h_n", hShape, where);
            gradHn = file.ReadFloat32("grad_h_n");
        }

        if (file.Contains("grad_c_n"))
        {
            if (!d.HasCellState)
            {
                throw new FastRnnFormatException($"{where}: a {d.Kind} case has no cell state, but the file holds 'grad_c_n'.");
            }

            CaseTensors.CheckShape(file, "grad_c_n", cShape, where);
            gradCn = file.ReadFloat32("grad_c_n");
        }

        var gradients = new GradientBuffer(network);
        float[] gradInput = new float[c.Input.Length];
        float[] gradH0 = new float[slots * c.Batch * d.StateSize];
        float[]? gradC0 = d.HasCellState ? new float[slots * c.Batch * d.HiddenSize] : null;
        training.Backward(gradOutput, gradients, new FinalStateGradient(gradHn, gradCn), gradInput, new InitialStateGradient(gradH0, gradC0));
        results.Add(("grad.input", gradInput, [.. file.Get("input").Shape]));
        results.Add(("grad.h0", gradH0, hShape));
        if (gradC0 is not null)
        {
            results.Add(("grad.c0", gradC0, cShape));
        }

        foreach ((string name, int[] shape) in d.ParameterShapes())
        {
            results.Add(("grad." + name, gradients.Get(name).ToArray(), shape));
        }
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
