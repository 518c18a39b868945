using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn generate MODEL.safetensors [--prime TEXT] [--count N] [--temperature T] [--seed S]</c>:
/// samples text from a model saved by <c>fastrnn train char-lm --save</c>.
/// </summary>
internal static class GenerateCommand
{
    public const string Usage = "fastrnn generate MODEL.safetensors [--prime TEXT] [--count N] [--temperature T] [--seed S]";

    public static int Run(ReadOnlySpan<string> args)
    {
        try
        {
            var line = new CommandLine(args, new HashSet<string>(StringComparer.Ordinal));
            if (line.Positional.Count != 1)
            {
                return Fail($"name one model file. Usage: {Usage}");
            }

            string prime = line.Text("--prime") ?? "The ";
            int count = line.Integer("--count", 1, 100_000) ?? 200;
            float temperature = line.Real("--temperature", 0.01f, 10f) ?? 0.7f;
            int seed = line.Integer("--seed", 0, int.MaxValue) ?? 1;
            line.RejectUnknown();
            if (prime.Length == 0)
            {
                return Fail("--prime must not be empty");
            }

            string path = line.Positional[0];
            IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.Read(path).Metadata;
            if (!metadata.TryGetValue("task", out string? task) || task != CharLmTask.Name)
            {
                return Fail($"{path} is not a model saved by 'fastrnn train {CharLmTask.Name} --save'");
            }

            if (!metadata.TryGetValue("alphabet", out string? alphabet) || alphabet != CharLmTask.Alphabet)
            {
                return Fail($"{path} was trained on another alphabet than this build's text");
            }

            CellKind cell = Enum.TryParse(metadata.GetValueOrDefault("cell"), out CellKind c) ? c : throw new FastRnnFormatException($"{path}: metadata 'cell' is missing or unknown");
            int hidden = int.TryParse(metadata.GetValueOrDefault("hidden"), NumberStyles.None, CultureInfo.InvariantCulture, out int h) && h > 0 && h <= 4096
                ? h
                : throw new FastRnnFormatException($"{path}: metadata 'hidden' is missing or invalid");
            SequenceModel model = CharLmTask.Create(cell, hidden, seed);
            Checkpoint.Load(path, model.Parameters);
            model.ParametersUpdated();
            Console.WriteLine(CharLmTask.Generate(model, prime, count, temperature, seed));
            return 0;
        }
        catch (Exception e) when (e is FormatException or FastRnnFormatException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn generate: {message}");
        return 1;
    }
}
