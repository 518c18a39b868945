using FastRnn.Networks;
using FastRnn.Onnx;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// The README's "Import from ONNX" tells how to pass a node's initial_h and initial_c to Forward. Forward
/// reads [L·D, B, H] (PyTorch's h0 layout, batch_first included): for layout 0 that is initial_h [D, B, H]
/// as it is; for layout 1 ONNX's initial_h is [B, D, H] and must be transposed, or a bidirectional node
/// computes something else. (Before the README said so, it said to pass initial_h as it is.)
/// </summary>
public sealed class OnnxReadmeRunTimeInputsTests
{
    private const int Steps = 4, Batch = 3, Hidden = 5;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Onnx_initial_states_passed_to_forward_as_the_readme_says_give_the_onnx_results(int layout)
    {
        OnnxCase c = Case(layout);
        RecurrentNetwork network = Assert.Single(c.Import()).Network;
        float[] h0 = layout == 0 ? c.InitialH![0] : OnnxLayouts.StatesFromOnnx(c.InitialH!, 2, Batch, Hidden, layout);
        float[] c0 = layout == 0 ? c.InitialC![0] : OnnxLayouts.StatesFromOnnx(c.InitialC!, 2, Batch, Hidden, layout);
        Assert.True(Error(c, network, h0, c0, layout) <= 1e-5);
    }

    [Fact]
    public void Layout_1_initial_states_passed_as_they_are_compute_something_else()
    {
        OnnxCase c = Case(1);
        RecurrentNetwork network = Assert.Single(c.Import()).Network;
        Assert.True(Error(c, network, c.InitialH![0], c.InitialC![0], 1) > 0.1);
    }

    private static OnnxCase Case(int layout) =>
        new([OnnxNodeSpec.Random("LSTM", inputSize: 4, hiddenSize: Hidden, seed: 3, directions: 2, layout: layout)], new OnnxModelOptions { InitialStates = true }, Steps, Batch, seed: 3);

    // Y's relative error from the reference with the given [L·D, B, H] states.
    private static double Error(OnnxCase c, RecurrentNetwork network, float[] h0, float[] c0, int layout)
    {
        float[] output = new float[Steps * Batch * network.Description.OutputSize];
        network.Forward(network.CreateWorkspace(Batch, Steps), c.X, Steps, Batch, output, new InitialState(h0, c0), default, []);
        return OnnxLayouts.RelativeError(OnnxLayouts.OutputToY(output, Steps, Batch, 2, Hidden, layout), c.RunReference().Y);
    }
}
