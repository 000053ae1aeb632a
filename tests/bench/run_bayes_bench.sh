#!/bin/sh
# Benchmark: ecosweep's Bayesian search against Optuna (Debian's
# python3-optuna: TPE and random) on the same objectives, seeds and trial
# counts.  ecosweep's trials run as real trials (ecosweep run, a worker, a
# python3 process per trial, metered energy); Optuna evaluates the same
# functions in-process, as it is normally used.
#
#   1. Branin (2-D) and Hartmann6 (6-D), SEEDS seeds x TRIALS trials each:
#      median (and IQR) simple regret of the best-so-far at 25/50/100 trials.
#   2. A cost-heterogeneous synthetic training task
#      (configs/examples/synthetic_train.py, CPU burned ~ model_size x
#      epochs): CPU energy spent until the first trial reaches the target
#      (val_loss <= 2.2, within 7.4% of the optimum 2.0489; also reported:
#      the earlier, looser 2.3, read from the same runs), at most COST_CAP
#      trials; ecosweep's bayes is run plain and cost-aware (a kWh budget
#      in the spec).  Why 2.2: about 1 random configuration in 60 reaches
#      it (1 in 15-25 reach 2.3), so it takes search rather than a lucky
#      draw, yet it is a plainly "good model" (a large enough model,
#      trained long enough, at a well-chosen lr) and not the optimum.
#   3. Suggestion latency as observations grow (50 -> 1,000) in 6-D: Optuna
#      TPE's ask(), beside ecosweep's $BUILD/tests/search/search_latency when
#      it is built.
#
# A method ecosweep rejects (its spec fails `ecosweep validate`, or every run
# fails) is skipped, with the reason in the results.
#
# Usage: tests/bench/run_bayes_bench.sh [--quick] [--seeds N] [--trials N]
#            [--cost-cap N] [--only cost] [--jobs N] [--out DIR] [--keep]
#            [BUILD_DIR]
#   --quick      3 seeds x 25 trials (iteration); default: 10 seeds x 100
#   --cost-cap N at most N trials per run on the cost task (default 200:
#                random search needs ~60 on average to reach 2.2, and a
#                cap it often hits would turn its median into "not
#                reached")
#   --only cost  run the cost task alone (no Branin/Hartmann6, no latency)
#   --jobs N     independent runs at once (default 2); each sweep itself runs
#                one trial at a time (parallel: 1), and energy is CPU time,
#                so concurrency changes wall time only
#   --out DIR    where to write bayes.md and bayes.json (default
#                tests/bench/results; --quick writes bayes_quick.*)
#   --keep       keep the work directory (specs, databases, trial logs)
# Needs python3-optuna (tests/bench/install-deps installs it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

# ---- one job, run by xargs from the job list (see below) --------------------
if [ "${1:-}" = "--job" ]; then
    shift
    kind=$1
    obj=$2
    method=$3
    t0=$(date +%s.%N)
    case "$kind" in
    es)
        seed=$4
        tag=$obj-$method-$seed
        rc=0
        "$BENCH_BUILD/ecosweep" run "$BENCH_TMP/specs/$obj-$method.yaml" --db "$BENCH_TMP/es/$tag.db" \
            --seed "$seed" --name "$tag" --no-status >"$BENCH_TMP/es/$tag.out" 2>&1 || rc=$?
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
            { echo "ecosweep run exited $rc:"; tail -3 "$BENCH_TMP/es/$tag.out"; } >"$BENCH_TMP/es/$tag.err"
        elif ! "$BENCH_BUILD/ecosweep" report --db "$BENCH_TMP/es/$tag.db" --format json \
            >"$BENCH_TMP/es/$tag.json" 2>"$BENCH_TMP/es/$tag.err"; then
            echo "ecosweep report failed" >>"$BENCH_TMP/es/$tag.err"
            rm -f "$BENCH_TMP/es/$tag.json"
        else
            rm -f "$BENCH_TMP/es/$tag.err"
        fi
        ;;
    optuna)
        tag=$obj-$method
        n=$BENCH_TRIALS
        tgt=""
        if [ "$obj" = synthetic ]; then
            n=$BENCH_COST_CAP
            tgt="--target $BENCH_TARGET"
        fi
        # shellcheck disable=SC2086
        "$PY" "$here/bench_optuna.py" search --objective "$obj" --sampler "$method" \
            --seeds "$BENCH_SEEDS" --trials "$n" $tgt --watts "$BENCH_WATTS" \
            --out "$BENCH_TMP/optuna/$tag.json" 2>"$BENCH_TMP/optuna/$tag.err" ||
            echo "bench_optuna.py failed" >>"$BENCH_TMP/optuna/$tag.err"
        ;;
    esac
    t1=$(date +%s.%N)
    echo "$kind $obj $method ${4:-all} $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')" >>"$BENCH_TMP/times"
    exit 0
