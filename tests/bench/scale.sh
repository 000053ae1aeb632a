#!/bin/sh
# Benchmark: what ecosweep's costs do as the work grows (issue 12), all in
# one run on one machine:
#
#   1. Trivial-trial throughput, in alternating rounds (the order rotated
#      each round): the two-level spawn floor (a C program compiled here that
#      forks/execs a child which forks/execs the trial program), ecosweep
#      (`ecosweep run`, random search, PARALLEL at a time) and Optuna 3.1
#      (Debian's python3-optuna, SQLite storage, the trial program as a
#      subprocess per trial, n_jobs 1 and PARALLEL), for two trial programs:
#      /bin/true and `/bin/echo loss=1` (a metric to parse and a stdout log).
#   2. Sweeps of SIZES trials (random search, PARALLEL at a time, echo
#      loss=1) really run: their pace, the coordinator's peak RSS, database
#      bytes and log bytes per trial.
#   3. `ecosweep report` on each of those databases in every format (text,
#      json, csv, codecarbon, markdown, html), each run under a time limit
#      (`timeout`), a timeout recorded as such, so the run always ends.
#
# Usage: tests/bench/scale.sh [--quick] [--rounds N] [--trials N]
#            [--optuna-trials N] [--sizes "N N..."] [--report-timeout S]
#            [--out DIR] [--tmp DIR] [--keep] [BUILD_DIR]
#   --quick           3 rounds of 300 trials (Optuna 60), sizes 500 and 2000,
#                     20 s report limit; about 1.5 minutes
#   default           5 rounds of 1000 trials (Optuna 200), sizes 1000 10000
#                     100000, 60 s report limit; about 12-15 minutes on 2 cores
#   --out DIR         where scale.md and scale.json go (default
#                     tests/bench/results; --quick writes scale_quick.*)
#   --tmp DIR         work directory parent (default $TMPDIR or /tmp); the
#                     100k sweep's logs take about 1 GB of disk there
#   --keep            keep the work directory (databases, logs)
# Nothing is deleted while the benchmark runs: on ext4 without a journal a
# new inode is slower to allocate while many were deleted in the last
# minutes, which would charge one contender for another's clean-up.
# Needs python3-optuna (tests/bench/install-deps installs it), a C compiler
# and GNU time (/usr/bin/time).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

command="sh tests/bench/scale.sh${*:+ $*}"
mode=full
rounds=
trials=
optuna_trials=
sizes=
limit=
outdir=$here/results
tmpdir=${TMPDIR:-/tmp}
keep=0
build=$root/build
parallel=2
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) mode=quick ;;
    --rounds) rounds=$2; shift ;;
    --trials) trials=$2; shift ;;
    --optuna-trials) optuna_trials=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --report-timeout) limit=$2; shift ;;
    --out) outdir=$2; shift ;;
    --tmp) tmpdir=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "scale.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
if [ "$mode" = quick ]; then
    rounds=${rounds:-3}
    trials=${trials:-300}
    optuna_trials=${optuna_trials:-60}
    sizes=${sizes:-500 2000}
    limit=${limit:-20}
else
    rounds=${rounds:-5}
    trials=${trials:-1000}
    optuna_trials=${optuna_trials:-200}
    sizes=${sizes:-1000 10000 100000}
    limit=${limit:-60}
fi
for n in "$rounds" "$trials" "$optuna_trials" "$limit" $sizes; do
    case "$n" in
    '' | *[!0-9]* | 0) echo "scale.sh: counts and limits take a positive integer, got '$n'" >&2; exit 2 ;;
    esac
