// The consumer test's runner. tests/consumer/run.sh copies this file into a fresh console project
// outside the repository (FastRnn, FastRnn.Onnx and FastRnn.Serving from the packed folder only),
// beside one generated file per ```csharp block of README.md and src/*/PACKAGE.md (Blocks.*.g.cs, by
// tests/consumer/extract.awk) and their list (Blocks.All). It prepares the files the blocks name
// from the conformance cases, then runs every block in document order in that folder: a block that
// throws, or whose printed output differs from what its marker says it prints, fails the run.
// The same project runs under the JIT and as a Native AOT binary. Rules for blocks: tests/README.md.
using System.Diagnostics;
using System.Globalization;
using FastRnn;
using FastRnn.IO;
using FastRnn.Networks;

namespace Consumer;

/// <summary>One ```csharp block: where it is, how it is run, what it prints.</summary>
/// <param name="Source">The Markdown file, relative to the repository.</param>
/// <param name="Line">The line of its opening fence.</param>
/// <param name="CompileOnly">Marked <c>&lt;!-- compile-only --&gt;</c>: compiled, never run.</param>
/// <param name="Prints">Marked <c>prints: NAME</c>: its standard output must be the fixture's expected NAME.</param>
/// <param name="Run">Calls the block's method with the values its <c>given:</c> marker names.</param>
internal sealed record Block(string Source, int Line, bool CompileOnly, string? Prints, Func<IReadOnlyDictionary<string, object>, Task> Run);

internal static partial class Blocks
{
    // The files a block may name, made in the working folder from the conformance cases (the
    // README's text says what each one is):
    //   lstm.safetensors  a bare nn.LSTM(32, 40)'s state_dict, as save_file(lstm.state_dict(), path) writes it
    //                     (the weights of the case lstm_h40_t16_b4, without metadata)
    //   vad.safetensors   a module's state_dict: gru = nn.GRU(40, 48, batch_first=True), classifier = nn.Linear(48, 1)
    //                     (modules/gru_bf_head_sigmoid.model.safetensors)
    //   model.safetensors a nested module with other tensors: encoder.lstm = nn.LSTM(10, 40, proj_size=16),
    //                     decoder.proj = nn.Linear(16, 7), embedding, norm (modules/lstm_proj_nested_extra.model.safetensors)
    private const string VadCase = "modules/gru_bf_head_sigmoid.case.safetensors";

