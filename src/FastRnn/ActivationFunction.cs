namespace FastRnn;

/// <summary>
/// The activation functions of ONNX's recurrent operators (LSTM, GRU, RNN). PyTorch uses only
/// <see cref="Sigmoid"/>, <see cref="Tanh"/> and <see cref="Relu"/>; the others arrive with ONNX
/// imports. α and β are <see cref="Activation.Alpha"/> and <see cref="Activation.Beta"/>.
/// </summary>
public enum ActivationFunction
{
    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,

    /// <summary>tanh x.</summary>
    Tanh,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>α·x + β.</summary>
    Affine,

    /// <summary>x if x ≥ 0, else α·x.</summary>
    LeakyRelu,

    /// <summary>x if x &gt; α, else 0.</summary>
    ThresholdedRelu,

    /// <summary>α·tanh(β·x).</summary>
    ScaledTanh,

    /// <summary>min(max(α·x + β, 0), 1).</summary>
    HardSigmoid,

    /// <summary>x if x ≥ 0, else α·(e^x − 1).</summary>
    Elu,

    /// <summary>x / (1 + |x|).</summary>
    Softsign,

    /// <summary>log(1 + e^x).</summary>
    Softplus,
}
