using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// Loads libtorch through TorchSharp, once per process, single-threaded.
/// <para>
/// TorchSharp 0.107 (the only version the package source serves) ships a libLibTorchSharp.so built
/// with GCC 13: its <c>.gnu.version_r</c> asks libstdc++.so.6 for <c>GLIBCXX_3.4.32</c>, which
/// Debian 12's libstdc++ (GCC 12, up to 3.4.30) lacks, so dlopen fails. The only symbol of that
/// version is <c>std::ios_base_library_init()</c>, which GCC 13's &lt;iostream&gt; references
/// without a relocation (it is never bound or called). The fix-up marks each such missing
/// version requirement VER_FLG_WEAK in the build-output copy of the library (never in the NuGet
/// cache): glibc then reports it only under LD_DEBUG and loads the library. Nothing changes when
/// the system libstdc++ has the version.
/// </para>
/// </summary>
internal static class TorchNative
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;
    private static readonly object Gate = new();
    private static string? error;
    private static bool done;

    /// <summary>What the fix-up changed, for the report (empty when nothing).</summary>
    public static IReadOnlyList<string> Patched { get; private set; } = [];

    /// <summary>Null when libtorch works (torch.ones(1) evaluated), else why not.</summary>
    public static string? TryLoad()
    {
        lock (Gate)
        {
            if (done)
            {
                return error;
            }

            done = true;
            try
            {
                Patched = FixUp();
                torch.set_num_threads(1);
                float one = torch.ones(1).sum().item<float>();
                if (one != 1f)
                {
                    error = $"torch.ones(1).sum() gave {one}";
                }
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                error = $"TorchSharp/libtorch did not load on this machine: {(e.InnerException ?? e).Message}";
            }

            return error;
        }
    }

    /// <summary>
    /// Throws with the reason when libtorch cannot be used (a peer never drops out silently); else
    /// sets its intra-op threads (BenchmarkDotNet runs every case in a process of its own).
    /// </summary>
    public static void Require(int threads = 1)
    {
        string? why = TryLoad();
        if (why is not null)
        {
            throw new InvalidOperationException("PEER UNAVAILABLE (TorchSharp): " + why);
        }

        torch.set_num_threads(threads);
        if (torch.get_num_threads() != threads)
        {
            throw new InvalidOperationException($"libtorch runs {torch.get_num_threads()} threads, the case asks for {threads}.");
        }
    }

    private static List<string> FixUp()
    {
        var changed = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return changed;
        }

        string? libstdcxx = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].Contains("libstdc++.so", StringComparison.Ordinal))
            .Select(f => f[5])
            .FirstOrDefault();
        byte[] system = libstdcxx is null ? [] : File.ReadAllBytes(libstdcxx);
        foreach (string path in Candidates())
        {
            changed.AddRange(WeakenMissing(path, name => !Contains(system, Encoding.ASCII.GetBytes(name + "\0"))));
        }

        return changed;
    }

    private static IEnumerable<string> Candidates()
    {
        string baseDir = AppContext.BaseDirectory;
        foreach (string p in new[] { Path.Combine(baseDir, "libLibTorchSharp.so"), Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
        {
            if (File.Exists(p))
            {
                yield return p;
            }
        }
    }

    /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_* requirements of <paramref name="path"/> that <paramref name="missing"/> says the system lacks.</summary>
    private static List<string> WeakenMissing(string path, Func<string, bool> missing)
    {
        var changed = new List<string>();
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            return changed; // not a little-endian ELF64
        }

        ReadOnlySpan<byte> s = elf;
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(s[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3C..]);
        for (int i = 0; i < shnum; i++)
        {
            ReadOnlySpan<byte> sh = s[(int)(shoff + (i * shentsize))..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            long offset = BinaryPrimitives.ReadInt64LittleEndian(sh[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            long strOffset = BinaryPrimitives.ReadInt64LittleEndian(s[(int)(shoff + (link * shentsize) + 0x18)..]);
            long need = offset;
            while (true)
            {
                int count = BinaryPrimitives.ReadUInt16LittleEndian(s[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(need + 8)..]);
                for (int a = 0; a < count; a++)
                {
                    string name = CString(s, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(aux + 8)..]));
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(s[(int)(aux + 4)..]);
                    if (name.StartsWith("GLIBCXX_", StringComparison.Ordinal) && (flags & VerFlagWeak) == 0 && missing(name))
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan((int)(aux + 4)), (ushort)(flags | VerFlagWeak));
                        changed.Add($"{Path.GetFileName(path)}: {name} marked weak (system libstdc++ lacks it)");
                    }

                    aux += BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(aux + 12)..]);
                }

                uint next = BinaryPrimitives.ReadUInt32LittleEndian(s[(int)(need + 12)..]);
                if (next == 0)
                {
                    break;
                }

                need += next;
            }
        }

        if (changed.Count > 0)
        {
            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            File.Move(temp, path, overwrite: true);
        }

        return changed;
    }

    private static string CString(ReadOnlySpan<byte> s, long offset)
    {
        ReadOnlySpan<byte> rest = s[(int)offset..];
        return Encoding.ASCII.GetString(rest[..rest.IndexOf((byte)0)]);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
