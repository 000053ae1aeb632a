#!/bin/sh
# Benchmark: search quality, ecosweep's Bayesian search beside Optuna's
# samplers, in-process on closed-form problems (no trial processes), so that
# ten seeds of every problem take minutes.
#
#   Problems: bf_suite() in tests/search/bench_functions.h, the same in
#   tests/bench/search_suite.py: Branin, six-hump camel, Hartmann3/6, Levy
#   2-D/4-D, Rastrigin-3, Ackley-5, Griewank-4, Michalewicz-5, Rosenbrock-4,
#   Styblinski-Tang-4, Goldstein-Price, Schwefel-2, Rosenbrock-4 on
#   [-2, 1]^4 (minimum at a corner), Shekel-10, Powell-4, Dixon-Price-4,
#   Zakharov-5, Bukin-6, Eggholder (minimum on a bound), three mixed spaces
#   (log, integer and categorical parameters; one of six categoricals),
#   Hartmann6 with N(0, 0.1^2) noise,
#   and a real tuning task: scikit-learn's SVC (C, gamma, kernel) on its
#   bundled digits, 3-fold CV error (Debian's python3-sklearn; the C driver
#   asks search_suite.py serve for each value).
#   Methods: ecosweep bayes and random (tests/search/search_suite, built with
#   the normal build); Optuna TPE, multivariate TPE (constant_liar when
#   parallel > 1), random and scrambled-Sobol QMC (search_suite.py).
#   Random, QMC and ecosweep random do not depend on how trials are batched:
#   they run once, at parallel 1, and stand for every parallelism.
#
# Before anything runs, both sides print f at fixed points of every problem
# (and at its known minimizer) and must agree to 1e-9.  Then
# search_suite_report.py writes tests/bench/results/search_suite.md and
# .json (--quick: search_suite_quick.*): median regret at 20/40/100 trials
# per method, ecosweep's ratio to the better TPE (with a bootstrap interval
# where it is close to 1), geometric means, ecosweep's parallel-vs-sequential
# ratios, boundary-proposal shares and suggestion times.
#
# Usage: tests/bench/run_search_suite.sh [--quick] [--seeds N] [--jobs J]
#            [--problems a,b] [--parallel 1,4,16] [--trials N] [--keep]
#            [BUILD_DIR]
#   --quick      3 seeds x 40 trials at parallel 1,4; default: 10 seeds x
#                100 trials at parallel 1,4,16 (about 20 minutes on 2 cores)
#   --jobs J     independent runs at once (default 2); suggestion times are
#                CPU times, which other jobs disturb little
#   --problems   a comma-separated subset (search_suite list names them)
#   --keep       keep the work directory (every run's JSON line)
# Needs python3-optuna (tests/bench/install-deps installs it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

# ---- one job, run by xargs from the job list (see below) --------------------
# c PROBLEM METHOD Q: ecosweep, every seed; py PROBLEM SAMPLER Q: Optuna.
if [ "${1:-}" = "--job" ]; then
    kind=$2 problem=$3 method=$4 q=$5
    tag=$kind-$problem-$method-$q
    out=$SUITE_TMP/runs/$tag.jsonl
    t0=$(date +%s.%N)
    if [ "$kind" = c ]; then
        s=0
        while [ "$s" -lt "$SUITE_SEEDS" ]; do
            "$SUITE_BIN" run --problem "$problem" --method "$method" --seed "$s" \
                --trials "$SUITE_TRIALS" --parallel "$q" >>"$out" 2>>"$SUITE_TMP/runs/$tag.err" ||
                echo "search_suite exited $? on seed $s" >>"$SUITE_TMP/runs/$tag.err"
            s=$((s + 1))
        done
    else
        "$PY" "$here/search_suite.py" run --problem "$problem" --sampler "$method" \
            --seeds "0-$((SUITE_SEEDS - 1))" --trials "$SUITE_TRIALS" --parallel "$q" \
            >"$out" 2>"$SUITE_TMP/runs/$tag.err" ||
            echo "search_suite.py exited $?" >>"$SUITE_TMP/runs/$tag.err"
    fi
    [ -s "$SUITE_TMP/runs/$tag.err" ] || rm -f "$SUITE_TMP/runs/$tag.err"
    t1=$(date +%s.%N)
    echo "$tag $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')" >>"$SUITE_TMP/times"
    exit 0
fi

# ---- options ------------------------------------------------------------------
command="sh tests/bench/run_search_suite.sh${*:+ $*}"
mode=full
seeds=
trials=
parallel=
problems=
jobs=2
keep=0
build=$root/build
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --seeds) seeds=$2; shift ;;
    --trials) trials=$2; shift ;;
    --parallel) parallel=$2; shift ;;
    --problems) problems=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_search_suite.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then
    seeds=${seeds:-3} trials=${trials:-40} parallel=${parallel:-1,4}
