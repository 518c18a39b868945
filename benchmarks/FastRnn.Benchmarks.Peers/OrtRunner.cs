using System;
using System.Collections.Generic;
using FastRnn.Networks;
using Microsoft.ML.OnnxRuntime;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// One ONNX Runtime session over a one-node model, bound once to preallocated, pinned OrtValues
/// (IOBinding), so a call is RunWithBinding and nothing else. Streaming (<c>stateful</c>): two
/// bindings ping-pong the state, the outputs Y_h/Y_c of one call are the next call's inputs.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly OrtIoBinding[] bindings;
    private readonly List<IDisposable> owned = [];
    private readonly float[][] hidden;
    private int parity;

    public OrtRunner(RecurrentNetwork network, int steps, int batch, bool stateful, int threads = 1)
    {
        NetworkDescription d = network.Description;
        int h = d.HiddenSize;
        bool lstm = d.Kind == CellKind.Lstm;
        using SessionOptions options = Peers.OrtOptions(threads);
        session = new InferenceSession(Peers.OnnxModel(network, steps, batch, stateful), options);
        Input = new float[steps * batch * d.InputSize];
        Output = new float[steps * batch * h];
        OrtValue x = Own(OrtValue.CreateTensorValueFromMemory(Input, [steps, batch, d.InputSize]));
        OrtValue y = Own(OrtValue.CreateTensorValueFromMemory(Output, [steps, 1, batch, h]));
        hidden = [new float[batch * h], new float[batch * h]];
        float[][] cell = [new float[batch * h], new float[batch * h]];
        OrtValue[] hv = [Own(OrtValue.CreateTensorValueFromMemory(hidden[0], [1, batch, h])), Own(OrtValue.CreateTensorValueFromMemory(hidden[1], [1, batch, h]))];
        OrtValue[] cv = [Own(OrtValue.CreateTensorValueFromMemory(cell[0], [1, batch, h])), Own(OrtValue.CreateTensorValueFromMemory(cell[1], [1, batch, h]))];
        bindings = new OrtIoBinding[stateful ? 2 : 1];
        for (int k = 0; k < bindings.Length; k++)
        {
            OrtIoBinding b = Own(session.CreateIoBinding());
            b.BindInput("X", x);
            b.BindOutput("Y", y);
            b.BindOutput("Y_h", hv[1 - k]);
            if (lstm)
            {
                b.BindOutput("Y_c", cv[1 - k]);
            }

            if (stateful)
            {
                b.BindInput("initial_h", hv[k]);
                if (lstm)
                {
                    b.BindInput("initial_c", cv[k]);
                }
            }

            bindings[k] = b;
        }
    }

    /// <summary>X [T, B, I], read by every call.</summary>
    public float[] Input { get; }

    /// <summary>Y [T, 1, B, H] of the last call.</summary>
    public float[] Output { get; }

    /// <summary>h after the last call.</summary>
    public float[] Hidden => hidden[bindings.Length == 1 ? 1 : parity];

    public void Run()
    {
        session.RunWithBinding(runOptions, bindings[parity]);
        if (bindings.Length == 2)
        {
            parity ^= 1;
        }
    }

    public void Dispose()
    {
        foreach (IDisposable d in owned)
        {
            d.Dispose();
        }

        runOptions.Dispose();
        session.Dispose();
    }

    private T Own<T>(T value)
        where T : IDisposable
    {
        owned.Add(value);
        return value;
    }
}
