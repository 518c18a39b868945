using System;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>
/// The work of each benchmark case in bytes and flops, I = H: what the bound columns divide by the
/// measured limits. A multiply-add is 2 flops; G is the number of gates (LSTM 4, GRU 3, RNN 1).
/// </summary>
internal static class WorkCounts
{
    /// <summary>G for a BenchmarkDotNet "Cell" cell (Lstm, Gru, RnnTanh, RnnRelu).</summary>
    public static int Gates(string cell) => cell switch
    {
        "Lstm" => 4,
        "Gru" => 3,
        "RnnTanh" or "RnnRelu" => 1,
        _ => throw new FormatException($"Unknown cell '{cell}' in the report."),
    };

    /// <summary>Bytes of W_ih and W_hh (float32) that a batch-1 step streams once: G·H·(I + H)·4.</summary>
    public static long StepWeightBytes(int gates, int hidden) => 4L * gates * hidden * (2L * hidden);

    /// <summary>Bytes of W_hh alone, which each step of a sequence streams after the input product.</summary>
    public static long RecurrentWeightBytes(int gates, int hidden) => 4L * gates * hidden * hidden;

    /// <summary>Flops of the input product of a whole sequence: 2·T·B·G·H·I.</summary>
    public static double InputProductFlops(int steps, int batch, int gates, int hidden) => 2.0 * steps * batch * gates * hidden * hidden;

    /// <summary>Flops of the input and recurrent products of a sequence: 2·T·B·G·H·(I + H).</summary>
    public static double SequenceFlops(int steps, int batch, int gates, int hidden) => 2.0 * steps * batch * gates * hidden * (2.0 * hidden);

    /// <summary>
    /// Flops of a training step's six products (forward input and recurrent; backward input, recurrent,
    /// dW_ih and dW_hh): three times the forward's, 6·T·B·G·H·(I + H).
    /// </summary>
    public static double TrainingFlops(int steps, int batch, int gates, int hidden) => 3.0 * SequenceFlops(steps, batch, gates, hidden);
}