fi

# ---- options ------------------------------------------------------------------
command="sh tests/bench/run_bayes_bench.sh${*:+ $*}"
mode=full
seeds=
trials=
cost_cap=200
only=
jobs=2
keep=0
outdir=$here/results
build=$root/build
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --seeds) seeds=$2; shift ;;
    --trials) trials=$2; shift ;;
    --cost-cap) cost_cap=$2; shift ;;
    --only)
        only=$2
        shift
        [ "$only" = cost ] || { echo "run_bayes_bench.sh: --only takes 'cost'" >&2; exit 2; }
        ;;
    --jobs) jobs=$2; shift ;;
    --out) outdir=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_bayes_bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then
    seeds=${seeds:-3}
    trials=${trials:-25}
else
    seeds=${seeds:-10}
    trials=${trials:-100}
fi
for n in "$seeds" "$trials" "$cost_cap" "$jobs"; do
    case "$n" in
    '' | *[!0-9]* | 0) echo "run_bayes_bench.sh: --seeds, --trials, --cost-cap and --jobs take a positive integer, got '$n'" >&2; exit 2 ;;
    esac
done
build=$(cd "$build" && pwd)
for b in ecosweep ecosweep-worker; do
    [ -x "$build/$b" ] || { echo "run_bayes_bench.sh: $build/$b not found: build ecosweep first" >&2; exit 2; }
done
sh "$here/install-deps"
"$PY" -c 'import optuna' 2>/dev/null || { echo "run_bayes_bench.sh: $PY cannot import optuna" >&2; exit 2; }
name=bayes
[ "$mode" = quick ] && name=bayes_quick
[ -n "$only" ] && name=${name}_$only
mkdir -p "$outdir"

tmp=$(mktemp -d)
if [ "$keep" = 1 ]; then
    echo "run_bayes_bench.sh: keeping the work directory $tmp (databases, trial logs, specs)" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/specs" "$tmp/es" "$tmp/optuna"
: >"$tmp/times"
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the energy constants ecosweep's worker uses here ---------------------------
# The Optuna side charges CPU seconds x these watts per core, as ecosweep's
# estimate does (README, Energy accounting).  With a hardware counter in use
# there is no such constant: Green Algorithms' 12 W/core is used, and the
# results say that the two sides were metered differently.
. "$here/bench_env.sh"
bench_watts "$build"
# The cost task's target (the sweeps stop there) and looser ones reported
# from the same runs (a run that reaches 2.2 has passed 2.3 on the way).
target=2.2
targets_also=2.3
pue=1.58
# The cost-aware run's budget: what random search is expected to spend in
# BUDGET_TRIALS = 50 trials (159 units of 1 ms of work, plus ~0.045 CPU-s
# of Python start-up, per trial), at the wall (kWh includes the PUE).  It
# does not follow --cost-cap: a budget of a few hundred random trials would
# keep the cooling schedule's alpha near 1 for the whole run.
budget_trials=50
budget_kwh=$(echo "$budget_trials $watts $pue" | awk '{printf "%.10f", $1 * (0.159 + 0.045) * $2 * $3 / 3.6e6}')

# ---- specs ---------------------------------------------------------------------
spec() { # spec OBJ METHOD -> $tmp/specs/OBJ-METHOD.yaml
    obj=$1
    method=$2
    f=$tmp/specs/$obj-$method.yaml
    m=$method
    [ "$method" = bayes-cost ] && m=bayes
    {
        echo "name: bench-$obj-$method"
        echo "project: bench"
        echo "method: $m"
        case "$obj" in
        branin)
            echo "program: $root/configs/examples/branin.py"
            echo "metric: {name: loss, goal: minimize}"
            echo "parameters:"
            echo "  x1: {distribution: uniform, min: -5.0, max: 10.0}"
            echo "  x2: {distribution: uniform, min: 0.0, max: 15.0}"
            echo "run_cap: $trials"
            ;;
        hartmann6)
            echo "program: $root/configs/examples/hartmann6.py"
            echo "metric: {name: loss, goal: minimize}"
            echo "parameters:"
            for i in 1 2 3 4 5 6; do
                echo "  x$i: {distribution: uniform, min: 0.0, max: 1.0}"
            done
            echo "run_cap: $trials"
            ;;
        synthetic)
            echo "program: $root/configs/examples/synthetic_train.py"
            echo "metric: {name: val_loss, goal: minimize, target: $target}"
            echo "parameters:"
            echo "  model_size: {distribution: q_log_uniform_values, min: 1, max: 64, q: 1}"
            echo "  epochs: {distribution: int_uniform, min: 1, max: 20}"
            echo "  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}"
            echo "run_cap: $cost_cap"
            echo "energy: {pue: $pue}"
            [ "$method" = bayes-cost ] && echo "budget: {kwh: $budget_kwh}"
            ;;
        esac
        echo "parallel: 1"
        echo "trial_timeout: 2m"
        echo "max_failed: 5"
        # shellcheck disable=SC2016 # ecosweep's macros, not the shell's
        echo 'command: ["/usr/bin/python3", "${program}", "${args}"]'
    } >"$f"
}

