#!/bin/sh
# Benchmark: constraints.  ecosweep's Bayesian search beside Optuna 3.1's
# TPE and multivariate TPE (each with `constraints_func`, constant liar in
# batches), NSGA-II (two objectives), and random search, in-process on
# classic constrained problems (tests/bench/constrained_suite.c and
# constrained_suite.py), side by side in one run: regret of the best feasible
# trial, or the feasible trials' hypervolume, at 20/40/100 trials over SEEDS
# seeds, parallel 1 and 4.  Writes tests/bench/results/constrained_suite.md
# and .json.
#
# Usage: tests/bench/run_constrained_suite.sh [--seeds N] [--jobs J] [BUILD_DIR]
#   BUILD_DIR holds tests/search/constrained_suite (default build; a
#   RelWithDebInfo build of the normal tree).  About 10 minutes for 10 seeds
#   on 2 cores.  CS_KEEP=FILE keeps every run's trials there.
# Needs python3-optuna and python3-sklearn's SciPy (tests/bench/install-deps
# installs them).
set -eu
seeds=10
jobs=2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_env.sh"
bench_opts "$@"
build=$bench_build
bin=$build/tests/search/constrained_suite
bench_need "$bin"
py=/usr/bin/python3
bench_tmp
for p in gardner branin_disc gramacy hartmann6_simplex spring pressure_vessel srn tnk; do
    s=1
    while [ "$s" -le "$seeds" ]; do
        for q in 1 4; do
            echo "$bin run --problem $p --seed $s --trials 100 --parallel $q --method bayes"
            case $p in
            srn | tnk) [ "$q" -eq 1 ] && echo "$py $here/constrained_suite.py run $p $s 100 nsga2" ;;
            *) echo "$py $here/constrained_suite.py run $p $s 100 tpe $q"
               echo "$py $here/constrained_suite.py run $p $s 100 tpe-mv $q" ;;
            esac
        done
        case $p in
        srn | tnk) echo "$py $here/constrained_suite.py run $p $s 100 tpe 1" ;;
        esac
        echo "$bin run --problem $p --seed $s --trials 100 --method random"
        s=$((s + 1))
    done
done > "$work/cmds"
start=$(date +%s)
bench_run_all "$work/cmds" "$jobs" "$work/runs.jsonl"
# Every run's trials, for a report of one's own: CS_KEEP=FILE.
[ -n "${CS_KEEP:-}" ] && cp "$work/runs.jsonl" "$CS_KEEP"
mkdir -p "$here/results"
$py "$here/constrained_suite.py" report "$work/runs.jsonl" "$here/results/constrained_suite"
bench_describe "$here/../.." "$build"
{
    echo
    echo "Command: \`sh tests/bench/run_constrained_suite.sh --seeds $seeds --jobs $jobs $build\`, commit $commit  "
    echo "Machine: $machine  "
    echo "Time: $(( $(date +%s) - start )) s for $(wc -l < "$work/cmds") runs, $jobs at a time."
} >> "$here/results/constrained_suite.md"
