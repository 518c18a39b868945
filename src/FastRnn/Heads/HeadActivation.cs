namespace FastRnn.Heads;

/// <summary>The function a <see cref="DenseHead"/> applies to its affine output.</summary>
public enum HeadActivation
{
    /// <summary>None: the logits W x + b as they are.</summary>
    None,

    /// <summary>The logistic sigmoid of every output (independent binary labels).</summary>
    Sigmoid,

    /// <summary>Softmax over each row's outputs (the last dimension), as <c>torch.softmax(y, dim=-1)</c>.</summary>
    Softmax,
}
