using System;
using System.IO;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>Reading and saving real files, including atomic replacement when writing fails.</summary>
public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fastrnn-io-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_directory.FullName, name);

    [Fact]
    public void Save_then_Read_round_trips()
    {
        string path = PathOf("model.safetensors");
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("mode", "GRU");
        writer.Add("w", new float[] { 1f, 2f }, new[] { 2 });

        writer.Save(path);
        var file = SafeTensorsFile.Read(path);

        Assert.Equal("GRU", file.Metadata["mode"]);
        Assert.Equal(new[] { 1f, 2f }, file.ReadFloat32("w"));
        Assert.Equal(path, file.SourceName);
        Assert.Equal(new[] { "model.safetensors" }, FileNames());
    }

    [Fact]
    public void Save_replaces_an_existing_file()
    {
        string path = PathOf("model.safetensors");
        File.WriteAllText(path, "old contents");
        var writer = new SafeTensorsWriter();
        writer.Add("w", new double[] { 3.0 }, new[] { 1 });

        writer.Save(path);

        Assert.Equal(writer.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, FileNames());
    }

    [Fact]
    public void Save_through_a_symbolic_link_replaces_its_target_and_keeps_the_link()
    {
        string target = PathOf("target.safetensors");
        string link = PathOf("link.safetensors");
        File.WriteAllText(target, "old contents");
        File.CreateSymbolicLink(link, target);
        var writer = new SafeTensorsWriter();
        writer.Add("w", new float[] { 4f }, new[] { 1 });

        writer.Save(link);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(writer.ToArray(), File.ReadAllBytes(target));
        Assert.Equal(new[] { "link.safetensors", "target.safetensors" }, FileNames());
    }

    [Fact]
    public void Save_refuses_a_header_no_reader_accepts_and_writes_nothing()
    {
        string path = PathOf("model.safetensors");
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("big", new string('x', (int)SafeTensorsLimits.MaxHeaderBytes));

        var e = Assert.Throws<InvalidOperationException>(() => writer.Save(path));
        Assert.Contains($"more than the {SafeTensorsLimits.MaxHeaderBytes} bytes a reader accepts", e.Message, StringComparison.Ordinal);
        Assert.Empty(FileNames());
    }

    [Fact]
    public void Write_failing_midway_leaves_the_old_file_intact_and_no_temp_file()
    {
        string path = PathOf("model.safetensors");
        File.WriteAllText(path, "old contents");
        var writer = new SafeTensorsWriter();
        writer.Add("w", new float[1000], new[] { 1000 });

        // Save's own path (AtomicFile.Write) with a stream that dies after the header, as a full disk would.
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream => writer.WriteTo(new FailingStream(stream, 512))));

        Assert.Equal("old contents", File.ReadAllText(path));
        Assert.Equal(new[] { "model.safetensors" }, FileNames());
    }

    [Fact]
    public void Save_over_a_directory_fails_and_leaves_no_temp_file()
    {
        string path = PathOf("occupied");
        Directory.CreateDirectory(path);
        var writer = new SafeTensorsWriter();
        writer.Add("w", new float[] { 1f }, new[] { 1 });

        Assert.ThrowsAny<Exception>(() => writer.Save(path));

        Assert.True(Directory.Exists(path));
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public void Save_into_a_missing_directory_fails_without_creating_anything()
    {
        string path = Path.Combine(_directory.FullName, "missing", "model.safetensors");

        Assert.Throws<DirectoryNotFoundException>(() => new SafeTensorsWriter().Save(path));

        Assert.Empty(Directory.GetFileSystemEntries(_directory.FullName));
    }

    [Fact]
    public void WriteTo_a_stream_matches_ToArray()
    {
        byte[] expected = SafeTensorsSamples.Small();
        var stream = new MemoryStream();
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("mode", "LSTM");
        writer.Add("w", new float[] { 1f, -2.5f, 3f, 4f, 5f, 6f }, new[] { 2, 3 });
        writer.Add("d", new double[] { Math.PI, -1e300 }, new[] { 2 });
        writer.Add("n", new long[] { long.MinValue, 7 }, new[] { 2 });
        writer.Add("s", new float[] { 42f }, ReadOnlySpan<int>.Empty);
        writer.Add("e", ReadOnlySpan<float>.Empty, new[] { 0 });

        writer.WriteTo(stream);

        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Read_names_the_file_in_errors()
    {
        string path = PathOf("broken.safetensors");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        var error = Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_rejects_a_file_too_large_for_one_array_before_reading_it()
    {
        string path = PathOf("huge.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            // Sparse on the usual Linux and Windows file systems: no disk space is used.
            stream.SetLength(3L * 1024 * 1024 * 1024);
        }

        var error = Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Read(path));

        Assert.Contains("3221225472 bytes long", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_of_a_missing_file_is_an_io_error()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Read(PathOf("absent.safetensors")));
    }

    private string[] FileNames()
    {
        string[] paths = Directory.GetFileSystemEntries(_directory.FullName);
        var names = new string[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            names[i] = Path.GetFileName(paths[i]);
        }

        return names;
    }
}
