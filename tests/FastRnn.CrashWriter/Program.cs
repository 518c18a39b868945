using System;
using System.Globalization;
using FastRnn.IO;
using FastRnn.Networks;

namespace FastRnn.CrashWriter;

/// <summary>
/// <c>FastRnn.CrashWriter PATH HIDDEN</c>: saves a 2-layer LSTM with HIDDEN units to PATH with
/// <see cref="NetworkFile.Save"/>, so that a test can kill it while the file is being written.
/// Prints "saving" just before the save starts and "saved" after it.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int hidden))
        {
            Console.Error.WriteLine("usage: FastRnn.CrashWriter PATH HIDDEN");
            return 2;
        }

        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, hidden, hidden) { NumLayers = 2 }, seed: 1);
        Console.WriteLine("saving");
        NetworkFile.Save(network, args[0]);
        Console.WriteLine("saved");
        return 0;
    }
}
