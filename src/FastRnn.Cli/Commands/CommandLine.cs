using System;
using System.Collections.Generic;
using System.Globalization;

namespace FastRnn.Cli.Commands;

/// <summary>
/// The arguments of one command: positional values and <c>--name value</c> / <c>--flag</c> options,
/// with errors that say which argument is wrong.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public CommandLine(ReadOnlySpan<string> args, IReadOnlySet<string> flags)
    {
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (flags.Contains(a))
                {
                    options[a] = null;
                }
                else if (i + 1 < args.Length)
                {
                    options[a] = args[++i];
                }
                else
                {
                    throw new FormatException($"option {a} needs a value");
                }
            }
            else
            {
                positional.Add(a);
            }
        }

        Positional = positional;
    }

    public IReadOnlyList<string> Positional { get; }

    public bool Flag(string name)
    {
        used.Add(name);
        return options.ContainsKey(name);
    }

    public string? Text(string name)
    {
        used.Add(name);
        return options.TryGetValue(name, out string? value) ? value : null;
    }

    public int? Integer(string name, int min, int max)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name} must be an integer in {min}..{max}, got '{text}'");
    }

    public float? Real(string name, float min, float max)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name} must be a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
    }

    /// <summary>Throws for any option the command did not ask about (a typo must not pass silently).</summary>
    public void RejectUnknown()
    {
        foreach (string name in options.Keys)
        {
            if (!used.Contains(name))
            {
                throw new FormatException($"unknown option {name}");
            }
        }
    }
}
