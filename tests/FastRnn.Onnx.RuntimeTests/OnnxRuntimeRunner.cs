using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FastRnn.Onnx.RuntimeTests;

/// <summary>Runs a test model in ONNX Runtime (CPU, one intra-op thread) and returns Y, Y_h{k}, Y_c{k} in ONNX's layouts.</summary>
internal static class OnnxRuntimeRunner
{
    public static OnnxCaseResult Run(OnnxCase c)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(c.ModelBytes, options);
        OnnxNodeSpec first = c.Layers[0];
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            long[] xShape = first.Layout == 0 ? [c.Steps, c.Batch, first.InputSize] : [c.Batch, c.Steps, first.InputSize];
            Add("X", OrtValue.CreateTensorValueFromMemory(c.X, xShape));
            if (c.Lengths is not null)
            {
                Add("sequence_lens", OrtValue.CreateTensorValueFromMemory(c.Lengths, [c.Batch]));
            }

            long[] stateShape = first.Layout == 0 ? [first.Directions, c.Batch, first.HiddenSize] : [c.Batch, first.Directions, first.HiddenSize];
            for (int k = 0; k < c.Layers.Count; k++)
            {
                if (c.InitialH is not null)
                {
                    Add($"initial_h{k}", OrtValue.CreateTensorValueFromMemory(c.InitialH[k], stateShape));
                }

                if (c.InitialC is not null)
                {
                    Add($"initial_c{k}", OrtValue.CreateTensorValueFromMemory(c.InitialC[k], stateShape));
                }
            }

            bool lstm = first.Op == "LSTM";
            string[] outputs = ["Y", .. Enumerable.Range(0, c.Layers.Count).Select(k => $"Y_h{k}"), .. lstm ? Enumerable.Range(0, c.Layers.Count).Select(k => $"Y_c{k}") : []];
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, names, values, outputs);
            double[] Read(int i) => [.. results[i].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v)];
            int layers = c.Layers.Count;
            return new OnnxCaseResult
            {
                Y = Read(0),
                YH = [.. Enumerable.Range(0, layers).Select(k => Read(1 + k))],
                YC = lstm ? [.. Enumerable.Range(0, layers).Select(k => Read(1 + layers + k))] : null,
            };
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }

        void Add(string name, OrtValue value)
        {
            names.Add(name);
            values.Add(value);
        }
    }
}
