#!/bin/sh
# Benchmark: several objectives, ecosweep's Bayesian search (expected
# hypervolume improvement of a surrogate per objective, search/ehvi.c)
# beside Optuna 3.1's NSGA-II and MOTPE and
# ecosweep random, in-process on closed-form bi-objective problems
# (ZDT1/2/3, DTLZ2, Branin-Currin; tests/bench/mo_suite.c and mo_suite.py),
# side by side in one run: the median hypervolume at 20/40/100 trials over
# SEEDS seeds, against a fixed reference point per problem (DTLZ2 and DTLZ7
# with three objectives too).  Writes
# tests/bench/results/mo_suite.md and .json.
#
# Usage: tests/bench/run_mo_suite.sh [--seeds N] [--jobs J] [BUILD_DIR]
#   BUILD_DIR holds tests/search/mo_suite (default build; a RelWithDebInfo
#   build of the normal tree).  About 5 minutes for 10 seeds on 2 cores.
# Needs python3-optuna (tests/bench/install-deps installs it).
set -eu
seeds=10
jobs=2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_env.sh"
bench_suite mo_suite "$@"
for p in zdt1 zdt2 zdt3 dtlz2 branin_currin dtlz2_3d dtlz7_3d; do
    s=1
    while [ "$s" -le "$seeds" ]; do
        echo "$bin run --problem $p --seed $s --trials 100 --method bayes"
        echo "$bin run --problem $p --seed $s --trials 100 --parallel 4 --method bayes"
        echo "$bin run --problem $p --seed $s --trials 100 --method random"
        echo "/usr/bin/python3 $here/mo_suite.py run $p $s 100 nsga2"
        echo "/usr/bin/python3 $here/mo_suite.py run $p $s 100 motpe"
        s=$((s + 1))
    done
done > "$work/cmds"
bench_run_all "$work/cmds" "$jobs" "$work/runs.jsonl"
mkdir -p "$here/results"
python3 "$here/mo_suite.py" report "$work/runs.jsonl" "$here/results/mo_suite"
