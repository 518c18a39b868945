#!/usr/bin/env bash
# The serving figures of perf-results/<CPU folder>/serving/: `fastrnn loadtest` against the stream
# batcher in this process and against FastRnn.Server over loopback, on the model of the serving
# issue (a PyTorch-style module: LSTM I = 64, H = 256, one layer, Linear head to 16 classes with
# softmax, seeded weights written by `FastRnn.Benchmarks serving-model`), for fp32 and int8 weights.
#   in-process: always-ready streams (--interval-ms 0), 1 to 512 streams, 1 and 2 threads;
#   loopback:   streams sending a frame every 10 ms (100 frames/s, audio hops), 100 to 700 streams,
#               one connection each (/v1/stream), the load generator on the same cores as the server;
#               then 500 to 1750 streams, 50 to a connection (/v1/streams, as a gateway sends them).
# Every run is bounded (frames per stream and --timeout-s) and talks to 127.0.0.1 only. Each run's
# last line (one JSON object) is appended to loadtest.jsonl; then `FastRnn.Benchmarks serving-report`
# writes loadtest.md (the tables) and loadtest-in-process.png / loadtest-loopback.png (throughput
# and p99 against streams).
# About 9 minutes on 2 cores; run it on an otherwise idle machine.
#   benchmarks/run-serving.sh [--quick]   (--quick: four short points into a temporary folder, printed
#                                          and kept in /tmp/fastrnn-serving-quick: a check that the script works)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

quick=false
[[ "${1:-}" == "--quick" ]] && quick=true

dotnet build src/FastRnn.Cli -c Release -v q -nologo > /dev/null
dotnet build src/FastRnn.Server -c Release -v q -nologo > /dev/null
dotnet build benchmarks/FastRnn.Benchmarks -c Release -v q -nologo > /dev/null
cli=src/FastRnn.Cli/bin/Release/net10.0/FastRnn.Cli
server=src/FastRnn.Server/bin/Release/net10.0/FastRnn.Server
bench() { dotnet run -c Release --no-build --project benchmarks/FastRnn.Benchmarks -- "$@"; }

folder=$(bench cpu-folder)
out="perf-results/$folder/serving"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

model="$work/lstm-64-256-head-16.safetensors"
bench serving-model "$model"
module=(--rnn-prefix rnn. --head-prefix head. --head-activation softmax)
results="$work/loadtest.jsonl"
: > "$results"

# One run: the JSON line, tagged with what the sweep varied, or a line saying the run failed.
run() {
  local tag=$1
  shift
  local line
  if line=$("$cli" loadtest "$@" 2> "$work/progress.txt" | tail -n 1) && [[ "$line" == "{"* ]]; then
    echo "{\"sweep\":\"$tag\",${line#\{}" >> "$results"
  elif [[ "$line" == "{"* ]]; then
    echo "{\"sweep\":\"$tag\",\"failed\":true,${line#\{}" >> "$results" # frames lost or timed out: still a point
  else
    echo "loadtest failed ($tag $*):" >&2
    tail -n 5 "$work/progress.txt" >&2
    return 1
  fi
  echo "$tag: $(tail -n 1 "$results" | grep -o '"streams":[0-9]*\|"steps_per_s":[0-9.]*\|"p99_ms":[0-9.]*' | tr '\n' ' ')"
}

if $quick; then
  in_streams=(1 64); loop_streams=(50 100); mux_streams=(200); weights=(fp32)
else
  in_streams=(1 16 64 256 512); loop_streams=(100 200 300 400 500 600 700); mux_streams=(500 750 1000 1250 1500 1750); weights=(fp32 int8)
fi
per_connection=50

for w in "${weights[@]}"; do
  for threads in 1 2; do
    for n in "${in_streams[@]}"; do
      # About 60,000 measured stream-steps per point (at least 2,000 frames per stream).
      frames=$(( 60000 / n > 2000 ? 60000 / n : 2000 ))
      run "in-process $w threads=$threads" --in-process --model "$model" "${module[@]}" --weights "$w" --threads "$threads" \
        --streams "$n" --frames "$frames" --warmup-frames 200 --interval-ms 0 --max-batch 256 --timeout-s 60
    done
  done
done

port=5089
for w in "${weights[@]}"; do
  "$server" --model "$model" "${module[@]}" --weights "$w" --urls "http://127.0.0.1:$port" \
    --max-streams 2048 --max-batch 256 --max-queue-delay-us 200 > "$work/server-$w.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null || { echo "the server did not become healthy:" >&2; cat "$work/server-$w.log" >&2; exit 1; }
  for n in "${loop_streams[@]}"; do
    run "loopback $w" --url "http://127.0.0.1:$port" --streams "$n" --frames 600 --warmup-frames 200 --interval-ms 10 --timeout-s 60 || true
  done
  for n in "${mux_streams[@]}"; do
    run "loopback $w, $per_connection streams a connection" --url "http://127.0.0.1:$port" --streams "$n" --streams-per-connection "$per_connection" \
      --frames 600 --warmup-frames 200 --interval-ms 10 --timeout-s 60 || true
  done
  kill "$server_pid"
  wait "$server_pid" 2> /dev/null || true
  server_pid=""
done

if $quick; then
  out=/tmp/fastrnn-serving-quick
  rm -rf "$out"
fi
mkdir -p "$out"
cp "$results" "$out/loadtest.jsonl"
bench serving-report "$out"
if $quick; then cat "$out/loadtest.md"; fi
