using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;

namespace FastRnn.Server;

/// <summary>The command: options, then the service until Ctrl+C or SIGTERM.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (Array.Exists(args, a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(ServerOptions.Usage);
            return 0;
        }

        WebApplication app;
        try
        {
            app = ServerHost.Build(ServerOptions.Parse(args));
        }
        catch (ServerOptionsException e)
        {
            return Fail(e.Message);
        }

        await using (app)
        {
            try
            {
                await app.RunAsync();
            }
            catch (IOException e)
            {
                // Kestrel's "address already in use" and its kin: the --urls cannot be served.
                return Fail($"cannot listen: {e.Message}");
            }
        }

        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"FastRnn.Server: {message}");
        Console.Error.WriteLine("Run with --help for the options.");
        return 2;
    }
}
