using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using FastRnn.Benchmarks.Kernels;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// One job per vector path of this CPU down to 128 bits (the default path, then
/// DOTNET_EnableAVX512=0 and DOTNET_EnableAVX2=0 where they narrow it; see <see cref="IsaJobs"/>),
/// so one machine shows how FastRnn's paths compare. Scalar is left out: no deployment target runs it
/// for speed, and the test legs cover its correctness.
/// </summary>
internal sealed class IsaPathConfig : ManualConfig
{
    public IsaPathConfig()
    {
        foreach (Job job in IsaJobs.For(Job.Default))
        {
            if (IsaJobs.PathOf(job.Id) != SimdPath.Scalar)
            {
                AddJob(job);
            }
        }
    }

    /// <summary>Throws when the process does not run the path its job promised.</summary>
    public static void AssertExpectedPath() => IsaJobs.AssertExpectedPath();
}
