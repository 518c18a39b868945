using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// An int8 network file holds q and one scale per row, and FastRnn's int8 rows span ±127 (scale =
/// max |w| / 127). Loading re-quantizes the dequantized values q · scale, which gives back the file's
/// weights exactly only for such rows: a row whose largest |q| is below 127, or that holds -128 (as
/// other tools' symmetric int8 can), would run as other weights (0.01 as 0.0079 here). Such a file is
/// refused when it is to run as int8, naming the tensor and row, and loads exactly as float32.
/// </summary>
public sealed class Int8FileRowRangeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-int8-range-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(new sbyte[] { 1, 2, 3, 100, 127, 1, 2, 3 }, 0, "100")]
    [InlineData(new sbyte[] { 1, 2, 3, 127, -128, 1, 2, 3 }, 1, "-128")]
    public void ARowThatInt8LoadingWouldChangeIsRefusedNamingIt(sbyte[] weights, int row, string value)
    {
        string path = Write(weights);
        var e = Assert.Throws<FastRnnFormatException>(() => NetworkFile.Load(path));
        Assert.Contains("'weight_ih_l0'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"row {row}", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);

        // As float32 the file's weights are read exactly: q · scale.
        RecurrentNetwork exact = NetworkFile.Load(path, WeightFormat.Float32);
        ReadOnlySpan<float> w = exact.GetParameter("weight_ih_l0");
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(weights[i] * 0.01f, w[i]);
        }
    }

    [Fact]
    public void RowsSpanningPlusOrMinus127AndZeroRowsLoadAsStored()
    {
        sbyte[] weights = [1, 2, 3, -127, 0, 0, 0, 0];
        RecurrentNetwork loaded = NetworkFile.Load(Write(weights));
        Assert.Equal(WeightFormat.Int8, loaded.WeightFormat);
        float[] row = new float[4];
        for (int r = 0; r < 2; r++)
        {
            loaded.Cells[0].Input.ReadRow(r, row);
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(weights[(r * 4) + c] * 0.01f, row[c]);
            }
        }
    }

    [Fact]
    public void FilesSavedByFastRnnLoadBackToTheSamePackedWeightsAtEveryMagnitude()
    {
        // One row per decade from 1e-38 to 1e38 (the first ones with subnormal scales), plus float.MaxValue.
        const int rows = 78, columns = 5;
        var d = new NetworkDescription(CellKind.RnnTanh, columns, rows);
        var random = new Random(4);
        var parameters = new System.Collections.Generic.Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] wih = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            float max = r == rows - 1 ? float.MaxValue : (float)Math.Pow(10, r - 38);
            for (int c = 0; c < columns; c++)
            {
                wih[(r * columns) + c] = max * (float)((random.NextDouble() * 2) - 1);
            }

            wih[(r * columns) + (r % columns)] = r % 2 == 0 ? max : -max;
        }

        parameters["weight_ih_l0"] = wih;
        parameters["weight_hh_l0"] = new float[rows * rows];
        parameters["bias_ih_l0"] = new float[rows];
        parameters["bias_hh_l0"] = new float[rows];
        RecurrentNetwork network = RecurrentNetwork.Create(d, parameters, WeightFormat.Int8);
        string path = Path.Combine(folder, "decades.safetensors");
        NetworkFile.Save(network, path);
        RecurrentNetwork loaded = NetworkFile.Load(path);
        Assert.True(network.Cells[0].Input.Bytes.SequenceEqual(loaded.Cells[0].Input.Bytes), "the int8 weights differ after Save and Load");
        Assert.True(network.Cells[0].Input.Scales.SequenceEqual(loaded.Cells[0].Input.Scales), "the row scales differ after Save and Load");
    }

    // An int8 RNN(4, 2) file: W_ih [2, 4] as given with scales 0.01, W_hh the identity · 0.01.
    private string Write(sbyte[] weightIh)
    {
        var d = new NetworkDescription(CellKind.RnnTanh, 4, 2);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in NetworkFile.Metadata(d))
        {
            writer.SetMetadata(key, value);
        }

        writer.SetMetadata(NetworkFile.FormatKey, "int8");
        writer.AddInt8("weight_ih_l0", weightIh, [2, 4]);
        writer.Add("weight_ih_l0.scale", new[] { 0.01f, 0.01f }, [2]);
        writer.AddInt8("weight_hh_l0", new sbyte[] { 127, 0, 0, 127 }, [2, 2]);
        writer.Add("weight_hh_l0.scale", new[] { 0.01f, 0.01f }, [2]);
        writer.Add("bias_ih_l0", new float[2], [2]);
        writer.Add("bias_hh_l0", new float[2], [2]);
        string path = Path.Combine(folder, $"{Guid.NewGuid():N}.safetensors");
        writer.Save(path);
        return path;
    }
}
