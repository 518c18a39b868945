#!/usr/bin/env bash
# The consumer test: FastRnn as a user gets it (tests/README.md, "The consumer test").
#  1. packs every packable project of src/ into a temporary folder;
#  2. outside the repository, makes a fresh console project (`dotnet new console`) that references
#     FastRnn and FastRnn.Onnx by version from that folder only (package source mapping, and an
#     empty NuGet cache so no FastRnn restored earlier can be used), with every ```csharp block of
#     README.md and src/*/PACKAGE.md as a method (tests/consumer/extract.awk) and the runner
#     (tests/consumer/Harness.cs), and runs them under the JIT;
#  3. publishes the same project with Native AOT and runs the binary the same way;
#  4. installs the fastrnn tool from the folder into a temporary tool path and runs
#     `fastrnn selftest` and `fastrnn eval CASE --check`.
# Usage: tests/consumer/run.sh [CASES_DIR]  (default ../shared/conformance, else the test project's copies)
# Needs the .NET SDK, and clang and zlib1g-dev for the AOT step. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cases=${1:-../shared/conformance}
[ -d "$cases" ] || cases=tests/FastRnn.Tests/Conformance
cases=$(cd "$cases" && pwd)
ls "$cases"/modules/*.case.safetensors > /dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkgs=$tmp/packages
consumer=$tmp/consumer
started=$SECONDS
step_started=$SECONDS
step_times=()
# Records how long the step that just finished took (printed at the end).
step_done() {
  step_times+=("$(printf '  %-40s %4d s' "$1" $((SECONDS - step_started)))")
  step_started=$SECONDS
}

echo "== consumer: pack every package into $pkgs"
packed=()
for project in src/*/*.csproj; do
  [ "$(dotnet msbuild "$project" -getProperty:IsPackable)" = true ] || continue
  dotnet pack "$project" -c Release -o "$pkgs" > "$tmp/pack.txt" 2>&1 || { cat "$tmp/pack.txt"; echo "dotnet pack $project failed"; exit 1; }
  packed+=("$(basename "$project" .csproj)")
done
version=$(dotnet msbuild src/FastRnn/FastRnn.csproj -getProperty:PackageVersion)
ls "$pkgs"
for id in FastRnn FastRnn.Onnx FastRnn.Cli; do
  [ -f "$pkgs/$id.$version.nupkg" ] || { echo "no $id.$version.nupkg in the packed folder"; exit 1; }
done
echo "packed ${packed[*]}, version $version"
step_done "pack (${#packed[@]} projects)"

# FastRnn.Serving is not packed yet (CHANGELOG): the README's serving block is compiled and run
# against the assembly built from the repository, referenced as a file, the rest from packages.
serving_dll=$repo/src/FastRnn.Serving/bin/Release/net10.0/FastRnn.Serving.dll
serving_packed=false
[ -f "$pkgs/FastRnn.Serving.$version.nupkg" ] && serving_packed=true
if [ "$serving_packed" = false ]; then
  dotnet build src/FastRnn.Serving -c Release > "$tmp/build-serving.txt" 2>&1 || { cat "$tmp/build-serving.txt"; exit 1; }
fi

echo "== consumer: a fresh console project outside the repository, packages from the folder only"
mkdir -p "$consumer"
# Its own NuGet cache: a FastRnn restored before (in ~/.nuget/packages) cannot be used. Packages
# other than FastRnn's come from that cache read as a local feed when it exists (no download),
# else from nuget.org; FastRnn* only from the packed folder (package source mapping).
export NUGET_PACKAGES=$tmp/nuget-cache
machine_cache=${HOME:-/root}/.nuget/packages
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"fastrnn-packed\" value=\"$pkgs\" />"
  [ -d "$machine_cache" ] && echo "    <add key=\"machine-cache\" value=\"$machine_cache\" />"
  echo '    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />'
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="fastrnn-packed"><package pattern="FastRnn" /><package pattern="FastRnn.*" /></packageSource>'
  [ -d "$machine_cache" ] && echo '    <packageSource key="machine-cache"><package pattern="*" /></packageSource>'
  echo '    <packageSource key="nuget.org"><package pattern="*" /></packageSource>'
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$consumer/nuget.config"
(
  cd "$consumer"
  dotnet new console -n Consumer -o . --force > "$tmp/new.txt" || { cat "$tmp/new.txt"; exit 1; }
  rm -f Program.cs
  dotnet add package FastRnn --version "$version" > "$tmp/add.txt" || { cat "$tmp/add.txt"; exit 1; }
  dotnet add package FastRnn.Onnx --version "$version" > "$tmp/add.txt" || { cat "$tmp/add.txt"; exit 1; }
  if [ "$serving_packed" = true ]; then
    dotnet add package FastRnn.Serving --version "$version" > "$tmp/add.txt" || { cat "$tmp/add.txt"; exit 1; }
  else
    sed -i "s#</Project>#  <ItemGroup>\n    <Reference Include=\"FastRnn.Serving\" HintPath=\"$serving_dll\" />\n  </ItemGroup>\n</Project>#" Consumer.csproj
  fi
)
# The restored FastRnn must be the packed one.
for id in fastrnn fastrnn.onnx; do
  grep -q "\"source\": \"$pkgs" "$NUGET_PACKAGES/$id/$version/.nupkg.metadata" \
    || { cat "$NUGET_PACKAGES/$id/$version/.nupkg.metadata"; echo "$id did not come from the packed folder"; exit 1; }
