using System;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace FastRnn.Cli.Commands;

/// <summary>
/// The files the commands write: checked before the work starts, compared with the command's inputs,
/// written atomically, and named in errors as the user gave them.
/// </summary>
internal static partial class CliPaths
{
    private const int MaxLinks = 40; // as Linux's own limit on the links one path may pass through

    /// <summary>
    /// What is wrong with <paramref name="path"/> as a file that <paramref name="option"/> writes, or null:
    /// empty, a directory, below a file, or in a folder that does not exist.
    /// </summary>
    public static string? FileProblem(string option, string path)
    {
        if (path.Length == 0)
        {
            return $"{option} must not be empty";
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return $"{option} '{path}' is a directory; give a file";
        }

        if (Path.GetDirectoryName(full) is not string folder || Directory.Exists(folder))
        {
            return null;
        }

        // The nearest ancestor that is not a folder: a file there is why the folder cannot be made, not a missing folder.
        for (string? part = folder; part is not null && !Directory.Exists(part); part = Path.GetDirectoryName(part))
        {
            if (File.Exists(part))
            {
                return $"{option} '{path}': '{part}' is a file, not a folder";
            }
        }

        return $"{option} '{path}': the folder '{folder}' does not exist";
    }

    /// <summary>
    /// What is wrong with <paramref name="path"/> as a folder that <paramref name="option"/> writes into
    /// (created when missing), or null: empty, a file, or below a file.
    /// </summary>
    public static string? FolderProblem(string option, string path)
    {
        if (path.Length == 0)
        {
            return $"{option} must not be empty";
        }

        for (string? folder = Path.GetFullPath(path); folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                return folder == Path.GetFullPath(path) ? $"{option} '{path}' is a file; give a folder" : $"{option} '{path}': '{folder}' is a file, not a folder";
            }
        }

        return null;
    }

    /// <summary>Whether the two paths (neither empty) name one file: their full paths, with every link they pass through resolved, are equal.</summary>
    public static bool SameFile(string first, string second) =>
        first.Length > 0 && second.Length > 0 && string.Equals(Resolve(first, 0), Resolve(second, 0), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Runs <paramref name="write"/>; an error it raises names <paramref name="path"/> (as the user gave it), not the temporary file beside it.</summary>
    public static void Write(string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET's message names the temporary file the write went to ('…/.NAME.GUID.tmp'): the user never gave it.
            throw new IOException($"could not write {path}: {TemporaryFileName().Replace(e.Message, string.Empty)}", e);
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically: see <see cref="WriteAtomically(string, byte[])"/>.</summary>
    public static void WriteAtomically(string path, string text) => WriteAtomically(path, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, flushes it to
    /// the disk and renames it over <paramref name="path"/>: the file is the old one or the new one,
    /// never a part. The temporary file is deleted when anything fails.
    /// </summary>
    public static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string temporary = TemporaryBeside(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw;
        }
    }

    /// <summary>A new temporary file name in <paramref name="path"/>'s folder: <c>.NAME.GUID.tmp</c>, as the library's atomic writers use.</summary>
    public static string TemporaryBeside(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>A quoted temporary file name in a message, with the space and colon before it.</summary>
    [GeneratedRegex(@" ?:? ?'[^']*\.tmp'")]
    private static partial Regex TemporaryFileName();

    /// <summary>The full path with the links it passes through resolved, as far as it exists (a missing part stays as written).</summary>
    private static string Resolve(string path, int links)
    {
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is not string parent)
        {
            return full; // the root
        }

        string resolved = Path.Join(Resolve(parent, links), Path.GetFileName(full));
        try
        {
            return links < MaxLinks && new FileInfo(resolved).LinkTarget is string target
                ? Resolve(Path.Combine(Path.GetDirectoryName(resolved)!, target), links + 1)
                : resolved;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return resolved;
        }
    }
}
