#!/bin/sh
# A test trial whose behaviour is chosen by --mode=...; reports loss=X.
x=0
mode=ok
for a in "$@"; do
    case "$a" in
    --x=*) x=${a#--x=} ;;
    --y=*) y=${a#--y=} ;;
    --mode=*) mode=${a#--mode=} ;;
    esac
done
case "$mode" in
ok) echo "loss=$x" ;;
pair) # two objectives in conflict along x, both worse with y
    awk -v x="$x" -v y="$y" 'BEGIN { printf "loss=%.9g b=%.9g\n", x + y, 1 - sqrt(x) + y }' ;;
both) echo "loss=$x"; echo "a warning" >&2 ;;
manyphases) # sixteen phases, then a seventeenth (ignored) on a JSON line with the metric
    i=0; while [ $i -lt 16 ]; do echo "ecosweep-phase p$i"; i=$((i + 1)); done
    echo "items=10"
    echo "{\"_phase\": \"p16\", \"loss\": $x}"
    echo "items=1e308"
    echo "items=-5"
    echo "items=10"
    ;;
phases) # train, then inference twice: 100 items, then 20 (the last items of an entry count)
    echo "ecosweep-phase train"
    i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done
    echo "loss=$x"
    echo '{"_phase": "infer", "items": 50}'
    i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done
    echo "items=100"
    echo "ecosweep-phase train"
    echo "ecosweep-phase infer"
    echo "items=20"
    ;;
steps)
    echo "loss=5 step=1"
    echo '{"loss": 3, "step": 2}'
    echo "loss=$x step=3"
    ;;
fail) echo "loss=1"; exit 3 ;;
import)
    echo "Traceback (most recent call last):" >&2
    echo "  File \"train.py\", line 1, in <module>" >&2
    printf "ModuleNotFoundError: No module named 'torch'\033[31m\n\n" >&2
    exit 1 ;;
nometric) echo "no metric here" ;;
nan) echo "loss=nan" ;;
text) echo "loss=abc" ;;
escape) printf 'loss=\033]0;owned\007x\302\233y\n' ;;
noeol) printf 'loss=%s' "$x" ;;
crash) kill -SEGV $$ ;;
hang)
    # Reports, then becomes a long sleep itself: stopped, it dies of the
    # signal (no shell left to go on and report).
    echo "loss=$x"
    exec sleep 300
    ;;
sleep)
    sleep 60 &
    echo "$$ $!" > "$ECOSWEEP_TRIAL_DIR/pids"
    wait
    echo "loss=1"
    ;;
stubborn)
    trap '' TERM
    sleep 60 &
    echo "$$ $!" > "$ECOSWEEP_TRIAL_DIR/pids"
    wait
    wait
    echo "loss=1"
    ;;
flood)
    # 80 MB on one line with no newline, binary bytes, then the metric.
    head -c 80000000 /dev/zero | tr '\0' 'x'
    head -c 4096 /dev/urandom
    printf '\nloss=%s\n' "$x"
    ;;
manyreports)
    # 120,000 reports of a and of loss (past the history's cap), then the
    # last values: a=5, loss=$x.
    awk 'BEGIN { for (i = 0; i < 120000; i++) print "a=" i " loss=" i }'
    echo "a=5 loss=$x"
    ;;
daemonkill)
    # A daemon of its own session, then its worker killed outright.
    setsid sh -c 'echo $$ > "$ECOSWEEP_TRIAL_DIR/daemon"; exec sleep 60' </dev/null >/dev/null 2>&1 &
    while [ ! -s "$ECOSWEEP_TRIAL_DIR/daemon" ]; do sleep 0.01; done
    kill -KILL $PPID
    sleep 5
    ;;
bgonce)
    # The first attempt leaves a background child, its worker's pid and
    # the child's beside the trial directories, and waits; a later one
    # reports at once.
    if [ -e "$ECOSWEEP_TRIAL_DIR/../held" ]; then echo "loss=$x"; exit 0; fi
    sleep 60 &
    echo "$PPID $!" > "$ECOSWEEP_TRIAL_DIR/../held.tmp"
    mv "$ECOSWEEP_TRIAL_DIR/../held.tmp" "$ECOSWEEP_TRIAL_DIR/../held"
    wait
    ;;
