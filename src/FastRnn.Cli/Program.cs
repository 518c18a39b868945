using System;
using FastRnn.Cli.Commands;
using FastRnn.Kernels;

namespace FastRnn.Cli;

internal static class Program
{
    private const string Usage = """
        fastrnn — recurrent networks on the CPU

        Commands:
          selftest [--expect-path PATH]       check every kernel and cell on this CPU against a
                                              double-precision reference (run this first)
          (none) | demo                       inference, then every training task, quickly (≈ 10 s)
          info                                CPU, ISA path and vector width in use
          bench [--out DIR]                   quick timings on this CPU (about a minute), written to
                                              DIR/<cpu>/quick.md (DIR: perf-results)
          eval CASE.safetensors --out R.safetensors [--check] [--weights fp32|bf16|int8]
                                              run a conformance-format case: outputs, states, gradients
          train TASK [options]                train a built-in task with live progress:
                                              moving-average, char-lm, pattern, reverse
                                              (--cell lstm|gru|rnn|rnn-relu --epochs N --hidden H --steps T
                                               --seed S --quick --plot loss.png --save model.safetensors)
          generate MODEL.safetensors          sample text from a char-lm model
                                              (--prime TEXT --count N --temperature T --seed S)
          import MODEL.onnx --out M.safetensors [--node NAME]
                                              convert an ONNX model's LSTM/GRU/RNN nodes to network files
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
            case "selftest":
                return SelftestCommand.Run(args.AsSpan(1), Console.Out);
            case "bench":
                return BenchCommand.Run(args.AsSpan(1));
            case "eval":
                return EvalCommand.Run(args.AsSpan(1));
            case "train":
                return TrainCommand.Run(args.AsSpan(1));
            case "generate":
                return GenerateCommand.Run(args.AsSpan(1));
            case "import":
                return ImportCommand.Run(args.AsSpan(1));
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
