using FastRnn.Heads;
using FastRnn.Tests.Onnx;
using FastRnn.Tests.Networks;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>A warmed-up head allocates nothing.</summary>
[Collection(AllocationMeasurements.Name)]
public sealed class DenseHeadAllocationTests
{
    [Theory]
    [InlineData(HeadActivation.None)]
    [InlineData(HeadActivation.Sigmoid)]
    [InlineData(HeadActivation.Softmax)]
    public void ApplyAllocatesNothing(HeadActivation activation)
    {
        const int inputs = 48, classes = 1030, batch = 4; // two blocks of output rows
        DenseHead head = DenseHead.Create(OnnxNodeSpec.RandomValues(classes * inputs, 1), OnnxNodeSpec.RandomValues(classes, 2), inputs, classes, activation);
        float[] x = OnnxNodeSpec.RandomValues(batch * inputs, 3); // [B, In]
        float[] y = new float[batch * classes];            // [B, C]
        AllocationAssert.AllocatesNothing(() => head.Apply(x, batch, y));
    }
}