subcg)
    # A daemon in a cgroup the trial makes below its own; its worker's pid
    # and the daemon's beside the trial directories, then a long wait.
    if [ -e "$ECOSWEEP_TRIAL_DIR/../held" ]; then echo "loss=$x"; exit 0; fi
    mnt=$(awk '{for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
    cg=$mnt$(sed -n 's/^0:://p' /proc/self/cgroup)
    mkdir "$cg/sub"
    setsid sh -c 'echo $$ > "$1/sub/cgroup.procs"; echo $$ > "$2/daemon"; exec sleep 60' sh "$cg" "$ECOSWEEP_TRIAL_DIR" </dev/null >/dev/null 2>&1 &
    while [ ! -s "$ECOSWEEP_TRIAL_DIR/daemon" ]; do sleep 0.01; done
    echo "$PPID $(cat "$ECOSWEEP_TRIAL_DIR/daemon")" > "$ECOSWEEP_TRIAL_DIR/../held.tmp"
    mv "$ECOSWEEP_TRIAL_DIR/../held.tmp" "$ECOSWEEP_TRIAL_DIR/../held"
    # Then itself: nothing is left in the trial's own cgroup.procs.
    echo $$ > "$cg/sub/cgroup.procs"
    exec sleep 60
    ;;
lines)
    # 300 reports at once, then a second's work.
    i=1
    while [ $i -le 300 ]; do echo "loss=$x step=$i"; i=$((i + 1)); done
    sleep 1
    ;;
leftover)
    # Done and successful, but leaves a child that ignores SIGTERM.
    ( trap '' TERM; sleep 30 ) &
    echo "loss=$x"
    exit 0
    ;;
nested)
    # Lines that would make a YAML parser work quadratically.
    i=0
    while [ $i -lt 10 ]; do
        printf '{'; head -c 65000 /dev/zero | tr '\0' '['; echo
        i=$((i + 1))
    done
    echo "loss=$x"
    ;;
burn)
    # Busy on one core for --secs seconds (default 0.3), then report x.
    secs=0.3
    for a in "$@"; do case "$a" in --secs=*) secs=${a#--secs=} ;; esac; done
    timeout "$secs" sh -c 'while :; do :; done'
    echo "loss=$x"
    ;;
argv)
    printf '%s\n' "$@" > "$ECOSWEEP_TRIAL_DIR/argv"
    echo "loss=1"
    ;;
env)
    { echo "id=$ECOSWEEP_TRIAL_ID"; echo "file=$ECOSWEEP_PARAMS_FILE"; cat "$ECOSWEEP_PARAMS_FILE"; echo; } > "$ECOSWEEP_TRIAL_DIR/env"
    echo "loss=1"
    ;;
curve)
    # A learning curve: loss = x + 1/k at steps k = 1..--steps (default 9),
    # one every --sleep seconds (default 0.1), so a large x is visibly bad
    # from the first step.  --nostep prints no step (reports are counted);
    # --stubborn ignores SIGTERM (so does the sleep it waits in).
    steps=9
    nap=0.1
    stepped=1
    for a in "$@"; do
        case "$a" in
        --steps=*) steps=${a#--steps=} ;;
        --sleep=*) nap=${a#--sleep=} ;;
        --nostep=True) stepped=0 ;;
        --stubborn=True) trap '' TERM ;;
        esac
    done
    k=1
    while [ $k -le "$steps" ]; do
        v=$(awk -v x="$x" -v k="$k" 'BEGIN { printf "%.6f", x + 1.0 / k }')
        if [ $stepped = 1 ]; then echo "loss=$v step=$k"; else echo "loss=$v"; fi
        sleep "$nap"
        k=$((k + 1))
    done
    ;;
stopworker)
    # Stops its own worker (SIGSTOP), then runs far past any timeout: the
    # coordinator must keep the timeout itself.
    sleep 60 &
    echo "$$ $!" > "$ECOSWEEP_TRIAL_DIR/pids"
    kill -STOP "$PPID"
    wait
    echo "loss=1"
    ;;
termworker)
    # Someone else's SIGTERM reaches the worker (here the trial's own).
    kill -TERM "$PPID"
    sleep 60
    ;;
okslow)
    # Reports a step, then x after 0.15-0.35 s: a coordinator killed at a
    # random moment lands in launches, metric writes and commits alike.
    echo "loss=$x step=1"
    sleep "$(printf '0.%02d' $(( $$ % 21 + 15 )))"
    echo "loss=$x"
    ;;
esac
