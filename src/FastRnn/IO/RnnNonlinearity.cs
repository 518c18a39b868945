namespace FastRnn.IO;

/// <summary>
/// A vanilla RNN's activation (PyTorch <c>nn.RNN(nonlinearity=...)</c>), which its
/// <c>state_dict</c> does not record, so loading a module asks the caller for it.
/// </summary>
public enum RnnNonlinearity
{
    /// <summary><c>nonlinearity='tanh'</c>, PyTorch's default.</summary>
    Tanh,

    /// <summary><c>nonlinearity='relu'</c>.</summary>
    Relu,
}
