namespace FastRnn.Cli.SelfTest;

/// <summary>Every check of <c>fastrnn selftest</c>, in order: kernels, epilogues, whole networks.</summary>
internal static class SelfTestSuite
{
    /// <summary>Runs every check on the active ISA path and returns the filled report.</summary>
    public static SelfTestReport Run()
    {
        var report = new SelfTestReport();
        ActivationCheck.Run(report);
        OnnxActivationCheck.Run(report);
        MatMulCheck.Run(report);
        Int8MatMulCheck.Run(report);
        TransposedProductCheck.Run(report);
        ForwardEpilogueCheck.Run(report);
        BackwardEpilogueCheck.Run(report);
        NetworkCheck.Run(report);
        return report;
    }
}
