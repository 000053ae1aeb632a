#!/bin/sh
# Benchmark: what metering costs.  Runs ecosweep-worker around a trial that
# keeps one core busy (sha256sum of /dev/zero for SECONDS), several times per
# sampling interval, and reports the worker's own CPU time as a share of the
# trial's CPU time, and the worker's peak RSS, from the worker's own result
# record (worker_cpu_s, worker_peak_rss_kb: getrusage(RUSAGE_SELF)).
#
# A second table: what relaying the trial's stdout costs (the worker reads
# it through a pipe of its own to see phase markers, worker/relay.c).  A
# trial prints 2,000,000 metric lines (139 MB) with a phase marker every
# 10,000, into a pipe the way the coordinator reads it; the same with
# --no-phases (the trial writes to the pipe itself).  Medians of RUNS of
# the trial's wall time, the worker's CPU time, and the throughput.
#
# Usage: tests/bench/worker_overhead.sh [BUILD_DIR] [SECONDS] [RUNS]
# Writes tests/bench/results/worker_overhead.md.  Targets (issue: metering):
# under 0.5% of the trial's CPU time at the default interval, RSS under 4 MB.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
secs=${2:-5}
runs=${3:-5}
worker=$build/ecosweep-worker
out=$here/results/worker_overhead.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { # field NAME < result-line
    tr ' ' '\n' | sed -n "s/^$1=//p"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# A one-socket powercap tree, so the RAPL back end and shared attribution's
# per-sample walk of the trial's processes are exercised on any machine.
mkdir -p "$tmp/powercap/intel-rapl:0"
echo package-0 > "$tmp/powercap/intel-rapl:0/name"
echo 1000000 > "$tmp/powercap/intel-rapl:0/energy_uj"
echo 262143328850 > "$tmp/powercap/intel-rapl:0/max_energy_range_uj"

measure() { # measure SAMPLE_MS [WORKER OPTIONS] -> lines "ratio rss_kb cpu_s worker_cpu_s"
    ms=$1
    shift
    for i in $(seq "$runs"); do
        "$worker" --sample-ms "$ms" "$@" -- timeout "$secs" sha256sum /dev/zero 2>"$tmp/err" >/dev/null || true
        line=$(grep '^ecosweep-result ' "$tmp/err")
        cpu=$(echo "$line" | field cpu_s)
        wcpu=$(echo "$line" | field worker_cpu_s)
        rss=$(echo "$line" | field worker_peak_rss_kb)
        echo "$cpu $wcpu $rss" | awk '{printf "%.6f %d %.3f %.4f\n", 100*$2/$1, $3, $1, $2}'
    done
}

{
    echo "# Worker metering overhead"
    echo
    echo "Command: \`tests/bench/worker_overhead.sh $build $secs $runs\`"
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
    echo "Meters in use: $("$worker" -- true 2>&1 >/dev/null | field cpu_source), $("$worker" -- true 2>&1 >/dev/null | field dram_source)"
    echo "Trial: \`timeout $secs sha256sum /dev/zero\` (one core busy), $runs runs per interval."
    echo "No peer is measured: Optuna does not meter energy, and CodeCarbon is not packaged in Debian."
    echo
    echo "| meters | sample interval | median worker CPU / trial CPU | max | median worker peak RSS | target |"
    echo "|---|---|---|---|---|---|"
    row() { # row LABEL MS [WORKER OPTIONS]
        label=$1
        ms=$2
        shift 2
        measure "$ms" "$@" > "$tmp/m"
        r=$(cut -d' ' -f1 "$tmp/m" | median)
        mx=$(cut -d' ' -f1 "$tmp/m" | sort -g | tail -1)
        rss=$(cut -d' ' -f2 "$tmp/m" | median)
        [ "$ms" = 1000 ] && t="< 0.5%, < 4 MB" || t="-"
        printf '| %s | %s ms | %.4f%% | %.4f%% | %.2f MB | %s |\n' "$label" "$ms" "$r" "$mx" \
            "$(echo "$rss" | awk '{print $1/1024}')" "$t"
    }
    row "this machine's (above)" 1000
    row "this machine's (above)" 100
    ECOSWEEP_POWERCAP_ROOT=$tmp/powercap row "RAPL (fake tree), shared attribution" 1000 --attribution shared
    ECOSWEEP_POWERCAP_ROOT=$tmp/powercap row "RAPL (fake tree), shared attribution" 100 --attribution shared

    # ---- the stdout relay ----
    chatty='BEGIN { for (i = 0; i < 2000000; i++) {
        if (i % 10000 == 0) print "ecosweep-phase " ((i % 20000) ? "infer" : "train")
        print "epoch=1 loss=0.5 step=" i " padding padding padding padding padding" } }'
    relay() { # relay LABEL [WORKER OPTIONS] -> a table row
        label=$1
        shift
        for i in $(seq "$runs"); do
            "$worker" "$@" -- awk "$chatty" 2>"$tmp/err" | wc -c > "$tmp/bytes"
            line=$(grep '^ecosweep-result ' "$tmp/err")
            echo "$(cat "$tmp/bytes") $(echo "$line" | field wall_s) $(echo "$line" | field worker_cpu_s)"
        done > "$tmp/r"
        mb=$(cut -d' ' -f1 "$tmp/r" | median | awk '{print $1 / 1e6}')
        wall=$(cut -d' ' -f2 "$tmp/r" | median)
        wcpu=$(cut -d' ' -f3 "$tmp/r" | median)
        printf '| %s | %.0f MB | %.3f s | %.0f MB/s | %.3f s | %.2f ms |\n' "$label" "$mb" "$wall" \
            "$(echo "$mb $wall" | awk '{print $1 / $2}')" "$wcpu" \
            "$(echo "$wcpu $mb" | awk '{print 1000 * $1 / $2}')"
    }
    echo
    echo "## The stdout relay"
    echo
    echo "Trial: awk printing 2,000,000 lines ('epoch=1 loss=0.5 step=N padding ...') with a phase"
    echo "marker every 10,000, into a pipe; $runs runs each, medians."
    echo
    echo "| stdout | output | trial wall | throughput | worker CPU | worker CPU per MB |"
    echo "|---|---|---|---|---|---|"
    relay "relayed by the worker (phases on, the default)"
    relay "written by the trial itself (--no-phases)" --no-phases
} > "$out"
cat "$out"
