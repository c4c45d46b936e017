#!/usr/bin/env bash
# tests/fuzz/run.sh <target> <seconds>: build a libFuzzer target with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ and run it for <seconds> from its
# committed seed corpus tests/fuzz/corpus/<name>/ (a target "x_fuzzer" uses corpus/x/).
# New inputs go to build-fuzz/corpus/<name>/, never into the committed corpus; a crash leaves
# its input in build-fuzz/ and makes this script fail.
# tests/fuzz/run.sh --build-only <target>...: only configure build-fuzz/ and build the targets.
# tests/fuzz/run.sh --no-build <target> <seconds>: only run an already built target (`make fuzz`
# builds every target first, then runs two at a time, each on a core of its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build-fuzz"

configure_and_build() {
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DALM_FUZZ=ON -DALM_BUILD_TESTS=OFF -DALM_WERROR=OFF >/dev/null
  cmake --build "$build" --target "$@"
}

case "${1:-}" in
  --build-only)
    shift
    configure_and_build "${@:?usage: tests/fuzz/run.sh --build-only <target>...}"
    exit 0
    ;;
  --no-build)
    shift
    build_first=0
    ;;
  *) build_first=1 ;;
esac
target=${1:?usage: tests/fuzz/run.sh [--no-build] <target> <seconds>}
seconds=${2:?usage: tests/fuzz/run.sh [--no-build] <target> <seconds>}
name=${target%_fuzzer}
if [ "$build_first" = 1 ]; then
  configure_and_build "$target"
fi

work="$build/corpus/$name"
mkdir -p "$work"
seeds="$root/tests/fuzz/corpus/$name"
cd "$build"
log="$build/$target.log"
status=0
"$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  echo "$target FAILED (exit $status); full log: $log" >&2
  exit "$status"
fi
grep -E '^(Done|stat::)' "$log" || tail -n 5 "$log"
echo "$target: no crash in ${seconds}s"
