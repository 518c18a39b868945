#!/usr/bin/env bash
# Runs FastRnn beside its peers (ONNX Runtime 1.31.1 and libtorch through TorchSharp 0.107), one
# thread each, same weights, outputs checked before timing: streaming step (batch 1, LSTM/GRU/RNN,
# H 64..1024), sequence (T 100, batch 1 and 64), LSTM training step (B 32, T 50, H 256). Then
# writes perf-results/<CPU folder>/peers.md (FastRnn ÷ best peer per workload, ÷ bound, the
# 256/128-bit path columns, the targets) and peers.png next to copies of BenchmarkDotNet's reports.
# 297 cases (with this core's FMA peak and cache bandwidths, measured in the same run): about 70
# minutes on 2 cores (274 took 63); run it on an otherwise idle machine. Extra arguments go to BenchmarkDotNet,
# e.g. `--filter '*Streaming*'`.
# A peer that cannot load (or whose results differ from FastRnn's) fails its benchmarks with the
# reason in the log; the report then shows it as "no result" and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

project=benchmarks/FastRnn.Benchmarks.Peers
dotnet build "$project" -c Release
dotnet run -c Release --no-build --project "$project" -- peers || true
folder=$(dotnet run -c Release --no-build --project "$project" -- cpu-folder)
artifacts="BenchmarkDotNet.Artifacts/peers-$(date +%Y%m%d-%H%M%S)"

filter=()
if [[ " $* " != *" --filter "* ]]; then
  filter=(--filter 'FastRnn.Benchmarks.Peers.*' '*CacheBandwidthBenchmarks*')
fi

status=0
dotnet run -c Release --no-build --project "$project" -- \
  "${filter[@]}" --artifacts "$artifacts" "$@" || status=$?
dotnet run -c Release --no-build --project "$project" -- report "$artifacts/results" "perf-results/$folder"
echo "BenchmarkDotNet log and full results: $artifacts"
exit "$status"
