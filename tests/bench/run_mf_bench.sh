#!/bin/sh
# Benchmark: model-based multi-fidelity.  Energy to first reach a target on
# learning-curve workloads run as real metered trials, side by side in one
# run, for five arms: random, random + hyperband, bayes, bayes + hyperband
# (ecosweep, `ecosweep run`, a worker and a python3 process per trial), and
# Optuna's TPE + HyperbandPruner (tests/bench/mf_optuna.py: asked and told,
# the same programs as processes killed when pruned, energy charged as CPU
# seconds x the same watts per core).  Two workloads:
#
#   1. synthetic curves (configs/examples/curves.py): power-law learning
#      curves towards an asymptote set by lr, width and dropout, with noise
#      and overfitting, 27 epochs, each epoch's CPU time in proportion to
#      the width (heterogeneous cost per epoch); 30 trials; ecosweep's
#      hyperband {max_iter: 27, s: 2, eta: 3} (brackets 3, 9).
#   2. scikit-learn's digits (configs/examples/digits_epochs.py): an MLP
#      trained by partial_fit epochs, validation log loss per epoch, 18
#      epochs; 16 trials; hyperband {max_iter: 18, s: 2, eta: 3} (2, 6).
#
# Every sweep runs `parallel: 2` (Optuna: n_jobs 2).  Two targets per
# workload, quantiles of the final val_loss of all the random arm's trials
# (every one runs to the end: a sample of random configurations): easy, the
# level a random sweep of n trials reaches 4 times in 5 (q = 1 - 0.2^(1/n)),
# and hard, the level it reaches 1 time in 5 (q = 1 - 0.8^(1/n)).  A sweep's
# energy to a target: the energy of its trials that had ended when the first
# trial with a final value (it ran every epoch) at or below the target
# ended, that one included; a sweep that never reaches it is censored
# (infinite in the median).  Also the best final val_loss, the sweep's whole
# energy and the trials pruned.  Targets (issue 17): bayes + hyperband at
# most half the energy of random + hyperband and no more than Optuna's TPE +
# Hyperband, with the same best final metric within noise.
#
# Usage: tests/bench/run_mf_bench.sh [--quick] [--seeds N] [--baseline BUILD]
#            [--out DIR] [--keep] [BUILD_DIR]
#   --quick   2 seeds, synthetic only, 16 trials (about 1 minute); default 10
#             seeds, both workloads (about 20 minutes on 2 cores)
#   --baseline BUILD  add an arm, bayes + hyperband run by the ecosweep built
#             in BUILD (another commit: what a change did, side by side)
#   --out DIR where to write mf.md and mf.json (default tests/bench/results;
#             --quick writes mf_quick.*)
#   --keep    keep the work directory (specs, databases, trial logs)
# Needs python3-optuna and, for the digits workload, python3-sklearn.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

command="sh tests/bench/run_mf_bench.sh${*:+ $*}"
mode=full
seeds=
keep=0
baseline=
outdir=$here/results
build=$root/build
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --seeds) seeds=$2; shift ;;
    --out) outdir=$2; shift ;;
    --baseline) baseline=$(cd "$2" && pwd); shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_mf_bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then
    seeds=${seeds:-2}
    workloads="synthetic"
    strials=16
    name=mf_quick
else
    seeds=${seeds:-10}
    workloads="synthetic digits"
    strials=30
    name=mf
