#!/usr/bin/env bash
# Every benchmark for one CPU, into perf-results/<CPU folder>/:
#   1. fastrnn bench                  quick.md (a Stopwatch estimate, about ten seconds)
#   2. benchmarks/run-kernels.sh      kernels.md (GEMV/GEMM/FMA peak/activations per ISA path, 6-8 min)
#   3. BenchmarkDotNet inference, training and bandwidth classes, short job   bdn/ (csv + github md)
# `--quick` stops after step 1. Run it on an otherwise idle machine; the full run takes tens of minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/FastRnn.Cli -c Release
dotnet run -c Release --no-build --project src/FastRnn.Cli -- bench --out perf-results
[ "${1:-}" = "--quick" ] && exit 0

benchmarks/run-kernels.sh

project=benchmarks/FastRnn.Benchmarks
folder=$(dotnet run -c Release --no-build --project "$project" -- cpu-folder)
artifacts="BenchmarkDotNet.Artifacts/all-$(date +%Y%m%d-%H%M%S)"
dotnet run -c Release --no-build --project "$project" -- \
  --filter '*StreamingStepBenchmarks*' '*SequenceBenchmarks*' '*TrainingStepBenchmarks*' '*CacheBandwidthBenchmarks*' '*SplitReadBenchmarks*' \
  --job short --iterationCount 10 --exporters csv github --artifacts "$artifacts"
mkdir -p "perf-results/$folder/bdn"
cp "$artifacts"/results/*.csv "$artifacts"/results/*-github.md "perf-results/$folder/bdn/"
echo "perf-results/$folder: quick.md, kernels.md, bdn/ (BenchmarkDotNet log and full results: $artifacts)"
