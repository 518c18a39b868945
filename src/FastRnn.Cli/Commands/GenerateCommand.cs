using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
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
    private const string DefaultPrime = "The ";
    private const int DefaultCount = 200;
    private const float DefaultTemperature = 0.7f;
    private const int DefaultSeed = 1;

    /// <summary>The <c>generate</c> command.</summary>
    public static CliCommand Create()
    {
        var model = new Argument<string>("MODEL.safetensors") { Description = $"A model saved by 'fastrnn train {CharLmTask.Name} --save'." };
        var prime = new Option<string>("--prime")
        {
            HelpName = "TEXT",
            Description = "The text the sample continues.",
            DefaultValueFactory = _ => DefaultPrime,
        };
        prime.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>().Length == 0)
            {
                result.AddError("--prime must not be empty");
            }
        });
        Option<int?> count = CliOptions.Integer("--count", "N", "Characters to generate.", 1, 100_000);
        count.DefaultValueFactory = _ => DefaultCount;
        Option<float?> temperature = CliOptions.Real("--temperature", "T", "Sampling temperature: lower is more conservative.", 0.01f, 10f);
        temperature.DefaultValueFactory = _ => DefaultTemperature;
        Option<int?> seed = CliOptions.Integer("--seed", "S", "Seed of the sampling.", 0, int.MaxValue);
        seed.DefaultValueFactory = _ => DefaultSeed;
        var command = new CliCommand("generate", $"Sample text from a {CharLmTask.Name} model.", FastRnnCommandLine.UsageErrorExitCode)
        {
            model,
            prime,
            count,
            temperature,
            seed,
        };
        command.SetAction(result => Run(
            result.GetRequiredValue(model),
            result.GetRequiredValue(prime),
            result.GetValue(count) ?? DefaultCount,
            result.GetValue(temperature) ?? DefaultTemperature,
            result.GetValue(seed) ?? DefaultSeed));
        return command;
    }

    private static int Run(string path, string prime, int count, float temperature, int seed)
    {
        try
        {
            // Read once: a pipe (<(cat model.safetensors)) cannot be read a second time.
            SafeTensorsFile file = SafeTensorsFile.Read(path);
            IReadOnlyDictionary<string, string> metadata = file.Metadata;
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
            LoadParameters(file, path, model.Parameters);
            model.ParametersUpdated();
            Console.WriteLine(CharLmTask.Generate(model, prime, count, temperature, seed));
            return 0;
        }
        catch (Exception e) when (e is FormatException or FastRnnFormatException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>
    /// Copies the checkpoint's tensors into <paramref name="parameters"/>, as <see cref="Checkpoint.Load"/> does
    /// from a path: the file must be a FastRnn checkpoint holding exactly these parameters (and perhaps optimizer state) with their shapes, every value finite.
    /// </summary>
    private static void LoadParameters(SafeTensorsFile file, string path, IReadOnlyList<Parameter> parameters)
    {
        if (!file.Metadata.ContainsKey(Checkpoint.FormatKey))
        {
            throw new FastRnnFormatException($"{path} is not a FastRnn checkpoint (no '{Checkpoint.FormatKey}' metadata).");
        }

        var values = new List<float[]>(parameters.Count);
        foreach (Parameter p in parameters)
        {
            if (!file.Contains(p.Name) || file.Get(p.Name).DType != SafeTensorsDType.F32 || !file.Get(p.Name).Shape.SequenceEqual(p.Shape))
            {
                throw new FastRnnFormatException($"{path}: no F32 tensor '{p.Name}' of shape [{string.Join(", ", p.Shape)}]; the checkpoint does not match this model.");
            }

            float[] read = file.ReadFloat32(p.Name);
            int bad = Array.FindIndex(read, v => !float.IsFinite(v));
            if (bad >= 0)
            {
                throw new FastRnnFormatException($"{path}: tensor '{p.Name}' holds {read[bad].ToString(CultureInfo.InvariantCulture)} at index {bad}; a model's weights must be finite.");
            }

            values.Add(read);
        }

        if (file.Tensors.Count(t => !t.Name.StartsWith("optimizer.", StringComparison.Ordinal)) != parameters.Count)
        {
            throw new FastRnnFormatException($"{path}: the checkpoint holds other tensors than this model's {parameters.Count}.");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            values[i].CopyTo(parameters[i].Value, 0);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn generate: {message}");
        return 1;
    }
}
