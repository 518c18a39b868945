using System.CommandLine;

namespace FastRnn.Cli.Commands;

/// <summary>A subcommand of <c>fastrnn</c>: a System.CommandLine command that knows the exit code of its usage errors.</summary>
internal sealed class CliCommand : Command
{
    /// <summary>Creates the command.</summary>
    /// <param name="name">What the user types, e.g. <c>train</c>.</param>
    /// <param name="description">The line <c>--help</c> shows.</param>
    /// <param name="usageErrorExitCode">The exit code of a command line this command cannot parse.</param>
    public CliCommand(string name, string description, int usageErrorExitCode)
        : base(name, description) => UsageErrorExitCode = usageErrorExitCode;

    /// <summary>The exit code of a command line this command cannot parse (unknown option, value out of range, ...).</summary>
    public int UsageErrorExitCode { get; }
}
