using System;
using FastRnn.Memory;

namespace FastRnn.Kernels;

/// <summary>
/// A weight matrix [Rows, Columns] (PyTorch layout: Rows = Gates * Units) repacked once into
/// panels the matrix kernels stream front to back.
/// </summary>
/// <remarks>
/// A panel holds <see cref="PanelVectors"/> vectors of <see cref="Width"/> rows for every column:
/// data[panel][column][vector][lane]. For gated cells (Gates ≥ 2) the vectors of a panel are the
/// gates of the same <see cref="Width"/> units (i, f, g, o side by side), so a step's epilogue
/// finds all gates of a unit block in one place. For Gates = 1 a panel is up to four consecutive
/// vectors of units, which keeps enough independent accumulators to hide FMA latency; the last
/// panel holds the remaining one to four vectors.
/// The product's output is laid out in the same packed row order (<see cref="PackedRowOf"/>):
/// panel after panel, vector after vector; for Gates = 1 that is the natural order of the units.
/// Units are padded with zero rows up to a whole vector only, so every buffer over H units has
/// the same padded length whatever the matrix it came from.
/// Int8 matrices interleave column pairs instead: data[panel][column pair][vector][lane][2], an odd
/// column count padded with a zero column (<see cref="StoredColumns"/>), because the integer
/// kernel's multiply (pmaddwd and its equivalents) sums two adjacent int16 products per int32 lane.
/// </remarks>
internal sealed class PackedMatrix
{
    // Narrow loads may read up to 16 bytes past the last weight; the buffers are padded for it.
    private const int PaddingBytes = 64;

    private readonly AlignedBuffer data;   // per panel [Columns, PanelVectors (LastPanelVectors), Width] in Format;
                                           // Int8: per panel [StoredColumns / 2, PanelVectors (LastPanelVectors), Width, 2]
    private readonly AlignedBuffer scales; // Int8: [PaddedRows] row scales in packed order; else empty

    private PackedMatrix(int gates, int units, int columns, int width, WeightFormat format = WeightFormat.Float32)
    {
        Format = format;
        Gates = gates;
        Units = units;
        Columns = columns;
        Width = width;
        int vectors = (units + width - 1) / width;
        SubVectors = gates == 1 ? Math.Min(4, vectors) : 1;
        PanelVectors = gates * SubVectors;
        Panels = (vectors + SubVectors - 1) / SubVectors;
        LastPanelVectors = gates * (vectors - ((Panels - 1) * SubVectors));
        PaddedUnits = vectors * width;
        StoredColumns = format == WeightFormat.Int8 ? columns + (columns & 1) : columns;
        int elements = checked(gates * PaddedUnits * StoredColumns);
        int bytesPerElement = format switch { WeightFormat.BFloat16 => 2, WeightFormat.Int8 => 1, _ => 4 };
        data = new AlignedBuffer(checked((((elements * bytesPerElement) + PaddingBytes) + 3) / 4));
        scales = new AlignedBuffer(format == WeightFormat.Int8 ? gates * PaddedUnits : 0);
    }

    /// <summary>How the weights are stored.</summary>
    public WeightFormat Format { get; }