done
echo "FastRnn and FastRnn.Onnx $version restored from $pkgs"

# The blocks: each ```csharp block of the README and the package readmes becomes a method.
cp tests/consumer/Harness.cs "$consumer/"
: > "$consumer/Blocks.list"
for md in README.md src/*/PACKAGE.md; do
  awk -v src="$md" -v path="$repo/$md" -v out="$consumer" -f tests/consumer/extract.awk "$md"
done
{
  echo '// Generated by tests/consumer/run.sh: every block, in document order.'
  echo 'namespace Consumer;'
  echo ''
  echo 'internal static partial class Blocks'
  echo '{'
  echo '    internal static readonly Block[] All ='
  echo '    ['
  cat "$consumer/Blocks.list"
  echo '    ];'
  echo '}'
} > "$consumer/Blocks.g.cs"
rm "$consumer/Blocks.list"
echo "$(ls "$consumer"/Blocks.*.g.cs | wc -l) blocks from README.md and src/*/PACKAGE.md"
step_done "fresh project + restore"

echo "== consumer: build and run every block (JIT)"
(cd "$consumer" && dotnet build -c Release > "$tmp/build.txt" 2>&1) || { grep -E 'error|warning' "$tmp/build.txt" | sort -u; echo "the README's code does not compile"; exit 1; }
grep -E ' warning ' "$tmp/build.txt" | sort -u || true
step_done "build"
dotnet "$consumer/bin/Release/net10.0/Consumer.dll" "$cases" "$tmp/run-jit"
step_done "run (JIT)"

echo "== consumer: the same project as a Native AOT binary"
# As the README advises an application: x86-64-v3 (Vector256 + FMA) rather than the portable baseline.
status=0
(cd "$consumer" && dotnet publish -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-64-v3 \
  -p:TrimmerSingleWarn=false -o "$tmp/aot" > "$tmp/publish-aot.txt" 2>&1) || status=$?
if [ "$status" -ne 0 ] || grep -Eq 'warning (IL|AOT)[0-9]+' "$tmp/publish-aot.txt"; then
  grep -E 'error|warning' "$tmp/publish-aot.txt" | sort -u; echo "Native AOT publish of the consumer failed or warned"; exit 1
fi
step_done "publish (Native AOT)"
"$tmp/aot/Consumer" "$cases" "$tmp/run-aot"
step_done "run (Native AOT)"

echo "== consumer: the fastrnn tool from the folder"
# The README's command. A tool package holds its dependencies, so the folder is its only source
# (--add-source cannot be combined with the consumer project's source mapping).
mkdir -p "$tmp/tool-install"
printf '<configuration><packageSources><clear /></packageSources></configuration>\n' > "$tmp/tool-install/nuget.config"
(cd "$tmp/tool-install" && dotnet tool install FastRnn.Cli --tool-path "$tmp/tool" --add-source "$pkgs" --version "$version") \
  || { echo "dotnet tool install failed"; exit 1; }
"$tmp/tool/fastrnn" selftest > "$tmp/selftest.txt" || { cat "$tmp/selftest.txt"; echo "fastrnn selftest failed"; exit 1; }
grep -E '^(CPU|ISA path)' "$tmp/selftest.txt" || true
status=0
for f in lstm_peephole_bi_l2_lengths_b3 modules/gru_bf_head_sigmoid; do
  if [ -e "$cases/$f.safetensors" ]; then
    "$tmp/tool/fastrnn" eval "$cases/$f.safetensors" --check > "$tmp/eval.txt" 2>&1 || status=$?
  else
    "$tmp/tool/fastrnn" eval "$cases/$f.case.safetensors" --model "$cases/$f.model.safetensors" --check > "$tmp/eval.txt" 2>&1 || status=$?
  fi
  [ "$status" -eq 0 ] || { cat "$tmp/eval.txt"; echo "fastrnn eval $f --check failed"; exit 1; }
  echo "fastrnn eval $f --check: $(grep -c ' PASS$' "$tmp/eval.txt") tensors within tolerance"
done
step_done "tool install + selftest + eval"

echo "== consumer: step times"
printf '%s\n' "${step_times[@]}"
printf '  %-40s %4d s\n' "total" $((SECONDS - started))
