#!/bin/sh
# Benchmark: early termination.  The same random sweeps (same seeds, so the
# same configurations in the same order) run with and without
# `early_terminate`, in one run, as real metered trials (ecosweep run, a
# worker, a python3 process per trial), on two learning-curve workloads:
#
#   1. synthetic curves (configs/examples/curves.py): power-law learning
#      curves towards an asymptote set by lr, width and dropout, with noise
#      and overfitting, 27 epochs, each epoch burning real CPU time in
#      proportion to the width.  Arms: none; hyperband {max_iter: 27, s: 2}
#      (W&B; brackets 3 and 9); asha {min_iter: 3, eta: 3, max_iter: 27}
#      (rungs 3 and 9); median {min_steps: 3, startup_trials: 5}.
#   2. scikit-learn's digits (configs/examples/digits_epochs.py): an MLP
#      trained by epochs with partial_fit, validation log loss per epoch, 18
#      epochs.  Arms: none; hyperband {max_iter: 18, s: 2} (brackets 2, 6);
#      median {min_steps: 2, startup_trials: 4}.
#
# For every sweep: the energy all its trials used (joules at the devices,
# from `ecosweep report --format json`), the best final metric (the best
# completed trial's last val_loss), the trials pruned, the report's estimate
# of the energy saved; then, per workload and arm, medians over seeds and the
# ratios to the same seed's sweep without early termination.  Target:
# at least 40% less energy at the same best metric (within noise) on the
# synthetic curves.
#
# Usage: tests/bench/run_prune_bench.sh [--quick] [--seeds N] [--digits-seeds N]
#            [--out DIR] [--keep] [BUILD_DIR]
#   --quick    synthetic: 3 seeds x 16 trials, none and hyperband; digits: 1
#              seed x 8 trials, none and hyperband (about 1 minute); default:
#              synthetic 8 seeds x 30 trials, digits 3 seeds x 16 trials, all
#              arms (about 8 minutes on 2 cores)
#   --out DIR  where to write prune.md and prune.json (default
#              tests/bench/results; --quick writes prune_quick.*)
#   --keep     keep the work directory (specs, databases, trial logs)
# Sweeps run one after the other, each with `parallel: 2` (2 cores here).
# Needs python3 and, for the digits workload, python3-sklearn.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

command="sh tests/bench/run_prune_bench.sh${*:+ $*}"
mode=full
seeds=
dseeds=
keep=0
outdir=$here/results
build=$root/build
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --seeds) seeds=$2; shift ;;
    --digits-seeds) dseeds=$2; shift ;;
    --out) outdir=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_prune_bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then
    seeds=${seeds:-3}
    dseeds=${dseeds:-1}
    strials=16
    dtrials=8
    sarms="none hyperband"
    darms="none hyperband"
    name=prune_quick
else
    seeds=${seeds:-8}
    dseeds=${dseeds:-3}
    strials=30
    dtrials=16
    sarms="none hyperband asha median"
    darms="none hyperband median"
    name=prune
fi
for n in "$seeds" "$dseeds"; do
    case "$n" in
    '' | *[!0-9]*) echo "run_prune_bench.sh: --seeds and --digits-seeds take an integer, got '$n'" >&2; exit 2 ;;
    esac
done
build=$(cd "$build" && pwd)
for b in ecosweep ecosweep-worker; do
    [ -x "$build/$b" ] || { echo "run_prune_bench.sh: $build/$b not found: build ecosweep first" >&2; exit 2; }
done
if [ "$dseeds" -gt 0 ] && ! "$PY" -c 'import sklearn' 2>/dev/null; then
    echo "run_prune_bench.sh: $PY cannot import sklearn (python3-sklearn): the digits workload is skipped" >&2
    dseeds=0
fi
mkdir -p "$outdir"
. "$here/bench_env.sh"
bench_workdir "$keep"

