#!/usr/bin/env bash
# usage: run.sh REPO STREAMS [weights] [extra loadtest args...]
set -u
repo=$1; n=$2; w=${3:-fp32}; shift 3 || shift $#
cli=$repo/src/FastRnn.Cli/bin/Release/net10.0/FastRnn.Cli
server=$repo/src/FastRnn.Server/bin/Release/net10.0/FastRnn.Server
model=/tmp/lb/model.safetensors
[[ -f $model ]] || (cd $repo && dotnet run -c Release --project benchmarks/FastRnn.Benchmarks -- serving-model $model >/dev/null)
port=5091
env ${SENV:-} $server --model $model --rnn-prefix rnn. --head-prefix head. --head-activation softmax --weights $w --urls http://127.0.0.1:$port --max-streams 1024 --max-batch 256 --max-queue-delay-us 200 > /tmp/lb/server.log 2>&1 &
sp=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.5; done
$cli loadtest --url http://127.0.0.1:$port --streams 100 --frames 300 --warmup-frames 100 --interval-ms 10 --timeout-s 60 > /dev/null 2>&1
cpu() { awk '{print $14+$15, $14, $15}' /proc/$1/stat; }
env ${LENV:-} $cli loadtest --url http://127.0.0.1:$port --streams $n --frames ${FRAMES:-1200} --warmup-frames 200 --interval-ms 10 --timeout-s 60 "$@" > /tmp/lb/lt.out 2>/tmp/lb/lt.err &
lp=$!
sleep 5
p0=$(awk '/lo:/{print $3}' /proc/net/dev); read s0 su0 ss0 < <(cpu $sp); read l0 lu0 ls0 < <(cpu $lp); t0=$(date +%s.%N)
sleep 5
p1=$(awk '/lo:/{print $3}' /proc/net/dev); read s1 su1 ss1 < <(cpu $sp); read l1 lu1 ls1 < <(cpu $lp); t1=$(date +%s.%N)
wait $lp
kill $sp; wait $sp 2>/dev/null
dt=$(echo "$t1 - $t0" | bc)
echo "window ${dt}s: server user $(( su1-su0 )) sys $(( ss1-ss0 )) ticks; loadgen user $(( lu1-lu0 )) sys $(( ls1-ls0 )) ticks (100/s); lo packets $(( (p1-p0)/5 ))/s"
tail -1 /tmp/lb/lt.out | grep -o '"streams":[0-9]*\|"answered":[0-9]*\|"lost":[0-9]*\|"skipped":[0-9]*\|"steps_per_s":[0-9.]*\|"p50_ms":[0-9.]*\|"p99_ms":[0-9.]*\|"mean_batch":[0-9.]*' | tr '\n' ' '; echo
