namespace FastRnn.Onnx;

/// <summary>
/// What the importer does with an activation the ONNX specification and ONNX Runtime read
/// differently: a parameter left out whose defaults differ, an RNN function name not spelled as the
/// specification spells it, or two RNN functions listed for one direction (see <see cref="OnnxImporter"/>).
/// </summary>
public enum AmbiguousActivations
{
    /// <summary>Refuse the node, naming both readings (the default: FastRnn does not guess what a model means).</summary>
    Refuse,

    /// <summary>Compute what ONNX Runtime 1.31 computes (for models validated on it): its defaults; what it refuses stays refused.</summary>
    AsOnnxRuntime,

    /// <summary>Compute what the ONNX specification says (the operators' defaults, parameters in the order of the functions, any spelling).</summary>
    AsSpecification,
}
