namespace FastRnn.Tests.Reference;

/// <summary>Recurrent cell kind of the naive reference.</summary>
public enum ReferenceMode
{
    RnnTanh,
    RnnRelu,
    Lstm,
    Gru,
}
