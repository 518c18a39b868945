using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
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
        // No response files: an argument starting with '@' is a path like any other.
        ParseResult parsed = Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
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

    /// <summary>The root command with every subcommand.</summary>
    private static RootCommand Create()
    {
        var root = new RootCommand("fastrnn: recurrent networks on the CPU. With no command, runs the demo.")
        {
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
        string name = command is RootCommand ? "fastrnn" : $"fastrnn {command.Name}";
        foreach (ParseError problem in parsed.Errors)
        {
            error.WriteLine($"{name}: {problem.Message}");
        }

        error.WriteLine($"Run '{name} --help' for usage.");
        return command is CliCommand cli ? cli.UsageErrorExitCode : UsageErrorExitCode;
    }
}
