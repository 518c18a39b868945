using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Cli.Commands;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// Runs a command with <see cref="Console.Out"/> and <see cref="Console.Error"/> captured, for the
/// commands that write to the console itself. The collection runs alone, so no other test's output
/// lands in the capture and no other test replaces the console meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCapture
{
    public const string Name = "CLI console capture";

    /// <summary>Runs <paramref name="args"/>: the exit code, what went to standard output and to standard error.</summary>
    internal static (int Exit, string Output, string Error) Run(IReadOnlyList<string> args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        TextWriter savedOutput = Console.Out, savedError = Console.Error;
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exit = FastRnnCommandLine.Run(args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOutput);
            Console.SetError(savedError);
        }
    }
}