    /// <summary>The stored weights as bytes (any format).</summary>
    public ReadOnlySpan<byte> Bytes => System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Span);

    /// <summary>Int8: per-row scales in packed order [PaddedRows]; empty otherwise.</summary>
    public ReadOnlySpan<float> Scales => scales.Span;

    /// <summary>Int8: the smallest non-zero row scale (0 if every row is zero; 0 for other formats). See <see cref="Int16Rows.TryScale"/>.</summary>
    public float MinScale { get; private set; }

    /// <summary>Int8: the largest row scale (0 for other formats). See <see cref="Int16Rows.TryScale"/>.</summary>
    public float MaxScale { get; private set; }

    /// <summary>Bytes of stored weights (without the read padding): what one pass over the matrix streams.</summary>
    public long WeightBytes => (long)Gates * PaddedUnits * StoredColumns * (Format switch { WeightFormat.BFloat16 => 2, WeightFormat.Int8 => 1, _ => 4 });

    /// <summary>Gate blocks in the rows (4 LSTM, 3 GRU, 1 plain).</summary>
    public int Gates { get; }

    /// <summary>Rows per gate block (hidden units).</summary>
    public int Units { get; }

    /// <summary>Logical rows: Gates * Units.</summary>
    public int Rows => Gates * Units;

    /// <summary>Columns (the length of the vector multiplied).</summary>
    public int Columns { get; }

    /// <summary>Columns as stored: Int8 rounds up to whole column pairs (the pad column is zero); otherwise <see cref="Columns"/>.</summary>
    public int StoredColumns { get; }

    /// <summary>Floats per vector of the path this matrix was packed for.</summary>
    public int Width { get; }

    /// <summary>Vectors per gate in one panel.</summary>
    public int SubVectors { get; }

    /// <summary>Vectors per panel: Gates * SubVectors.</summary>
    public int PanelVectors { get; }

    /// <summary>Vectors in the last panel (equal to <see cref="PanelVectors"/> unless Gates = 1).</summary>
    public int LastPanelVectors { get; }

    /// <summary>Number of panels.</summary>
    public int Panels { get; }

    /// <summary>Units rounded up to whole panels.</summary>
    public int PaddedUnits { get; }

    /// <summary>Length of one output row in packed order: Gates * PaddedUnits.</summary>
    public int PaddedRows => Gates * PaddedUnits;

    /// <summary>The packed float32 weights: per panel [Columns, vectors of the panel, Width] (Float32 format only).</summary>
    public ReadOnlySpan<float> Data => Format == WeightFormat.Float32
        ? data.Span
        : throw new InvalidOperationException($"This matrix stores {Format} weights, not float32.");

    /// <summary>Packs a row-major [gates * units, columns] matrix for the active path.</summary>
    public static PackedMatrix Pack(ReadOnlySpan<float> rowMajor, int gates, int units, int columns) =>
        Pack(rowMajor, gates, units, columns, Isa.FloatsPerVector);

    /// <summary>Packs for an explicit vector width (tests pack for every width).</summary>
    public static PackedMatrix Pack(ReadOnlySpan<float> rowMajor, int gates, int units, int columns, int width) =>
        Pack(rowMajor, gates, units, columns, width, WeightFormat.Float32);

    /// <summary>Packs into a storage format, for the active path.</summary>
    public static PackedMatrix Pack(ReadOnlySpan<float> rowMajor, int gates, int units, int columns, WeightFormat format) =>
        Pack(rowMajor, gates, units, columns, Isa.FloatsPerVector, format);

    /// <summary>Packs into a storage format for an explicit vector width.</summary>
    public static PackedMatrix Pack(ReadOnlySpan<float> rowMajor, int gates, int units, int columns, int width, WeightFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var packed = new PackedMatrix(gates, units, columns, width, format);
        packed.Repack(rowMajor);
        return packed;
    }

    /// <summary>
    /// Packs Wᵀ for backward products: a plain matrix with one row per column of
    /// <paramref name="forward"/> and one column per position of its packed output, so that
    /// multiplying it by a gradient held in packed row order gives Wᵀ · gradient directly.
    /// </summary>
    /// <param name="forward">The packed forward matrix (gives the column order).</param>
    /// <param name="rowMajor">The same weights, row-major [forward.Rows, forward.Columns].</param>
    /// <returns>The packed transpose: [forward.Columns, forward.PaddedRows].</returns>
    public static PackedMatrix PackTransposed(PackedMatrix forward, ReadOnlySpan<float> rowMajor)
    {
        var transposed = new PackedMatrix(1, forward.Columns, forward.PaddedRows, forward.Width);
        transposed.RepackTransposed(forward, rowMajor);
        return transposed;
    }

    /// <summary>Rewrites a matrix made by <see cref="PackTransposed"/> from updated weights.</summary>
    public void RepackTransposed(PackedMatrix forward, ReadOnlySpan<float> rowMajor) =>
        RepackTransposed(forward, rowMajor, new float[Units * Columns]);

    /// <summary>The same, staging through caller-owned memory of at least Columns of forward × its PaddedRows floats.</summary>
    public void RepackTransposed(PackedMatrix forward, ReadOnlySpan<float> rowMajor, Span<float> staging)
    {
        if (Units != forward.Columns || Columns != forward.PaddedRows || rowMajor.Length != forward.Rows * forward.Columns)
        {
            throw new ArgumentException(
                $"Expected the [{forward.Rows}, {forward.Columns}] weights of the matrix this transpose was made for.", nameof(rowMajor));
        }

        staging = staging[..(Units * Columns)]; // [forward.Columns, forward.PaddedRows]
        staging.Clear();
        for (int row = 0; row < forward.Rows; row++)
        {
            int column = forward.PackedRowOf(row);
            for (int k = 0; k < forward.Columns; k++)
            {
                staging[(k * Columns) + column] = rowMajor[(row * forward.Columns) + k];
            }
        }

        Repack(staging);
    }

    /// <summary>Position of logical row <paramref name="row"/> in a packed output row.</summary>
    public int PackedRowOf(int row)
    {
        int gate = row / Units;
        int unit = row - (gate * Units);
        int unitsPerPanel = SubVectors * Width;
        int panel = unit / unitsPerPanel;
        int within = unit - (panel * unitsPerPanel);
        int vector = (gate * SubVectors) + (within / Width);
        return (((panel * PanelVectors) + vector) * Width) + (within % Width);
    }

    /// <summary>Rewrites the packed weights from a row-major matrix (after an optimizer update).</summary>
    public void Repack(ReadOnlySpan<float> rowMajor)
    {
        if (rowMajor.Length != Rows * Columns)
        {
            throw new ArgumentException(
                $"Expected a [{Rows}, {Columns}] matrix ({Rows * Columns} floats), got {rowMajor.Length} floats.",
                nameof(rowMajor));
        }

        Span<float> target = data.Span;
        target.Clear();
        Span<ushort> halves = System.Runtime.InteropServices.MemoryMarshal.Cast<float, ushort>(target);
        Span<sbyte> bytes = System.Runtime.InteropServices.MemoryMarshal.Cast<float, sbyte>(target);
        scales.Span.Clear();
        MinScale = float.PositiveInfinity;
        MaxScale = 0f;
        Span<sbyte> rowBytes = Format == WeightFormat.Int8 ? new sbyte[Columns] : default;
        for (int row = 0; row < Rows; row++)
        {
            ReadOnlySpan<float> source = rowMajor.Slice(row * Columns, Columns);
            if (Format == WeightFormat.Int8)
            {
                float scale = Int8Rows.Quantize(source, rowBytes);
                scales.Span[PackedRowOf(row)] = scale;
                MaxScale = MathF.Max(MaxScale, scale);
                MinScale = scale > 0f ? MathF.Min(MinScale, scale) : MinScale;
            }

            for (int column = 0; column < Columns; column++)
            {
                int at = ElementIndex(row, column);
                switch (Format)
                {
                    case WeightFormat.BFloat16:
                        halves[at] = ToBFloat16(source[column]);
                        break;
                    case WeightFormat.Int8:
                        bytes[at] = rowBytes[column];
                        break;
                    default:
                        target[at] = source[column];
                        break;
                }
            }
        }

        MinScale = float.IsPositiveInfinity(MinScale) ? 0f : MinScale;
    }

    /// <summary>The weights of one logical row as the kernels see them (dequantized).</summary>
    public void ReadRow(int row, Span<float> destination)
    {
        ReadOnlySpan<float> floats = data.Span;
        ReadOnlySpan<ushort> halves = System.Runtime.InteropServices.MemoryMarshal.Cast<float, ushort>(floats);
        ReadOnlySpan<sbyte> bytes = System.Runtime.InteropServices.MemoryMarshal.Cast<float, sbyte>(floats);
        float scale = Format == WeightFormat.Int8 ? scales.Span[PackedRowOf(row)] : 1f;
        for (int column = 0; column < Columns; column++)
        {
            int at = ElementIndex(row, column);
            destination[column] = Format switch
            {
                WeightFormat.BFloat16 => BitConverter.Int32BitsToSingle(halves[at] << 16),
                WeightFormat.Int8 => bytes[at] * scale,
                _ => floats[at],
            };
        }
    }

    /// <summary>Rounds to the nearest bfloat16, ties to even (weights are finite).</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    // Index (in elements) of logical (row, column) in the packed storage.
    private int ElementIndex(int row, int column)
    {
        int position = PackedRowOf(row);
        int panel = position / (PanelVectors * Width);
        int inPanel = position - (panel * PanelVectors * Width); // vector * Width + lane
        int vectorsHere = panel == Panels - 1 ? LastPanelVectors : PanelVectors;
        int panelStart = panel * StoredColumns * PanelVectors * Width;
        if (Format == WeightFormat.Int8)
        {
            // [column pair][vector][lane][2]
            return panelStart + ((column >> 1) * vectorsHere * Width * 2) + (inPanel * 2) + (column & 1);
        }

        int columnStart = panelStart + (column * vectorsHere * Width);
        if (Format == WeightFormat.BFloat16)
        {
            // Per column, vectors 2q and 2q + 1 interleave lane by lane ([lane][2]) so one load holds
            // both (IWeightFormat.LoadColumn); a vector without a partner (the third of three) stays whole.
            int vector = inPanel / Width, lane = inPanel - (vector * Width);
            if ((vector | 1) < vectorsHere)
            {
                return columnStart + ((vector & ~1) * Width) + (lane * 2) + (vector & 1);
            }
        }

        return columnStart + inPanel;
    }

    /// <summary>Scatters a logical vector [Gates * Units] into packed row order (padding zeroed).</summary>
    public void ToPackedOrder(ReadOnlySpan<float> logical, Span<float> packed)
    {
        packed[..PaddedRows].Clear();
        for (int row = 0; row < Rows; row++)
        {
            packed[PackedRowOf(row)] = logical[row];
        }
    }
}