done
build=$(cd "$build" && pwd)
for b in ecosweep ecosweep-worker; do
    [ -x "$build/$b" ] || { echo "scale.sh: $build/$b not found: build ecosweep first" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "scale.sh: GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 2; }
CC=${CC:-cc}
sh "$here/install-deps"
"$PY" -c 'import optuna' 2>/dev/null || { echo "scale.sh: $PY cannot import optuna" >&2; exit 2; }
name=scale
[ "$mode" = quick ] && name=scale_quick
mkdir -p "$outdir"

tmp=$(mktemp -d "$tmpdir/ecosweep-scale.XXXXXX")
shm=
if [ "$keep" = 1 ]; then
    echo "scale.sh: keeping the work directory $tmp" >&2
else
    trap 'rm -rf "$tmp" ${shm:+"$shm"}' EXIT
fi
mkdir -p "$tmp/rounds" "$tmp/sizes"
: >"$tmp/rounds.tsv"
: >"$tmp/sizes.tsv"
: >"$tmp/reports.tsv"
start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

now() { date +%s.%N; }
since() { echo "$1 $(now)" | awk '{printf "%.4f", $2 - $1}'; }

# ---- the spawn floor ------------------------------------------------------------
cat >"$tmp/floor.c" <<'EOF'
/* floor N P PROG [ARGS...]: N times, P at a time, fork/exec a child that
 * fork/execs PROG and waits for it; the parent waits for the child.  The
 * trial's output goes to /dev/null. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 2 && argv[1][0] == '-') { /* the child: the worker's place */
        pid_t p = fork();
        if (p == 0) {
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int st;
        if (p < 0 || waitpid(p, &st, 0) < 0)
            return 1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    if (argc < 4)
        return 2;
    long n = atol(argv[1]), started = 0, failed = 0;
    int par = atoi(argv[2]), running = 0;
    char **args = calloc((size_t)argc, sizeof *args);
    args[0] = argv[0];
    args[1] = "-";
    for (int i = 3; i < argc; i++)
        args[i - 1] = argv[i];
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    while (started < n || running > 0) {
        while (running < par && started < n) {
            pid_t p = fork();
            if (p == 0) {
                execv("/proc/self/exe", args);
                _exit(127);
            }
            if (p < 0)
                return 1;
            started++;
            running++;
        }
        int st;
        if (wait(&st) > 0) {
            running--;
            failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
    }
    return failed != 0;
}
EOF
"$CC" -O2 -o "$tmp/floor" "$tmp/floor.c"

# ---- specs ------------------------------------------------------------------------
spec() { # spec VARIANT N -> path of the spec
    f=$tmp/spec-$1-$2.yaml
    {
        echo "name: scale-$1"
        echo "project: scale"
        case "$1" in
        true) echo "command: [/bin/true]" ;;
        echo)
            echo 'command: [/bin/echo, "loss=1"]'
            echo "metric: {name: loss, goal: minimize}"
            ;;
        esac
        echo "method: random"
        echo "parameters:"
        echo "  x: {min: 0.0, max: 1.0}"
        echo "  n: {min: 1, max: 100}"
        echo "  opt: {values: [adam, sgd, rmsprop]}"
        echo "run_cap: $2"
        echo "parallel: $parallel"
        echo "seed: 1"
    } >"$f"
    echo "$f"
}
prog() { # the trial program of a variant, as argv words
    case "$1" in
    true) echo /bin/true ;;
    echo) echo /bin/echo loss=1 ;;
    esac
}

# One ecosweep sweep, timed whole, under GNU time for the peak RSS; prints
# "seconds peak_rss_kb exit".
es_sweep() { # es_sweep SPEC DB LOG
    t0=$(now)
    rc=0
    /usr/bin/time -f '%M' -o "$3.rss" "$build/ecosweep" run "$1" --db "$2" --no-status >"$3" 2>&1 || rc=$?
    echo "$(since "$t0") $(tail -1 "$3.rss") $rc"
}

