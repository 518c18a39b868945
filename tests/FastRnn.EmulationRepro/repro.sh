#!/usr/bin/env bash
# Reproduces, on demand, the crashes FastRnn showed under qemu-user (issue: ARM64 crash on the
# scalar path), and shows whose they are, by running the same binaries under two qemu versions:
#   1. the FastRnn CLI published for linux-arm64, `selftest --expect-path Scalar` with
#      DOTNET_EnableHWIntrinsic=0 and the runtime's default settings (tiered compilation on);
#   2. this folder's FastRnn-free program (x64) under qemu-x86_64;
#   3. the same program natively, as the control.
# usage: tests/FastRnn.EmulationRepro/repro.sh [RUNS]   (default 10 runs of each; ~10 s a CLI run)
# Needs root (apt-get, for the two qemu versions; see qemu.sh). Findings: README.md beside this file.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
here=tests/FastRnn.EmulationRepro
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Debian's arm64 runtime libraries (multiarch), as .ci/run installs them.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then dpkg --add-architecture arm64; fi
if ! dpkg-query -W -f='${Status}' libstdc++6:arm64 2>/dev/null | grep -q 'install ok installed'; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 > /dev/null
fi
old=$("$here/qemu.sh" bookworm)
new=$("$here/qemu.sh" bookworm-backports)

echo "publishing the CLI (linux-arm64) and the FastRnn-free program (linux-x64), self-contained"
dotnet publish src/FastRnn.Cli -c Release -r linux-arm64 --self-contained -p:InvariantGlobalization=true -o "$out/cli" > "$out/publish.txt" 2>&1 \
  || { cat "$out/publish.txt"; exit 1; }
dotnet publish "$here" -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -o "$out/plain" > "$out/publish.txt" 2>&1 \
  || { cat "$out/publish.txt"; exit 1; }

# Runs "$@" $runs times; prints failures/runs and the first failure's telling line.
tally() {
  local label=$1 failed=0 first="" i
  shift
  for i in $(seq "$runs"); do
    if ! "$@" > "$out/run.txt" 2>&1; then
      failed=$((failed + 1))
      [ -n "$first" ] || first=$(grep -m1 -E 'Exception|signal|Segmentation|Abort' "$out/run.txt" || tail -1 "$out/run.txt")
    fi
  done
  printf '%-62s %3d of %3d failed  %s\n' "$label" "$failed" "$runs" "${first:0:110}"
}

echo
echo "$("$old/qemu-aarch64" --version | head -1)  vs  $("$new/qemu-aarch64" --version | head -1)"
for q in "$old" "$new"; do
  v=$("$q/qemu-aarch64" --version | head -1 | grep -Eo 'version [0-9.]+')
  tally "arm64 CLI selftest, scalar, default tiering, qemu $v" \
    env DOTNET_EnableHWIntrinsic=0 "$q/qemu-aarch64" "$out/cli/FastRnn.Cli" selftest --expect-path Scalar
  tally "x64 FastRnn-free program, qemu $v" "$q/qemu-x86_64" "$out/plain/FastRnn.EmulationRepro" 10
done
tally "x64 FastRnn-free program, native" "$out/plain/FastRnn.EmulationRepro" 10
