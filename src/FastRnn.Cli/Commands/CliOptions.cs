using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace FastRnn.Cli.Commands;

/// <summary>
/// Options whose values are checked while the command line is parsed: a value out of range or
/// not among the choices is a usage error that names the option, the accepted values and what was given.
/// </summary>
internal static class CliOptions
{
    /// <summary>An integer option accepting <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<int?> Integer(string name, string valueName, string description, int min, int max) =>
        Parsed<int>(name, valueName, description, $"an integer in {min}..{max}", text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value : null);

    /// <summary>A real-valued option accepting <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<float?> Real(string name, string valueName, string description, float min, float max) =>
        Parsed<float>(name, valueName, description, string.Create(CultureInfo.InvariantCulture, $"a number in {min}..{max}"), text =>
            float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && value >= min && value <= max ? value : null);

    /// <summary>
    /// An option whose text <paramref name="parse"/> turns into a value, or null when it is not one;
    /// the error then reads "<c>NAME must be EXPECTED, got 'TEXT'</c>".
    /// </summary>
    public static Option<T?> Parsed<T>(string name, string valueName, string description, string expected, Func<string, T?> parse)
        where T : struct => new(name)
        {
            HelpName = valueName,
            Description = description,
            CustomParser = result => Parse(result, name, expected, parse),
        };

    /// <summary>Adds <paramref name="problem"/> to <paramref name="result"/>'s errors unless it is null.</summary>
    public static void AddError(CommandResult result, string? problem)
    {
        if (problem is not null)
        {
            result.AddError(problem);
        }
    }

    /// <summary>Whether the command line names <paramref name="option"/> (a bool option only when true).</summary>
    public static bool Given(CommandResult result, Option option) =>
        result.GetResult(option) is OptionResult given && !given.Implicit && (option is not Option<bool> flag || result.GetValue(flag));

    private static T? Parse<T>(ArgumentResult result, string name, string expected, Func<string, T?> parse)
        where T : struct
    {
        if (result.Tokens.Count == 0)
        {
            return null; // The parser reports the missing value itself.
        }

        string text = result.Tokens[^1].Value;
        T? value = parse(text);
        if (value is null)
        {
            result.AddError($"{name} must be {expected}, got '{text}'");
        }

        return value;
    }
}