# ---- 1. throughput rounds ------------------------------------------------------
one() { # one ROUND VARIANT CONTENDER
    r=$1
    v=$2
    c=$3
    # shellcheck disable=SC2046 # the program's words
    case "$c" in
    floor)
        t0=$(now)
        "$tmp/floor" "$trials" "$parallel" $(prog "$v")
        printf '%s\t%s\t%s\t%s\t%s\t\n' "$r" "$v" floor "$trials" "$(since "$t0")" >>"$tmp/rounds.tsv"
        ;;
    ecosweep | ecosweep-shm)
        where=$tmp/rounds
        label=ecosweep
        if [ "$c" = ecosweep-shm ]; then
            where=$shm
            label="ecosweep, files in $shm_dir (tmpfs)"
        fi
        set -- $(es_sweep "$(spec "$v" "$trials")" "$where/es-$v-$r.db" "$tmp/rounds/es-$v-$r-$c.out")
        got=$(grep -c '^trial .* completed' "$tmp/rounds/es-$v-$r-$c.out" || true)
        [ "$3" = 0 ] || echo "scale.sh: $c exited $3 in round $r ($v)" >&2
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$v" "$label" "$got" "$1" "$2" >>"$tmp/rounds.tsv"
        ;;
    optuna-*)
        jobs=${c#optuna-}
        # shellcheck disable=SC2046
        "$PY" "$here/bench_scale.py" optuna --db "$tmp/rounds/optuna-$v-$jobs-$r.db" \
            --trials "$optuna_trials" --jobs "$jobs" --out "$tmp/rounds/optuna-$v-$jobs-$r.txt" \
            -- $(prog "$v") 2>"$tmp/rounds/optuna-$v-$jobs-$r.err" ||
            echo "scale.sh: Optuna failed in round $r ($v): $(tail -1 "$tmp/rounds/optuna-$v-$jobs-$r.err")" >&2
        if [ -s "$tmp/rounds/optuna-$v-$jobs-$r.txt" ]; then
            read -r n secs _ <"$tmp/rounds/optuna-$v-$jobs-$r.txt"
            printf '%s\t%s\t%s\t%s\t%s\t\n' "$r" "$v" "Optuna n_jobs=$jobs" "$n" "$secs" >>"$tmp/rounds.tsv"
        fi
        ;;
    esac
}
contenders="floor ecosweep optuna-1 optuna-$parallel"
[ "$parallel" = 1 ] && contenders="floor ecosweep optuna-1"
# The same sweeps with their database and logs on a tmpfs too, where there
# is one apart from the work directory's file system: each trial creates
# a directory and its params.json, and what an inode costs depends on the
# file system (ext4 without a journal looks past every inode deleted in
# the last minutes), which the floor never pays.
shm_dir=/dev/shm
shm=
if [ -d "$shm_dir" ] && [ "$(df -T "$shm_dir" | awk 'NR == 2 {print $2}')" = tmpfs ] &&
    [ "$(df -T "$tmp" | awk 'NR == 2 {print $2}')" != tmpfs ]; then
    shm=$(mktemp -d "$shm_dir/ecosweep-scale.XXXXXX")
    contenders="$contenders ecosweep-shm"
    [ "$keep" = 1 ] && echo "scale.sh: keeping $shm too" >&2
fi
r=1
while [ "$r" -le "$rounds" ]; do
    echo "scale.sh: throughput round $r of $rounds" >&2
    # Rotate the order, so that no contender always follows the same one.
    order=$contenders
    i=1
    while [ "$i" -lt "$r" ]; do
        first=${order%% *}
        order="${order#* } $first"
        i=$((i + 1))
    done
    for v in true echo; do
        for c in $order; do
            one "$r" "$v" "$c"
        done
    done
    r=$((r + 1))
done
throughput_done=$(date +%s)

