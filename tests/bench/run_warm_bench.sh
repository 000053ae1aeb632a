#!/bin/sh
# Benchmark: warm start.  A Bayesian sweep that follows an earlier sweep
# (40 trials) of a related objective (the same function, its optimum moved
# and its values rescaled and offset), of an unrelated one, or of a
# misleading one (-f), beside the same sweep started cold; Optuna 3.1's TPE
# side by side, carrying its earlier study over with study.add_trials
# (tests/bench/warm_suite.c and warm_suite.py).  Reports the energy to
# reach the cold sweep's median regret after 10, 20 and 40 trials, median
# over SEEDS seeds, on the 25 closed-form problems of the search-quality
# suite.  Writes tests/bench/results/warm.md and .json.
#
# Usage: tests/bench/run_warm_bench.sh [--seeds N] [--jobs J] [BUILD_DIR]
#   BUILD_DIR holds tests/search/warm_suite (default build; a RelWithDebInfo
#   build of the normal tree).  About 20 minutes for 10 seeds on 2 cores.
# Needs python3-optuna (tests/bench/install-deps installs it).
set -eu
seeds=10
jobs=2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_env.sh"
bench_suite warm_suite "$@"
bin=$(cd "$(dirname "$bin")" && pwd)/warm_suite
bench_describe "$here/../.." "$build"
start=$(date +%s)
for p in branin camel hartmann3 hartmann6 levy2 levy4 rastrigin3 ackley5 griewank4 michalewicz5 \
    rosenbrock4 styblinski_tang4 goldstein_price schwefel2 mixed3 mixed5 hartmann6_noisy \
    rosenbrock4_corner shekel10 powell4 dixon_price4 zakharov5 bukin6 eggholder cat8; do
    s=0
    while [ "$s" -lt "$seeds" ]; do
        for m in cold related unrelated misleading; do
            echo "$bin run --problem $p --mode $m --seed $s"
            echo "WARM_SUITE=$bin /usr/bin/python3 $here/warm_suite.py run $p $s $m"
        done
        s=$((s + 1))
    done
done > "$work/cmds"
bench_run_all "$work/cmds" "$jobs" "$work/runs.jsonl"
mkdir -p "$here/results"
python3 "$here/warm_suite.py" report "$work/runs.jsonl" "$here/results/warm"
{
    echo
    echo "Command: \`sh tests/bench/run_warm_bench.sh --seeds $seeds --jobs $jobs $build\`, commit $commit  "
    echo "Machine: $machine  "
    echo "Time: $(( $(date +%s) - start )) s for $(wc -l < "$work/cmds") runs, $jobs at a time."
} >> "$here/results/warm.md"
