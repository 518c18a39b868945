#!/usr/bin/env bash
# Proves a refactoring changed no result: builds the CLI at REV (a temporary worktree) and at the
# working tree, runs `fastrnn eval` on every conformance case (forward, states and, for float32,
# every gradient) on each ISA path (default, 256-bit, 128-bit, scalar; bf16 and int8 on the
# default path) and compares the result files byte for byte.
#   tests/bit-identity.sh REV
# Exit status 0 when every result file is identical; the differing files are listed otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: tests/bit-identity.sh REV}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/before" "$rev"
for side in before after; do
  src=$([[ $side == before ]] && echo "$work/before" || pwd)
  dotnet build "$src/src/FastRnn.Cli" -c Release -o "$work/cli-$side" -v quiet -nologo >/dev/null
done

run() { # side leg env...
  local side=$1 leg=$2; shift 2
  for f in tests/FastRnn.Tests/Conformance/*.safetensors; do
    local name; name=$(basename "$f" .safetensors)
    for w in fp32 bf16 int8; do
      [[ $leg != default && $w != fp32 ]] && continue
      mkdir -p "$work/$side"
      env "$@" dotnet "$work/cli-$side/FastRnn.Cli.dll" eval "$f" --weights "$w" --out "$work/$side/$leg-$name-$w.safetensors" >/dev/null 2>&1 \
        || echo "eval failed: $side $leg $name $w"
    done
  done
}

for side in before after; do
  run "$side" default X=1
  run "$side" v256 DOTNET_EnableAVX512=0
  run "$side" v128 DOTNET_EnableAVX2=0
  run "$side" scalar DOTNET_EnableHWIntrinsic=0
done

differ=0 files=0
for f in "$work"/before/*.safetensors; do
  files=$((files + 1))
  if ! cmp -s "$f" "$work/after/$(basename "$f")"; then
    echo "differs: $(basename "$f")"
    differ=$((differ + 1))
  fi
done
echo "$files result files compared between $rev and the working tree: $differ differ"
[[ $differ -eq 0 && $files -gt 0 ]]
