using System;
using System.IO;

namespace FastRnn.Tests.IO;

/// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
internal sealed class FailingStream : Stream
{
    private readonly Stream _inner;
    private long _remaining;

    public FailingStream(Stream inner, long bytesBeforeFailure)
    {
        _inner = inner;
        _remaining = bytesBeforeFailure;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > _remaining)
        {
            _inner.Write(buffer[..(int)_remaining]);
            _remaining = 0;
            throw new IOException("Simulated failure: no space left on device.");
        }

        _inner.Write(buffer);
        _remaining -= buffer.Length;
    }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
