using System;
using FastRnn.Cli.Commands;
using FastRnn.Kernels;

namespace FastRnn.Cli;

internal static class Program
{
    private const string Usage = """
        fastrnn — recurrent networks on the CPU

        Commands:
          (none) | demo                       a short inference demo on embedded defaults
          info                                CPU, ISA path and vector width in use
          eval CASE.safetensors --out R.safetensors
                                              run a conformance-format case, write output/h_n/c_n
        """;

    private static int Main(string[] args)
    {
        string command = args.Length == 0 ? "demo" : args[0];
        switch (command)
        {
            case "demo":
                return DemoCommand.Run();
            case "info":
                Console.WriteLine(CpuDescription.Summary());
                return 0;
            case "eval":
                return EvalCommand.Run(args.AsSpan(1));
            case "help" or "--help" or "-h":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"fastrnn: unknown command '{command}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
