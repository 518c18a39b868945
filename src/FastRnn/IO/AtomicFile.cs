using System;
using System.IO;

namespace FastRnn.IO;

/// <summary>
/// Replaces a file so that readers see either the old contents or the complete new contents, never
/// a partial write: the data goes to a temporary file in the same directory (so the final rename
/// stays on one file system), is flushed to disk, and is then moved over the target (the file a
/// symbolic link points to, when the path is one).
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeContents);
        string fullPath = Path.GetFullPath(path);

        // Through a symbolic link the file it points to is replaced, as a plain write would: the
        // rename would otherwise put a regular file where the link was and leave its target stale.
        var file = new FileInfo(fullPath);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileSystemInfo target)
        {
            fullPath = target.FullName;
        }

        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root directory, not a file.", nameof(path));
        if (!Directory.Exists(directory))
        {
            // Said here, naming the target: the temporary file's creation would name only itself.
            throw new DirectoryNotFoundException($"Cannot save '{fullPath}': the directory '{directory}' does not exist.");
        }

        string tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                writeContents(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