fi
dtrials=16
case "$seeds" in
'' | *[!0-9]*) echo "run_mf_bench.sh: --seeds takes an integer, got '$seeds'" >&2; exit 2 ;;
esac
arms="random random-hyperband bayes bayes-hyperband optuna-tpe-hyperband"
if [ -n "$baseline" ]; then
    [ -x "$baseline/ecosweep" ] || { echo "run_mf_bench.sh: $baseline/ecosweep not found" >&2; exit 2; }
    arms="$arms baseline-bayes-hyperband"
    base_commit=$(git -C "$baseline/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
build=$(cd "$build" && pwd)
for b in ecosweep ecosweep-worker; do
    [ -x "$build/$b" ] || { echo "run_mf_bench.sh: $build/$b not found: build ecosweep first" >&2; exit 2; }
done
"$PY" -c 'import optuna' 2>/dev/null ||
    { echo "run_mf_bench.sh: $PY cannot import optuna (python3-optuna)" >&2; exit 2; }
if [ "$mode" = full ] && ! "$PY" -c 'import sklearn' 2>/dev/null; then
    echo "run_mf_bench.sh: $PY cannot import sklearn (python3-sklearn): the digits workload is skipped" >&2
    workloads=synthetic
fi
mkdir -p "$outdir"
. "$here/bench_env.sh"
bench_workdir "$keep"
bench_describe "$root" "$build"
bench_watts "$build"

program() { if [ "$1" = synthetic ]; then echo "$root/configs/examples/curves.py"; else echo "$root/configs/examples/digits_epochs.py"; fi; }
epochs() { if [ "$1" = synthetic ]; then echo 27; else echo 18; fi; }
trials() { if [ "$1" = synthetic ]; then echo "$strials"; else echo "$dtrials"; fi; }

spec() { # spec WORKLOAD ARM -> $tmp/specs/WORKLOAD-ARM.yaml
    {
        echo "name: bench-$1-$2"
        echo "project: bench-mf"
        case "$2" in random*) echo "method: random" ;; *) echo "method: bayes" ;; esac
        echo "metric: {name: val_loss, goal: minimize}"
        # shellcheck disable=SC2016 # ecosweep's macros, not the shell's
        echo 'command: ["/usr/bin/python3", "${program}", "${args}"]'
        echo "program: $(program "$1")"
        echo "parallel: 2"
        echo "trial_timeout: 5m"
        echo "warm_start: none"
        echo "run_cap: $(trials "$1")"
        case "$2" in *-hyperband) echo "early_terminate: {type: hyperband, max_iter: $(epochs "$1"), s: 2, eta: 3}" ;; esac
        echo "env: {set: {OMP_NUM_THREADS: 1, OPENBLAS_NUM_THREADS: 1}}"
        echo "parameters:"
        if [ "$1" = synthetic ]; then
            echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}"
            echo "  width: {distribution: q_log_uniform_values, min: 16, max: 512, q: 1}"
            echo "  dropout: {distribution: uniform, min: 0.0, max: 0.5}"
        else
            echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}"
            echo "  hidden: {distribution: q_log_uniform_values, min: 16, max: 256, q: 1}"
            echo "  alpha: {distribution: log_uniform_values, min: 0.00001, max: 0.1}"
        fi
        echo "  epochs: {value: $(epochs "$1")}"
    } >"$tmp/specs/$1-$2.yaml"
}

runs=0
for w in $workloads; do
    for arm in $arms; do
        [ "$arm" = optuna-tpe-hyperband ] && continue
        spec "$w" "$arm"
        "$build/ecosweep" validate "$tmp/specs/$w-$arm.yaml" >/dev/null
    done
    runs=$((runs + seeds * $(echo "$arms" | wc -w)))
done
echo "run_mf_bench.sh: $mode mode, $runs sweeps ($workloads; $seeds seeds; synthetic $strials trials, digits $dtrials); ecosweep in $build" >&2

# ---- the sweeps: for each seed, every arm, one after the other --------------------
: >"$tmp/times"
for w in $workloads; do
    s=0
    while [ "$s" -lt "$seeds" ]; do
        for arm in $arms; do
            tag=$w-$arm-$s
            t0=$(date +%s.%N)
            rc=0
            if [ "$arm" = optuna-tpe-hyperband ]; then
                "$PY" "$here/mf_optuna.py" "$w" "$s" "$(trials "$w")" "$tmp/runs/$tag.optuna.json" \
                    --program "$(program "$w")" --epochs "$(epochs "$w")" --watts "$watts" \
                    >"$tmp/runs/$tag.out" 2>&1 || rc=$?
            else
                eco=$build/ecosweep
                [ "$arm" = baseline-bayes-hyperband ] && eco=$baseline/ecosweep
                "$eco" run "$tmp/specs/$w-$arm.yaml" --db "$tmp/runs/$tag.db" --seed "$s" \
                    --name "$tag" --no-status --no-reuse >"$tmp/runs/$tag.out" 2>&1 || rc=$?
                [ "$rc" -eq 0 ] &&
                    "$eco" report --db "$tmp/runs/$tag.db" --format json >"$tmp/runs/$tag.json"
            fi
            t1=$(date +%s.%N)
            [ "$rc" -eq 0 ] || { echo "exited $rc:"; tail -3 "$tmp/runs/$tag.out"; } >"$tmp/runs/$tag.err"
            echo "$w $arm $s $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')" >>"$tmp/times"
            echo "  $tag: rc $rc, $(echo "$t0 $t1" | awk '{printf "%.1f s", $2 - $1}')" >&2
        done
        s=$((s + 1))
    done
done
end=$(date +%s)

cat >"$tmp/meta.json" <<EOF2
{"command": "$(jesc "$command")", "mode": "$mode", "seeds": $seeds, "workloads": "$workloads",
 "synthetic_trials": $strials, "digits_trials": $dtrials, "arms": "$arms",
 "build": "$(jesc "$build")", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit",
 "baseline": "$(jesc "${baseline:+$baseline (commit ${base_commit:-?})}")",
 "machine": "$(jesc "$machine")", "cpu_source": "$(jesc "$cpu_source")", "watts_per_core": $watts,
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "optuna": "$("$PY" -c 'import optuna; print(optuna.__version__)')",
 "loadavg_start": "$load_start", "total_s": $((end - start))}
EOF2
for f in "$tmp/specs"/*.yaml; do echo "--- $(basename "$f")"; cat "$f"; done >"$tmp/specs.txt"
"$PY" "$here/bench_mf_report.py" "$tmp" "$outdir/$name.md" "$outdir/$name.json"
cat "$outdir/$name.md"