# ---- 2. sweeps at scale ------------------------------------------------------------
for n in $sizes; do
    echo "scale.sh: a sweep of $n trials" >&2
    db=$tmp/sizes/s$n.db
    set -- $(es_sweep "$(spec echo "$n")" "$db" "$tmp/sizes/s$n.out")
    secs=$1 rss=$2 rc=$3
    [ "$rc" = 0 ] || echo "scale.sh: ecosweep exited $rc on the $n-trial sweep: $(tail -2 "$tmp/sizes/s$n.out")" >&2
    dbb=$(($(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0)))
    got=$(grep -c '^trial .* completed' "$tmp/sizes/s$n.out" || true)
    logb=$(find "$db.d" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
    loga=$(($(du -sk "$db.d" | cut -f1) * 1024))
    files=$(find "$db.d" -type f | wc -l)
    empty=$(find "$db.d" -type f -empty | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$secs" "$rss" "$dbb" "$got" "$logb" \
        "$loga" "$files" "$empty" "$rc" >>"$tmp/sizes.tsv"
done
sized=$(date +%s)

# ---- 3. reports ----------------------------------------------------------------------
repeats=3
prev_n=
for fmt in text json csv codecarbon markdown html; do
    prev_n=
    prev_s=
    for n in $sizes; do
        db=$tmp/sizes/s$n.db
        if [ -n "$prev_s" ] && awk -v s="$prev_s" -v a="$prev_n" -v b="$n" -v l="$limit" \
            'BEGIN { exit !(s == "timeout" || s * b / a > l) }'; then
            printf '%s\t%s\tskipped\t\t\t%s\n' "$n" "$fmt" "at $prev_n trials: $prev_s s" >>"$tmp/reports.tsv"
            prev_s=timeout
            prev_n=$n
            continue
        fi
        k=1
        reps=$repeats
        [ "$n" -ge 50000 ] && reps=1
        fastest=
        while [ "$k" -le "$reps" ]; do
            echo "scale.sh: report --format $fmt, $n trials" >&2
            t0=$(now)
            rc=0
            timeout "$limit" "$build/ecosweep" report --db "$db" --format "$fmt" >"$tmp/report.out" 2>"$tmp/report.err" || rc=$?
            secs=$(since "$t0")
            bytes=$(stat -c %s "$tmp/report.out")
            if [ "$rc" = 124 ]; then
                printf '%s\t%s\ttimeout\t%s\t%s\t\n' "$n" "$fmt" "$secs" "$bytes" >>"$tmp/reports.tsv"
                secs=timeout
                break
            elif [ "$rc" != 0 ]; then
                printf '%s\t%s\terror\t%s\t%s\texit %s: %s\n' "$n" "$fmt" "$secs" "$bytes" "$rc" \
                    "$(tail -1 "$tmp/report.err" | tr '\t' ' ')" >>"$tmp/reports.tsv"
                break
            fi
            printf '%s\t%s\tok\t%s\t%s\t\n' "$n" "$fmt" "$secs" "$bytes" >>"$tmp/reports.tsv"
            fastest=$(echo "$secs ${fastest:-$secs}" | awk '{print ($1 < $2) ? $1 : $2}')
            k=$((k + 1))
        done
        # The next size is skipped only when even the fastest run here,
        # grown in proportion to the trials, passes the limit.
        [ "$secs" = timeout ] || secs=${fastest:-$secs}
        prev_s=$secs
        prev_n=$n
    done
done
end=$(date +%s)

# ---- what, where, when ---------------------------------------------------------------
. "$here/bench_env.sh"
bench_describe "$root" "$build"
dev=$(df "$tmp" | awk 'NR == 2 {print $1}')
fs=$(df -T "$tmp" | awk 'NR == 2 {print $2}')
[ "$(cat "/sys/fs/ext4/$(basename "$dev")/journal_task" 2>/dev/null)" = "<none>" ] && fs="$fs without a journal"
cat >"$tmp/meta.json" <<EOF
{"command": "$(jesc "$command")", "mode": "$mode", "rounds": $rounds, "trials": $trials,
 "optuna_trials": $optuna_trials, "parallel": $parallel, "sizes": [$(echo $sizes | tr ' ' ',')],
 "report_timeout_s": $limit, "report_repeats": $repeats, "size_variant": "echo",
 "variants": {"true": "/bin/true", "echo": "/bin/echo loss=1"},
 "build": "$(jesc "$build")", "commit": "$commit", "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "machine": "$(jesc "$machine")", "fs": "$(jesc "$fs")",
 "optuna": "$("$PY" -c 'import optuna; print(optuna.__version__)')",
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "loadavg_start": "$load_start", "loadavg_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "throughput_s": $((throughput_done - start)), "sizes_s": $((sized - throughput_done)),
 "reports_s": $((end - sized)), "total_s": $((end - start))}
EOF
"$PY" "$here/bench_scale.py" summarize "$tmp" "$outdir/$name.md" "$outdir/$name.json"
cat "$outdir/$name.md"