else
    seeds=${seeds:-10} trials=${trials:-100} parallel=${parallel:-1,4,16}
fi
for n in "$seeds" "$trials" "$jobs" $(echo "$parallel" | tr ',' ' '); do
    case "$n" in
    '' | *[!0-9]* | 0) echo "run_search_suite.sh: --seeds, --trials, --jobs and --parallel take positive integers, got '$n'" >&2; exit 2 ;;
    esac
done
case ",$parallel," in
*,1,*) ;;
*) echo "run_search_suite.sh: --parallel must include 1 (the sequential reference)" >&2; exit 2 ;;
esac
build=$(cd "$build" && pwd)
bin=$build/tests/search/search_suite
[ -x "$bin" ] || { echo "run_search_suite.sh: $bin not found: build ecosweep first" >&2; exit 2; }
sh "$here/install-deps"
"$PY" -c 'import optuna' 2>/dev/null || { echo "run_search_suite.sh: $PY cannot import optuna" >&2; exit 2; }
all=$("$bin" list)
if [ -z "$problems" ]; then
    problems=$(echo "$all" | tr '\n' ' ')
else
    problems=$(echo "$problems" | tr ',' ' ')
    for p in $problems; do
        echo "$all" | grep -qx "$p" || { echo "run_search_suite.sh: unknown problem '$p' (one of: $(echo "$all" | tr '\n' ' '))" >&2; exit 2; }
    done
fi
name=search_suite
[ "$mode" = quick ] && name=search_suite_quick
outdir=$here/results
mkdir -p "$outdir"

tmp=$(mktemp -d)
if [ "$keep" = 1 ]; then
    echo "run_search_suite.sh: keeping the work directory $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/runs"
: >"$tmp/times"

# ---- both sides compute the same functions ------------------------------------------
# The scikit-learn problem is computed by search_suite.py on both sides.
export SEARCH_SUITE_PY="$here/search_suite.py" SEARCH_SUITE_PYTHON="$PY"
"$bin" check >"$tmp/check_c.jsonl"
"$PY" "$here/search_suite.py" check --against "$tmp/check_c.jsonl" >&2 ||
    { echo "run_search_suite.sh: the C and Python suites disagree (above): fix them first" >&2; exit 1; }

# ---- the job list -----------------------------------------------------------------
: >"$tmp/jobs"
for p in $problems; do
    for q in $(echo "$parallel" | tr ',' ' '); do
        printf 'py %s tpe %s\npy %s tpe_mv %s\n' "$p" "$q" "$p" "$q"
    done
done >>"$tmp/jobs"
for p in $problems; do
    {
        echo "py $p random 1"
        echo "py $p qmc 1"
        echo "c $p random 1"
        for q in $(echo "$parallel" | tr ',' ' '); do
            echo "c $p bayes $q"
        done
    } >>"$tmp/jobs"
done

export SUITE_TMP="$tmp" SUITE_BIN="$bin" SUITE_SEEDS="$seeds" SUITE_TRIALS="$trials"
echo "run_search_suite.sh: $mode mode, $seeds seeds x $trials trials at parallel $parallel, $(echo "$problems" | wc -w) problems, $(wc -l <"$tmp/jobs") jobs, $jobs at once" >&2
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# Optuna's TPE jobs are the longest: they come first in the list.
xargs -P "$jobs" -L 1 sh "$0" --job <"$tmp/jobs"
end=$(date +%s)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$tmp"/runs/*.err 2>/dev/null | head -20 >&2 || true

# ---- what, where, when -----------------------------------------------------------
# shellcheck source=tests/bench/bench_env.sh
. "$here/bench_env.sh"
bench_describe "$root" "$build"
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
cat >"$tmp/meta.json" <<EOF
{"command": "$(jesc "$command")", "mode": "$mode", "seeds": $seeds, "trials": $trials,
 "parallel": [$parallel], "jobs": $jobs, "problems": "$(jesc "$problems")",
 "build": "$(jesc "$build")", "build_type": "$(jesc "${btype:-unset}")",
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit", "machine": "$(jesc "$machine")",
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "optuna": "$("$PY" -c 'import optuna; print(optuna.__version__)')",
 "loadavg_start": "$load_start", "loadavg_end": "$load_end", "total_s": $((end - start))}
EOF
"$PY" "$here/search_suite_report.py" "$tmp" "$outdir/$name.md" "$outdir/$name.json"
echo "run_search_suite.sh: wrote $outdir/$name.md and $outdir/$name.json ($((end - start)) s)" >&2