# ---- specs --------------------------------------------------------------------
et() { # the early_terminate line of an arm on a workload
    case "$1:$2" in
    synthetic:hyperband) echo "early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}" ;;
    synthetic:asha) echo "early_terminate: {type: asha, min_iter: 3, eta: 3, max_iter: 27}" ;;
    synthetic:median) echo "early_terminate: {type: median, min_steps: 3, startup_trials: 5}" ;;
    digits:hyperband) echo "early_terminate: {type: hyperband, max_iter: 18, s: 2, eta: 3}" ;;
    digits:median) echo "early_terminate: {type: median, min_steps: 2, startup_trials: 4}" ;;
    esac
}
spec() { # spec WORKLOAD ARM -> $tmp/specs/WORKLOAD-ARM.yaml
    {
        echo "name: bench-$1-$2"
        echo "project: bench"
        echo "method: random"
        echo "metric: {name: val_loss, goal: minimize}"
        # shellcheck disable=SC2016 # ecosweep's macros, not the shell's
        echo 'command: ["/usr/bin/python3", "${program}", "${args}"]'
        echo "parallel: 2"
        echo "trial_timeout: 5m"
        echo "energy: {pue: 1.58}"
        et "$1" "$2"
        case "$1" in
        synthetic)
            echo "program: $root/configs/examples/curves.py"
            echo "run_cap: $strials"
            echo "parameters:"
            echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}"
            echo "  width: {distribution: q_log_uniform_values, min: 16, max: 512, q: 1}"
            echo "  dropout: {distribution: uniform, min: 0.0, max: 0.5}"
            echo "  epochs: {value: 27}"
            ;;
        digits)
            echo "program: $root/configs/examples/digits_epochs.py"
            echo "run_cap: $dtrials"
            echo "env: {set: {OMP_NUM_THREADS: 1, OPENBLAS_NUM_THREADS: 1}}"
            echo "parameters:"
            echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}"
            echo "  hidden: {distribution: q_log_uniform_values, min: 16, max: 256, q: 1}"
            echo "  alpha: {distribution: log_uniform_values, min: 0.00001, max: 0.1}"
            echo "  epochs: {value: 18}"
            ;;
        esac
    } >"$tmp/specs/$1-$2.yaml"
}

runs=0
for w in synthetic digits; do
    if [ "$w" = synthetic ]; then n=$seeds arms=$sarms; else n=$dseeds arms=$darms; fi
    for arm in $arms; do
        spec "$w" "$arm"
        "$build/ecosweep" validate "$tmp/specs/$w-$arm.yaml" >/dev/null
    done
    runs=$((runs + n * $(echo "$arms" | wc -w)))
done
echo "run_prune_bench.sh: $mode mode, $runs sweeps (synthetic: $seeds seeds x $strials trials; digits: $dseeds seeds x $dtrials trials); ecosweep in $build" >&2

# ---- the sweeps: for each seed, every arm, one after the other --------------------
: >"$tmp/times"
for w in synthetic digits; do
    if [ "$w" = synthetic ]; then n=$seeds arms=$sarms; else n=$dseeds arms=$darms; fi
    s=0
    while [ "$s" -lt "$n" ]; do
        for arm in $arms; do
            tag=$w-$arm-$s
            t0=$(date +%s.%N)
            rc=0
            "$build/ecosweep" run "$tmp/specs/$w-$arm.yaml" --db "$tmp/runs/$tag.db" --seed "$s" \
                --name "$tag" --no-status --no-reuse >"$tmp/runs/$tag.out" 2>&1 || rc=$?
            t1=$(date +%s.%N)
            if [ "$rc" -ne 0 ]; then
                { echo "ecosweep run exited $rc:"; tail -3 "$tmp/runs/$tag.out"; } >"$tmp/runs/$tag.err"
            else
                "$build/ecosweep" report --db "$tmp/runs/$tag.db" --format json >"$tmp/runs/$tag.json"
            fi
            echo "$w $arm $s $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')" >>"$tmp/times"
            echo "  $tag: $(grep -m1 'trials:' "$tmp/runs/$tag.out" | sed 's/^ *//')" >&2
        done
        s=$((s + 1))
    done
done
end=$(date +%s)

# ---- what, where, when ----------------------------------------------------------
bench_describe "$root" "$build"
cat >"$tmp/meta.json" <<EOF
{"command": "$(jesc "$command")", "mode": "$mode", "seeds": $seeds, "digits_seeds": $dseeds,
 "synthetic_trials": $strials, "digits_trials": $dtrials,
 "synthetic_arms": "$sarms", "digits_arms": "$darms",
 "build": "$(jesc "$build")", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit",
 "machine": "$(jesc "$machine")", "cpu_source": "$(jesc "$cpu_source")",
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "loadavg_start": "$load_start", "total_s": $((end - start))}
EOF
for w in synthetic digits; do
    for f in "$tmp/specs/$w"-*.yaml; do
        [ -f "$f" ] && { echo "--- $(basename "$f")"; cat "$f"; }
    done
done >"$tmp/specs.txt"
"$PY" "$here/bench_prune_report.py" "$tmp" "$outdir/$name.md" "$outdir/$name.json"
cat "$outdir/$name.md"