    private static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Consumer CASES_DIR WORK_DIR");
            return 2;
        }

        string cases = Path.GetFullPath(args[0]);
        Directory.CreateDirectory(args[1]);
        Directory.SetCurrentDirectory(args[1]);
        Dictionary<string, object> given = Prepare(cases);
        SafeTensorsFile vadCase = SafeTensorsFile.Read(Path.Combine(cases, VadCase));

        int failures = 0, ran = 0, compiled = 0;
        foreach (Block block in All)
        {
            string name = $"{block.Source}:{block.Line}";
            if (block.CompileOnly)
            {
                Console.WriteLine($"-- {name}: compiled (compile-only)");
                compiled++;
                continue;
            }

            Console.WriteLine($"-- {name}: run{(block.Prints is null ? string.Empty : $", prints {block.Prints}")}");
            TextWriter console = Console.Out;
            var captured = new StringWriter(CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            try
            {
                Console.SetOut(captured);
                await block.Run(given).ConfigureAwait(false);
                Console.SetOut(console);
                Indent(captured.ToString());
                if (block.Prints is string prints)
                {
                    Console.WriteLine($"   {Check(prints, captured.ToString(), vadCase)}");
                }

                Console.WriteLine($"   ok ({clock.Elapsed.TotalMilliseconds:F0} ms)");
                ran++;
            }
#pragma warning disable CA1031 // Any exception of a block is its failure, reported with the rest.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Console.SetOut(console);
                Indent(captured.ToString());
                Console.WriteLine($"   FAILED: {e}");
                failures++;
            }
        }

        Console.WriteLine($"{ran} blocks ran, {compiled} compile-only, {failures} failed ({(RuntimeFeatureIsDynamic() ? "JIT" : "Native AOT")})");
        return failures == 0 && ran > 0 ? 0 : 1;
    }

    private static bool RuntimeFeatureIsDynamic() => System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Writes the files the blocks name and returns the values <c>given:</c> markers may ask for.</summary>
    private static Dictionary<string, object> Prepare(string cases)
    {
        // A bare nn.LSTM's state_dict: a case's weight tensors, under their names, no metadata.
        SafeTensorsFile lstmCase = SafeTensorsFile.Read(Path.Combine(cases, "lstm_h40_t16_b4.safetensors"));
        var stateDict = new SafeTensorsWriter();
        foreach (SafeTensorsEntry entry in lstmCase.Tensors)
        {
            if (entry.Name.StartsWith("weight_", StringComparison.Ordinal) || entry.Name.StartsWith("bias_", StringComparison.Ordinal))
            {
                stateDict.Add(entry.Name, lstmCase.ReadFloat32(entry.Name), entry.Shape.ToArray());
            }
        }

        stateDict.Save("lstm.safetensors");
        File.Copy(Path.Combine(cases, "modules/gru_bf_head_sigmoid.model.safetensors"), "vad.safetensors", overwrite: true);
        File.Copy(Path.Combine(cases, "modules/lstm_proj_nested_extra.model.safetensors"), "model.safetensors", overwrite: true);

        // frames: the first sequence of the VAD module case, one float[40] per step.
        SafeTensorsFile vadCase = SafeTensorsFile.Read(Path.Combine(cases, VadCase));
        float[] input = vadCase.ReadFloat32("input");                 // [B, T, I], batch_first
        IReadOnlyList<int> shape = vadCase.Get("input").Shape;
        int steps = shape[1], inputSize = shape[2];
        float[][] frames = new float[steps][];
        for (int t = 0; t < steps; t++)
        {
            frames[t] = input.AsSpan(t * inputSize, inputSize).ToArray();
        }

        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["frames"] = frames,
            ["network"] = NetworkFile.Load("lstm.safetensors", new NetworkDescription(CellKind.Lstm, inputSize: 32, hiddenSize: 40)),
        };
    }

    /// <summary>
    /// Compares what a block printed with the expected tensor of the first sequence of the VAD case:
    /// one line per step, whose last C numbers are the step's values, within the conformance
    /// tolerance (max |a − e| / max |e| ≤ 1e-5).
    /// </summary>
    private static string Check(string prints, string output, SafeTensorsFile vadCase)
    {
        if (prints != "head_output")
        {
            throw new InvalidOperationException($"unknown 'prints: {prints}' (known: head_output)");
        }

        double[] expected = vadCase.ReadFloat64("head_output");       // [B, T, C]
        IReadOnlyList<int> shape = vadCase.Get("head_output").Shape;
        int steps = shape[1], classes = shape[2];
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != steps)
        {
            throw new InvalidOperationException($"printed {lines.Length} lines; expected one per step, {steps}");
        }

        double maxError = 0, maxExpected = 0;
        for (int t = 0; t < steps; t++)
        {
            string[] tokens = lines[t].Split([' ', ',', ':', '=', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < classes)
            {
                throw new InvalidOperationException($"line {t + 1} '{lines[t]}' has fewer than {classes} values");
            }

            for (int c = 0; c < classes; c++)
            {
                string token = tokens[tokens.Length - classes + c];
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double actual))
                {
                    throw new InvalidOperationException($"line {t + 1} '{lines[t]}': '{token}' is not a number");
                }

                double e = expected[t * classes + c];
                maxError = Math.Max(maxError, Math.Abs(actual - e));
                maxExpected = Math.Max(maxExpected, Math.Abs(e));
            }
        }

        double relative = maxError / (maxExpected + 1e-6);
        if (!(relative <= 1e-5))
        {
            throw new InvalidOperationException($"printed {prints} deviates from PyTorch's by {relative:E2} relative (allowed 1e-5)");
        }

        return $"{prints}: {steps} steps match PyTorch's within {relative:E1} relative (allowed 1e-5)";
    }

    private static void Indent(string text)
    {
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Console.WriteLine($"   | {line.TrimEnd('\r')}");
        }
    }
}
