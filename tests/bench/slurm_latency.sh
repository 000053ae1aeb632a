#!/bin/sh
# Benchmark: what ecosweep adds to Slurm's own latency.  On a local
# single-node cluster (tests/slurm/cluster.sh), in the same run and in
# alternating rounds, it times trivial jobs two ways:
#   bare      `srun --ntasks=1 --cpus-per-task=1 true`, from the shell;
#   ecosweep  a sweep of trials whose command is `true`, launched through
#             srun with the worker around them (launcher: slurm, parallel 1),
#             each trial timed from launch to its end as ecosweep recorded it
#             (the worker, its metering, reading its lines back included:
#             the latency a trial sees), and the sweep's pace, from the first
#             launch to the last end per trial (every launch decision and
#             database commit between trials included).
# It reports medians and the ratio to bare srun.  Target (issue: Slurm):
# ecosweep adds under 20% to Slurm's latency.
#
# Usage: sh tests/bench/slurm_latency.sh [BUILD_DIR] [ROUNDS] [JOBS_PER_ROUND]
# Needs root and tests/slurm/install-deps.  Writes tests/bench/results/slurm.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
rounds=${2:-5}
per=${3:-10}
out=$here/results/slurm.md
dir=/tmp/es-bench-slurm-$$
# Ports of its own, so a test cluster on the default ones can run meanwhile.
ES_SLURM_PORT=${ES_SLURM_PORT:-16917}
export ES_SLURM_PORT
tmp=$(mktemp -d)
cleanup() {
    sh "$here/../slurm/cluster.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$tmp" "$dir"
}
trap cleanup EXIT
sh "$here/../slurm/cluster.sh" start "$dir" >/dev/null
eval "$(sh "$here/../slurm/cluster.sh" env "$dir")"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# What the database recorded of sweep $1: each trial's launch-to-end, and
# (first launch to last end) / trials; the coordinator's own clock.
recorded() {
    python3 - "$tmp/b.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT t.started, t.ended FROM trial t JOIN sweep s ON s.id = t.sweep_id"
                  " WHERE s.name = ? AND t.status = 'completed'", (sys.argv[2],)).fetchall()
for a, b in rows:
    print("trial", b - a)
print("pace", (max(b for _, b in rows) - min(a for a, _ in rows)) / len(rows))
PY
}

cat > "$tmp/spec.yaml" <<SPEC
command: [true]
method: grid
parameters:
  i: {values: [$(seq -s, 1 "$per")]}
launcher: {type: slurm, cpus_per_task: 1}
SPEC

: > "$tmp/bare"
: > "$tmp/trial"
: > "$tmp/sweep"
for r in $(seq "$rounds"); do
    for i in $(seq "$per"); do
        t0=$(now)
        srun --ntasks=1 --cpus-per-task=1 true
        t1=$(now)
        awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >> "$tmp/bare"
    done
    "$build/ecosweep" run "$tmp/spec.yaml" --db "$tmp/b.db" --name "round-$r" --no-status \
        --no-reuse > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    recorded "round-$r" > "$tmp/rec"
    sed -n 's/^trial //p' "$tmp/rec" >> "$tmp/trial"
    sed -n 's/^pace //p' "$tmp/rec" >> "$tmp/sweep"
done

n_bare=$(wc -l < "$tmp/bare")
n_trial=$(wc -l < "$tmp/trial")
bare=$(median < "$tmp/bare")
trial=$(median < "$tmp/trial")
sweep=$(median < "$tmp/sweep")
ratio_trial=$(awk -v a="$trial" -v b="$bare" 'BEGIN {print a / b}')
ratio_sweep=$(awk -v a="$sweep" -v b="$bare" 'BEGIN {print a / b}')
verdict=$(awk -v r="$ratio_trial" 'BEGIN {print (r < 1.2) ? 1 : 0}')

mkdir -p "$here/results"
{
    echo "# ecosweep on Slurm against bare srun"
    echo
    echo "Command: \`sh tests/bench/slurm_latency.sh BUILD $rounds $per\`, on a local single-node"
    echo "Slurm $(sinfo -V | awk '{print $2}') cluster (tests/slurm/cluster.sh, no accounting), $(nproc) CPUs,"
    echo "$(date -u +%Y-%m-%d). Bare \`srun true\` and ecosweep sweeps of \`true\` trials alternate in"
    echo "$rounds rounds of $per jobs each."
    echo
    echo "| | jobs | median seconds per job | ratio to bare srun |"
    echo "|---|---|---|---|"
    printf '| bare `srun true` | %d | %.3f | 1.00 |\n' "$n_bare" "$bare"
    printf '| ecosweep, trial launch to recorded end | %d | %.3f | %.2f |\n' "$n_trial" "$trial" "$ratio_trial"
    printf '| ecosweep, sweep pace (first launch to last end, per trial) | %d sweeps | %.3f | %.2f |\n' "$rounds" "$sweep" "$ratio_sweep"
    echo
    if [ "$verdict" -eq 1 ]; then
        echo "Target (ecosweep adds under 20% to Slurm's own latency): **met**."
    else
        echo "Target (ecosweep adds under 20% to Slurm's own latency): **missed**."
    fi
    echo
    echo "The verdict is on the latency a trial sees (launch to recorded end: srun, the worker's"
    echo "start and metering on the node, its lines read back through srun). The pace adds what"
    echo "ecosweep does between trials (choosing the next configuration, SQLite commits); a"
    echo "sweep's one-off start (opening the database) is in neither."
} > "$out"
cat "$out"
