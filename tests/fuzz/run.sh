#!/bin/sh
# Run every libFuzzer harness of a build for a bounded time.
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
#
# BUILD_DIR was configured with -DCMAKE_C_COMPILER=clang -DES_FUZZ=ON and its
# `fuzzers` target built.  Each harness (default: all) starts from a temporary
# copy of tests/fuzz/corpus/NAME plus tests/fuzz/regressions/NAME, so the
# inputs it finds never land in the source tree, and runs for SECONDS.  A
# crash, leak, timeout or out-of-memory makes libFuzzer stop and write the
# input under BUILD_DIR/fuzz-artifacts/; this script then prints its path and
# the command that replays it, and exits 1 once every harness has run.
# Turn a reproducer into a regression test by copying it into
# tests/fuzz/regressions/NAME/ (fuzz.NAME.replay runs it in every build).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [HARNESS...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- spec metric result

artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecosweep-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The longest input each harness is given: a few spec files' worth of YAML,
# a long stdout line, a worker stream of a few dozen lines.
max_len() {
    case $1 in
    spec) echo 16384 ;;
    metric) echo 4096 ;;
    *) echo 8192 ;;
    esac
}

failed=""
for h in "$@"; do
    bin="$build/tests/fuzz/fuzz_$h"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin not built (configure with -DCMAKE_C_COMPILER=clang -DES_FUZZ=ON," \
            "then build the 'fuzzers' target)" >&2
        exit 2
    fi
    mkdir -p "$work/$h"
    cp -R "$src/corpus/$h/." "$work/$h/"
    find "$src/regressions/$h" -type f ! -name 'README*' -exec cp {} "$work/$h/" \;
    rm -f "$artifacts/$h"-*
    echo "fuzz: $h for ${seconds}s (corpus: $(ls "$work/$h" | wc -l) seeds)"
    log="$work/$h.log"
    # -timeout: one input taking 10 s is a hang; leaks are on by default.
    if ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1" \
        "$bin" -max_total_time="$seconds" -max_len="$(max_len "$h")" -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/$h-" \
        "$work/$h" >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
            sed "s/^/fuzz: $h /"
        grep -E '#[0-9]+.*DONE' "$log" | tail -1 | sed "s/^/fuzz: $h /"
    else
        tail -n 60 "$log" >&2
        for a in "$artifacts/$h"-*; do
            [ -e "$a" ] || continue
            echo "fuzz: $h FAILED; reproducer: $a" >&2
            echo "fuzz:   replay: $bin $a" >&2
            echo "fuzz:   keep it: cp $a $src/regressions/$h/" >&2
        done
        failed="$failed $h"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failures in:$failed" >&2
    exit 1
fi
echo "fuzz: no crash, leak or timeout in $*"
