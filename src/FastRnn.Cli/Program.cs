using FastRnn.Cli.Commands;

namespace FastRnn.Cli;

internal static class Program
{
    private static int Main(string[] args) => FastRnnCommandLine.Run(args);
}
