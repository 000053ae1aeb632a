#!/bin/sh
# Benchmark: several objectives on a real task, measured -- an SVM on
# scikit-learn's digits, validation accuracy against the energy
# ecosweep-worker measures for the trial's training phase and for its
# inference per prediction (phases: configs/examples/digits_phases.py).
# ecosweep bayes and random beside Optuna 3.1's NSGA-II and MOTPE, every
# trial run and metered by the same worker, side by side in one run: the
# median hypervolume at 10/20/30 trials and the energy each method spent to
# reach random search's hypervolume at 30 trials.  Writes
# tests/bench/results/real_mo.md and .json.
#
# Usage: tests/bench/run_real_mo.sh [--seeds N] [--jobs J] [BUILD_DIR]
#   BUILD_DIR holds ecosweep and ecosweep-worker (default build).  About
#   15 minutes for 5 seeds on 2 cores.
# Needs python3-optuna and python3-sklearn (tests/bench/install-deps).
set -eu
seeds=5
jobs=2
trials=30
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_env.sh"
bench_opts "$@"
build=$(cd "$bench_build" && pwd)
[ -x "$build/ecosweep" ] || { echo "run_real_mo.sh: no $build/ecosweep (build first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for task in train infer; do
    s=1
    while [ "$s" -le "$seeds" ]; do
        for m in bayes random; do
            echo "/usr/bin/python3 $here/real_mo.py ecosweep $build $m $task $s $trials"
        done
        for m in nsga2 motpe; do
            echo "/usr/bin/python3 $here/real_mo.py optuna $build $m $task $s $trials"
        done
        s=$((s + 1))
    done
done > "$work/cmds"
bench_run_all "$work/cmds" "$jobs" "$work/runs.jsonl"
mkdir -p "$here/results"
cp "$work/runs.jsonl" "$here/results/real_mo_runs.jsonl"
/usr/bin/python3 "$here/real_mo.py" report "$work/runs.jsonl" "$here/results/real_mo"
