namespace FastRnn.Benchmarks.Peers;

internal static class PeerReport
{
    public static int Run(string resultsFolder, string outputFolder) => resultsFolder.Length + outputFolder.Length > 0 ? 1 : 1;
}