: >"$tmp/jobs"
: >"$tmp/skipped.tsv"
pairs="branin:random branin:bayes hartmann6:random hartmann6:bayes"
objs="branin hartmann6 synthetic"
if [ "$only" = cost ]; then
    pairs=
    objs=synthetic
fi
for pair in $pairs synthetic:random synthetic:bayes synthetic:bayes-cost; do
    obj=${pair%%:*}
    method=${pair#*:}
    spec "$obj" "$method"
    if ! "$build/ecosweep" validate "$tmp/specs/$obj-$method.yaml" >"$tmp/validate" 2>&1; then
        why=$(grep -v '^$' "$tmp/validate" | head -1 | sed "s|$tmp/specs/||")
        echo "skipping ecosweep $method on $obj: ecosweep validate says: $why" >&2
        printf '%s\t%s\t%s\n' "$obj" "$method" "ecosweep validate: $why" >>"$tmp/skipped.tsv"
        continue
    fi
    i=0
    while [ "$i" -lt "$seeds" ]; do
        echo "es $obj $method $i" >>"$tmp/jobs"
        i=$((i + 1))
    done
done
for obj in $objs; do
    for s in tpe random; do
        echo "optuna $obj $s" >>"$tmp/jobs"
    done
done

export BENCH_TMP="$tmp" BENCH_BUILD="$build" BENCH_SEEDS="$seeds" BENCH_TRIALS="$trials" \
    BENCH_COST_CAP="$cost_cap" BENCH_TARGET="$target" BENCH_WATTS="$watts"
echo "run_bayes_bench.sh: $mode mode, $seeds seeds x $trials trials (cost task: <= $cost_cap), $(wc -l <"$tmp/jobs") jobs, $jobs at once; ecosweep in $build" >&2
# Optuna's jobs are the longest: start them first.
{ grep '^optuna' "$tmp/jobs" || true; grep '^es' "$tmp/jobs" || true; } |
    xargs -P "$jobs" -L 1 sh "$0" --job
searched=$(date +%s)

# ---- suggestion latency (alone on the machine) --------------------------------
echo "run_bayes_bench.sh: suggestion latency" >&2
load_latency=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$only" = cost ]; then
    echo '{"rows": []}' >"$tmp/latency_optuna.json"
else
    "$PY" "$here/bench_optuna.py" latency --ns 50,200,500,1000 --repeats 20 --out "$tmp/latency_optuna.json"
fi
if [ "$only" != cost ] && [ -x "$build/tests/search/search_latency" ]; then
    "$build/tests/search/search_latency" latency >"$tmp/latency_ecosweep.txt" 2>"$tmp/latency_ecosweep.err" ||
        echo "search_latency exited $?" >>"$tmp/latency_ecosweep.err"
fi
end=$(date +%s)

# ---- what, where, when -----------------------------------------------------------
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
jesc() { # a JSON string's contents
    printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'
}
cat >"$tmp/meta.json" <<EOF
{"command": "$(jesc "$command")", "mode": "$mode", "seeds": $seeds, "trials": $trials,
 "cost_cap": $cost_cap, "target": $target, "targets_also": [$targets_also], "only": "$only",
 "budget_trials": $budget_trials, "jobs": $jobs, "build": "$(jesc "$build")",
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit",
 "cpu_source": "$(jesc "$cpu_source")", "watts_per_core": $watts, "pue": $pue, "budget_kwh": $budget_kwh,
 "machine": "$(jesc "$machine")",
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "loadavg_start": "$load_start", "loadavg_latency": "$load_latency",
 "search_s": $((searched - start)), "latency_s": $((end - searched)), "total_s": $((end - start)),
 "latency_tool": "$([ -x "$build/tests/search/search_latency" ] && echo "$build/tests/search/search_latency" || echo "not built")"}
EOF
"$PY" "$here/bench_report.py" "$tmp" "$outdir/$name.md" "$outdir/$name.json"
cat "$outdir/$name.md"
