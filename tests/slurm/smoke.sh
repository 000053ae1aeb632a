#!/bin/sh
# smoke.sh DIR: check that the cluster started by `cluster.sh start DIR` really works for
# ecosweep's Slurm launcher; exits non-zero, saying what failed, otherwise.
#   1. the node is idle/mixed and srun runs a command;
#   2. two 1-CPU sruns started together run at the same time (2 x 4 s in well under 8 s), as
#      ecosweep's `parallel` trials do (needs at least 2 CPUs on the node);
#   3. srun's exit status is the command's (exit 7 -> 7; killed by SIGTERM -> 143);
#   4. scancel on a running srun ends the srun client and removes the job from squeue quickly;
#   5. with --accounting, sacct reports a finished job as COMPLETED with its exit code.
set -u
[ $# -eq 1 ] || { echo "usage: smoke.sh DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
eval "$(sh "$here/cluster.sh" env "$1")"
D=$ES_SLURM_DIR
fails=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# 1
st=$(sinfo -h -N -o %T 2>&1 | head -n1)
case "$st" in
    idle*|mixed*) ok "node is $st" ;;
    *) bad "node state is '$st' (is the cluster up? sh $here/cluster.sh status $D)"; exit 1 ;;
esac
# shellcheck disable=SC2016
out=$(srun -n1 -t1 sh -c 'echo "job $SLURM_JOB_ID"' 2>&1)
case "$out" in
    "job "[0-9]*) ok "srun runs a command ($out)" ;;
    *) bad "srun did not run a command: $out"; exit 1 ;;
esac

# 2
cpus=$(sinfo -h -N -o %c | head -n1)
if [ "${cpus:-0}" -ge 2 ]; then
    t0=$(now)
    srun -n1 -c1 -t1 sleep 4 & p1=$!
    srun -n1 -c1 -t1 sleep 4 & p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    dt=$(secs "$t0" "$(now)")
    if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && lt "$dt" 7; then
        ok "two concurrent 1-CPU sruns of 4 s took $dt s"
    else
        bad "two concurrent 1-CPU sruns of 4 s took $dt s (exit $r1, $r2): they did not run together"
    fi
else
    bad "the node has $cpus CPU(s); two 1-CPU jobs cannot run at once"
fi

# 3
srun -n1 -t1 sh -c 'exit 7' 2>/dev/null; r=$?
if [ $r -eq 7 ]; then ok "srun exit status propagates (7)"; else bad "srun exited $r for a command that exits 7"; fi
srun -n1 -t1 sh -c 'kill -TERM $$' 2>/dev/null; r=$?
if [ $r -eq 143 ]; then ok "srun reports a task killed by SIGTERM as 143"; else bad "srun exited $r for a task killed by SIGTERM (want 143)"; fi

# 4
name=es-smoke-$$
srun -n1 -c1 -t2 -J "$name" sleep 120 2>/dev/null & sp=$!
i=0 jid=""
while [ "$i" -lt 100 ]; do
    jid=$(squeue -h -n "$name" -t RUNNING -o %A 2>/dev/null)
    [ -n "$jid" ] && break
    i=$((i + 1)); sleep 0.1
done
if [ -z "$jid" ]; then
    bad "the job $name never showed as RUNNING in squeue"
    kill "$sp" 2>/dev/null
else
    t0=$(now)
    scancel "$jid"
    i=0
    while kill -0 "$sp" 2>/dev/null && [ "$i" -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
    if kill -0 "$sp" 2>/dev/null; then
        bad "srun still running 10 s after scancel $jid"
        kill -KILL "$sp" 2>/dev/null
    else
        ok "srun client ended $(secs "$t0" "$(now)") s after scancel"
    fi
    wait "$sp" 2>/dev/null
    i=0
    while [ -n "$(squeue -h -j "$jid" -o %A 2>/dev/null)" ] && [ "$i" -lt 150 ]; do
        i=$((i + 1)); sleep 0.1
    done
    if [ -z "$(squeue -h -j "$jid" -o %A 2>/dev/null)" ]; then
        ok "job $jid left squeue $(secs "$t0" "$(now)") s after scancel"
    else
        bad "job $jid still in squeue 15 s after scancel: $(squeue -h -j "$jid")"
    fi
fi

# 5
if [ -f "$D/accounting" ]; then
    # shellcheck disable=SC2016
    jid=$(srun -n1 -t1 sh -c 'echo "$SLURM_JOB_ID"; exit 3' 2>/dev/null)
    line=""
    i=0
    while [ -n "$jid" ] && [ "$i" -lt 50 ]; do
        line=$(sacct -j "$jid" -X --format=JobID,State,ConsumedEnergyRaw,ExitCode --parsable2 -n 2>/dev/null)
        case "$line" in *"|FAILED|"*) break ;; esac
        i=$((i + 1)); sleep 0.2
    done
    case "$line" in
        "$jid|FAILED|"*"|3:0") ok "sacct reports the finished job: $line" ;;
        *) bad "sacct for job '$jid' says '$line' (want $jid|FAILED|...|3:0)" ;;
    esac
fi

if [ "$fails" -eq 0 ]; then echo "smoke: all checks passed"; exit 0; fi
echo "smoke: $fails check(s) failed"
exit 1
