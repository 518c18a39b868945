using FastRnn.Networks;

namespace FastRnn.Training.Models;

/// <summary>Sets the initial bias of the gate that keeps the state: LSTM f (rows H..2H), GRU z (rows H..2H).</summary>
internal static class KeepGate
{
    public static void Initialise(RecurrentNetwork network, float bias)
    {
        NetworkDescription d = network.Description;
        if (bias == 0f || !d.Bias || d.Kind is not (CellKind.Lstm or CellKind.Gru))
        {
            return;
        }

        int h = d.HiddenSize;
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            for (int direction = 0; direction < d.Directions; direction++)
            {
                float[] b = network.MutableParameter(NetworkDescription.ParameterName("bias_ih", layer, direction));
                for (int i = h; i < 2 * h; i++)
                {
                    b[i] += bias;
                }
            }
        }

        network.Repack();
    }
}
