#!/bin/sh
# Benchmark: how good are ecosweep's forecasts?  For each of several specs,
# in one run: `ecosweep estimate SPEC` (a pilot trial: there is no history),
# then `ecosweep run SPEC` for real, then the forecast against what the
# sweep did:
#
#   - energy: the estimate's campaign (expected: trials x the mean per trial;
#     and its low-high range) over
#     the joules the sweep's trials used (`ecosweep report --format json`);
#   - hours: the estimate's wall-clock hours over the sweep's own (from its
#     start to its end), which parallel trials sharing the cores stretch;
#   - trials under a budget: the estimate's trials that fit the spec's
#     budget (at the median) over the trials the sweep ran before its budget
#     stopped it, and the sweep's budget overshoot over its budget.
#
# The specs: configs/examples/curves.py (CPU-bound epochs, 27 of them) with
# 1, 2 and 4 trials in parallel on this machine's cores, with hyperband and
# with the median rule, and under an energy budget of about ten trials;
# configs/examples/branin.py (a trial is mostly Python starting up).
# Early termination's saved energy is checked against ground truth by
# run_prune_bench.sh (the same configurations run to the end).
#
# Usage: tests/bench/run_estimate_bench.sh [--quick] [--out DIR] [--keep] [BUILD_DIR]
#   --quick    8 trials a spec instead of 16 (about 2 minutes; default about 5)
#   --out DIR  where estimate.md and estimate.json go (default tests/bench/results;
#              --quick writes estimate_quick.*)
#   --keep     keep the work directory
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

command="sh tests/bench/run_estimate_bench.sh${*:+ $*}"
mode=full
keep=0
outdir=$here/results
build=$root/build
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --out) outdir=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_estimate_bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
trials=16
name=estimate
if [ "$mode" = quick ]; then trials=8; name=estimate_quick; fi
mkdir -p "$outdir"
tmp=$(mktemp -d)
if [ "$keep" = 1 ]; then
    echo "run_estimate_bench.sh: keeping the work directory $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cores=$(nproc)

# spec NAME PARALLEL EXTRA-LINE... -> $tmp/NAME.yaml
spec() {
    n=$1 par=$2
    shift 2
    {
        echo "name: $n"
        echo "project: bench"
        echo "method: random"
        echo "seed: 11"
        echo "metric: {name: val_loss, goal: minimize}"
        # shellcheck disable=SC2016 # ecosweep's macros, not the shell's
        echo 'command: ["/usr/bin/python3", "${program}", "${args}"]'
        echo "parallel: $par"
        echo "run_cap: $trials"
        echo "energy: {pue: 1.58}"
        echo "program: $root/configs/examples/curves.py"
        echo "parameters:"
        echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}"
        echo "  width: {distribution: q_log_uniform_values, min: 16, max: 512, q: 1}"
        echo "  dropout: {distribution: uniform, min: 0.0, max: 0.5}"
        echo "  epochs: {value: 27}"
        for line in "$@"; do echo "$line"; done
    } >"$tmp/$n.yaml"
}
spec curves-p1 1
spec curves-p2 2
spec curves-p4 4
spec curves-hyperband 2 "early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}"
spec curves-median 2 "early_terminate: {type: median, min_steps: 3, startup_trials: 5}"
sed -e "s|^program: .*|program: $root/configs/examples/branin.py|" \
    -e 's|^metric: .*|metric: {name: loss, goal: minimize}|' \
    -e '/^  lr:/,$d' -e 's/^name: .*/name: branin-p2/' "$tmp/curves-p2.yaml" >"$tmp/branin-p2.yaml"
printf '%s\n' "  x1: {distribution: uniform, min: -5.0, max: 10.0}" \
    "  x2: {distribution: uniform, min: 0.0, max: 15.0}" >>"$tmp/branin-p2.yaml"

# One sweep: estimate (a pilot, into its own empty database), run, report.
sweep() { # sweep NAME
    db=$tmp/$1.db
    "$build/ecosweep" estimate "$tmp/$1.yaml" --db "$db" --pilot --format json \
        >"$tmp/$1.estimate.json" 2>"$tmp/$1.estimate.err"
    t0=$(date +%s.%N)
    "$build/ecosweep" run "$tmp/$1.yaml" --db "$db" --no-status --no-reuse \
        >"$tmp/$1.out" 2>&1 || true
    t1=$(date +%s.%N)
    "$build/ecosweep" report --db "$db" --format json >"$tmp/$1.report.json"
    echo "$1 $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')" >>"$tmp/times"
    echo "  $1: $(grep -m1 'trials:' "$tmp/$1.out" | sed 's/^ *//')" >&2
}

: >"$tmp/times"
echo "run_estimate_bench.sh: $mode mode, $trials trials a spec, $cores cores; ecosweep in $build" >&2
for n in curves-p1 curves-p2 curves-p4 curves-hyperband curves-median branin-p2; do
    "$build/ecosweep" validate "$tmp/$n.yaml" >/dev/null
    sweep "$n"
done
# Under a budget of about ten trials (from curves-p2's pilot), with room
# for more trials than fit.
per_j=$("$PY" -c "import json; print(json.load(open('$tmp/curves-p2.estimate.json'))['per_trial']['joules']['median'])")
kwh=$("$PY" -c "print('%.6g' % ($per_j * 10 * 1.58 / 3.6e6))")
sed -e 's/^name: .*/name: curves-budget/' -e "s/^run_cap: .*/run_cap: $((trials * 3))/" \
    "$tmp/curves-p2.yaml" >"$tmp/curves-budget.yaml"
echo "budget: {kwh: $kwh}" >>"$tmp/curves-budget.yaml"
sweep curves-budget
end=$(date +%s)

. "$here/bench_env.sh"
bench_describe "$root" "$build"
cat >"$tmp/meta.json" <<EOF
{"command": "$(jesc "$command")", "mode": "$mode", "trials": $trials, "cores": $cores,
 "build": "$(jesc "$build")", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit",
 "machine": "$(jesc "$machine")", "cpu_source": "$(jesc "$cpu_source")",
 "loadavg_start": "$load_start", "total_s": $((end - start)),
 "specs": ["curves-p1", "curves-p2", "curves-p4", "curves-hyperband", "curves-median",
           "branin-p2", "curves-budget"]}
EOF
"$PY" "$here/bench_estimate_report.py" "$tmp" "$outdir/$name.md" "$outdir/$name.json"
cat "$outdir/$name.md"
