#!/usr/bin/env bash
# Runs the kernel benchmarks (FastRnn.Benchmarks.Kernels: GEMV, GEMM, FMA peak, activations) on
# every ISA path this CPU has, then writes perf-results/<CPU folder>/kernels.md (GFLOP/s and % of
# the measured FMA peak per path) next to copies of BenchmarkDotNet's reports.
# Takes 6-8 minutes; run it on an otherwise idle machine.
# Extra arguments go to the benchmark program, e.g. `--isa Vector512` (only that path's jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

project=benchmarks/FastRnn.Benchmarks
dotnet build "$project" -c Release
folder=$(dotnet run -c Release --no-build --project "$project" -- cpu-folder)
artifacts="BenchmarkDotNet.Artifacts/kernels-$(date +%Y%m%d-%H%M%S)"

dotnet run -c Release --no-build --project "$project" -- \
  --filter 'FastRnn.Benchmarks.Kernels.*' --artifacts "$artifacts" "$@"
dotnet run -c Release --no-build --project "$project" -- report "$artifacts/results" "perf-results/$folder"
echo "BenchmarkDotNet log and full results: $artifacts"
