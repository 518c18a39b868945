using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using FastRnn.Kernels;

namespace FastRnn.Cli.Commands;

/// <summary>
/// The <c>fastrnn</c> command line (System.CommandLine): every command with its options and
/// <c>--help</c>; no command runs the demo. A command line that cannot be parsed prints what is
/// wrong to standard error and exits with the command's usage error code.
/// </summary>
internal static class FastRnnCommandLine
{
    /// <summary>The exit code of a command line that names no known command or that the root cannot parse.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>Parses <paramref name="args"/> and runs the command they name.</summary>
    /// <param name="args">The arguments after the program name, e.g. <c>["train", "pattern", "--quick"]</c>.</param>
    /// <param name="output">Where help and the self-test report go; standard output when null.</param>
    /// <param name="error">Where usage errors go; standard error when null.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter? output = null, TextWriter? error = null)
    {
        // Every number the commands print or write reads the same on every machine (this thread and the tasks it starts).
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        ParseResult? parsed = null;
        try
        {
            // No response files: an argument starting with '@' is a path like any other.
            parsed = Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parsed.Action is ParseErrorAction)
            {
                return ReportUsageErrors(parsed, error ?? Console.Error);
            }

            return parsed.Invoke(new InvocationConfiguration
            {
                Output = output ?? Console.Out,
                Error = error ?? Console.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            // What no command caught (standard output on a full disk, say): one line, not a stack trace.
            return ReportFailure(parsed is null ? "fastrnn" : CommandName(parsed), e, error ?? Console.Error);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    private static Command Create()
    {
        // Named as the user calls it (a RootCommand takes the executable's name, FastRnn.Cli, for --help's Usage lines).
        var root = new Command("fastrnn", "fastrnn: recurrent networks on the CPU. With no command, runs the demo.")
        {
            new HelpOption(),
            new VersionOption(),
            SelftestCommand.Create(),
            DemoCommand.Create(),
            CreateInfo(),
            BenchCommand.Create(),
            EvalCommand.Create(),
            TrainCommand.Create(),
            GenerateCommand.Create(),
            ImportCommand.Create(),
            LoadTestCommand.Create(),
        };
        root.SetAction(_ => DemoCommand.Run());
        var help = new CliCommand("help", "Show this help.", UsageErrorExitCode) { Hidden = true };
        help.SetAction(result => root.Parse(["--help"]).Invoke(result.InvocationConfiguration));
        root.Add(help);
        return root;
    }

    private static CliCommand CreateInfo()
    {
        var info = new CliCommand("info", "CPU, ISA path (Vector512/256/128/Scalar) and vector width in use.", UsageErrorExitCode);
        info.SetAction(result =>
        {
            result.InvocationConfiguration.Output.WriteLine(CpuDescription.Summary());
            return 0;
        });
        return info;
    }

    private static int ReportUsageErrors(ParseResult parsed, TextWriter error)
    {
        Command command = parsed.CommandResult.Command;
        string name = CommandName(parsed);
        foreach (ParseError problem in parsed.Errors)
        {
            error.WriteLine($"{name}: {problem.Message}");
        }

        error.WriteLine($"Run '{name} --help' for usage.");
        return command is CliCommand cli ? cli.UsageErrorExitCode : UsageErrorExitCode;
    }

    /// <summary>Reports <paramref name="failure"/> in one line on <paramref name="error"/> and returns the exit code of a failed run, 1.</summary>
    private static int ReportFailure(string name, Exception failure, TextWriter error)
    {
        try
        {
            error.WriteLine($"{name}: {failure.GetBaseException().Message}");
        }
        catch (IOException)
        {
            // Standard error is gone too: the exit code is all that is left to say it.
        }

        return 1;
    }

    /// <summary><c>fastrnn</c>, or <c>fastrnn COMMAND</c> for the command <paramref name="parsed"/> names.</summary>
    private static string CommandName(ParseResult parsed) =>
        parsed.CommandResult.Command is CliCommand command ? $"fastrnn {command.Name}" : "fastrnn";
}
