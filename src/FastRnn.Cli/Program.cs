using System;
using FastRnn.Kernels;

namespace FastRnn.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        string command = args.Length == 0 ? "demo" : args[0];
        switch (command)
        {
            case "info":
                Console.WriteLine(CpuDescription.Summary());
                return 0;
            case "demo":
                Console.WriteLine(CpuDescription.Summary());
                return 0;
            default:
                Console.Error.WriteLine($"fastrnn: unknown command '{command}'. Commands: demo (default), info.");
                return 2;
        }
    }
}
