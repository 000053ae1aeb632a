#!/bin/sh
# cluster.sh: bring up / tear down a REAL single-node Slurm cluster on localhost, for
# ecosweep's tests, from Debian 12's packages (tests/slurm/install-deps installs them).
#
#   sh tests/slurm/cluster.sh start  DIR [--accounting]   start (or keep) the cluster
#   sh tests/slurm/cluster.sh stop   DIR                  cancel all jobs, stop the daemons
#   sh tests/slurm/cluster.sh status DIR                  0 all up, 3 all down, 1 partly up
#   sh tests/slurm/cluster.sh env    DIR                  print `export SLURM_CONF=...` lines
#
#   eval "$(sh tests/slurm/cluster.sh env DIR)"; srun -n1 true; squeue; sacct ...
#
# Must run as root (slurmd has to be root to launch jobs; no systemd is needed or used).
# Every daemon is started by this script and stopped by the PID in its pid file in DIR/run/
# (each daemon writes its own; a pid is only signalled while /proc/PID/comm still names that
# daemon).  `stop` first cancels every job, so no job process outlives the cluster.  Where PID 1
# does not reap orphans (this project's container), stopped daemons linger as zombies; they
# count as stopped.  Typical times on 2 cores: start 0.5 s; with --accounting 4.5 s the first
# time (mariadb-install-db), 2.5 s after; stop 0.4-2 s.
#
# Everything lives under DIR; nothing under /etc, /run or /var is written or needed, so a cluster
# here neither depends on nor clobbers a system-wide Slurm, munge or MariaDB (the packages' own
# daemons, if their install scripts started any, are left alone and not used):
#   DIR/slurm.conf, DIR/slurmdbd.conf   configuration, regenerated at every start
#                                       (all Slurm commands read it through $SLURM_CONF;
#                                       slurmdbd finds slurmdbd.conf next to it)
#   DIR/munge/                          a private munged: key, socket, seed.  Slurm is told the
#                                       socket with AuthInfo=socket=... (daemons and commands) and
#                                       AccountingStoragePass=<socket> (the commands' connection to
#                                       slurmdbd uses that, not AuthInfo), so the system munged
#                                       (/run/munge/munge.socket.2) is never used.  A Unix socket
#                                       path is limited to 107 bytes: DIR may be 80 at most.
#   DIR/state/ DIR/spool/               slurmctld's StateSaveLocation, slurmd's SlurmdSpoolDir
#   DIR/mysql/                          MariaDB data directory (--accounting only)
#   DIR/log/*.log  DIR/run/*.pid        daemon logs and pid files
# Ports (TCP on 127.0.0.1 only): slurmctld $ES_SLURM_PORT (default 16817), slurmd +1,
# slurmdbd +2, MariaDB +3.  Non-default ports so a system Slurm on 6817/6818 is not disturbed;
# set ES_SLURM_PORT to run two clusters side by side (start refuses ports already listening).
# Other knobs: ES_SLURM_TIMEOUT (seconds to wait for the node to be idle, default 60),
# ES_SLURM_ENERGY, ES_SLURM_PROCTRACK, ES_SLURM_TASK (plugin names, for experiments).
#
# Config choices (tested on Debian 12, Slurm 22.05.8, munge 0.5.15, MariaDB 10.11, on this
# project's 2-CPU Firecracker VM: cgroup v1, PID 1 is not systemd, no /sys/class/powercap):
# - SlurmctldHost=HOST(127.0.0.1), NodeAddr=127.0.0.1: the host name comes from `hostname -s` at
#   start and need not resolve in DNS.
# - The node line is `slurmd -C`'s own view of the machine (CPUs, sockets, cores, threads,
#   RealMemory), so slurmd never registers with less than configured (which would drain it).
# - SelectType=select/cons_tres with CR_CPU: every CPU (hardware thread) is schedulable on its
#   own, so N one-CPU `srun -c1` jobs run at once on an N-CPU node (CR_Core would give a whole
#   core to each, halving that on SMT machines).  Memory is not a consumable resource, so jobs
#   need no --mem.
# - ProctrackType=proctrack/linuxproc: tracks a step's processes through the /proc parent tree,
#   so scancel/timeouts also reach children that moved to their own process group or session
#   (tested: after scancel, a `setsid sleep` started by the job survives proctrack/pgid but not
#   linuxproc).  proctrack/cgroup and task/cgroup need a cgroup.conf and a writable cgroup
#   hierarchy: without cgroup.conf every launch fails ("cgroup namespace 'freezer' not
#   mounted"); with CgroupPlugin=cgroup/v1 they work on this project's VM (writable cgroup v1),
#   but they create /sys/fs/cgroup/*/slurm_<host> (state outside DIR) and fail in containers
#   without cgroup delegation, so they are not used.  Orphans re-parented to init escape
#   linuxproc; that is accepted.
# - TaskPlugin=task/affinity: binds each task to its allocated CPUs with sched_setaffinity
#   (works without cgroups; `srun -c1` sees Cpus_allowed_list of one CPU).
# - MinJobAge=2 (seconds a finished job stays in squeue) and KillWait=2 (SIGTERM -> SIGKILL
#   grace at a time limit or scancel), so cancelled and timed-out jobs leave squeue quickly;
#   OverTimeLimit=0 so --time is enforced on the minute.
# - ReturnToService=2: a node that was DOWN in saved state becomes usable as soon as it
#   registers again; a DRAINED one (e.g. "Kill task failed") is resumed by start.  start waits
#   for the node to be idle AND registered by the new slurmd (SlurmdStartTime), because after a
#   restart slurmctld shows the node idle from saved state before slurmd has registered.
# - EnforcePartLimits=ALL: a job that can never run here (say srun -c4 on 2 CPUs) is refused at
#   once ("srun: error: Unable to allocate resources: More processors requested than
#   permitted", exit 1) instead of pending forever with reason PartitionConfig.
# - GresTypes=gpu with two stand-in GPUs (gres.conf: /dev/null and /dev/zero as their device
#   files, AutoDetect=off): --gres=gpu:1 then sets CUDA_VISIBLE_DEVICES as on a GPU node, so the
#   worker's NVML metering can be tested against a fake libnvidia-ml.
# - MailProg=/bin/true: Debian has no /bin/mail by default and slurmctld complains.
# - With --accounting, JobAcctGatherType=jobacct_gather/linux (poll /proc every 5 s), needed for
#   any per-step usage and energy in sacct (jobacct_gather/none without accounting).  AcctGatherEnergyType is acct_gather_energy/none unless
#   ES_SLURM_ENERGY names a plugin (rapl, gpu, ...).  No energy plugin can produce numbers from
#   Debian 12's packages here: acct_gather_energy/rapl reads Intel RAPL MSRs through
#   /dev/cpu/N/msr (msr module), not /sys/class/powercap -- this VM (AMD EPYC, Firecracker) has
#   neither, so sacct's ConsumedEnergyRaw is empty with rapl and 0 with none; ipmi and xcc are
#   not packaged; acct_gather_energy/gpu needs gpu/nvml or gpu/rsmi, which Debian does not
#   build (only gpu_generic.so ships); ibmaem and pm_counters need IBM/Cray hardware.
# - --accounting: a private MariaDB (mariadb-install-db into DIR/mysql on first start, then
#   mariadbd --user=root on 127.0.0.1 only) and slurmdbd with accounting_storage/mysql, so that
#   `sacct` works (with AccountingStorageType=accounting_storage/none it cannot: sacct needs
#   slurmdbd, and Slurm 22.05 has no file-based accounting storage).  --no-defaults keeps
#   /etc/mysql out of it; the slurm@127.0.0.1 user and database come from an --init-file.
#   slurmctld registers the cluster in the database by itself on first contact.  A finished
#   job is in sacct by the time srun returns (one sacct call takes ~0.15 s).
set -u

ES_SLURM_PORT=${ES_SLURM_PORT:-16817}
ES_SLURM_TIMEOUT=${ES_SLURM_TIMEOUT:-60}
PATH=$PATH:/usr/sbin:/sbin

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*"; }

usage() {
    echo "usage: cluster.sh start DIR [--accounting] | stop DIR | status DIR | env DIR" >&2
    exit 2
}

# --- pid bookkeeping -------------------------------------------------------------------------

# pid_of NAME: the recorded pid of daemon NAME if that process is alive and is that daemon
# (its /proc/PID/comm starts with the executable's name; guards against a reused pid).
pid_of() {
    f="$D/run/$1.pid"
    [ -s "$f" ] || return 1
    p=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
    [ -n "$p" ] || return 1
    [ -r "/proc/$p/comm" ] || return 1
    c=$(cat "/proc/$p/comm" 2>/dev/null) || return 1
    case "$1" in
        mariadb) case "$c" in mariadbd*|mysqld*) ;; *) return 1 ;; esac ;;
        *) case "$c" in "$1"*) ;; *) return 1 ;; esac ;;
    esac
    # a zombie is as good as gone
    st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$p/status" 2>/dev/null)
    [ "$st" != Z ] || return 1
    echo "$p"
}

running() { pid_of "$1" >/dev/null; }

# Loops wait on the clock, not on a count: a probe (sinfo, sacctmgr) can itself take seconds.
deadline() { echo $(($(date +%s) + $1)); }
before() { [ "$(date +%s)" -lt "$1" ]; }

# stop_daemon NAME: SIGTERM the recorded pid, wait up to 15 s, then SIGKILL.
stop_daemon() {
    p=$(pid_of "$1") || { rm -f "$D/run/$1.pid"; return 0; }
    kill -TERM "$p" 2>/dev/null
    t=$(deadline 15)
    while running "$1"; do
        if ! before "$t"; then
            echo "cluster.sh: $1 (pid $p) ignored SIGTERM for 15 s; sending SIGKILL" >&2
            kill -KILL "$p" 2>/dev/null
            sleep 1
            running "$1" && { echo "cluster.sh: $1 (pid $p) will not die" >&2; return 1; }
            break
        fi
        sleep 0.1
    done
    rm -f "$D/run/$1.pid"
}

# wait_pidfile NAME SECONDS: wait until daemon NAME has written its pid file and is alive.
wait_pidfile() {
    t=$(deadline "$2")
    while ! running "$1"; do
        before "$t" || return 1
        sleep 0.1
    done
}

daemons() {
    echo munged
    [ -f "$D/accounting" ] && echo mariadb slurmdbd
    echo slurmctld slurmd
}

log_tails() {
    for f in "$D"/log/*.log; do
        [ -f "$f" ] || continue
        echo "----- last lines of $f -----" >&2
        tail -n 25 "$f" >&2
    done
}

fail_start() {
    echo "cluster.sh: start failed: $*" >&2
    log_tails
    echo "cluster.sh: stopping what was started" >&2
    do_stop >/dev/null 2>&1
    exit 1
}

# --- configuration ---------------------------------------------------------------------------

write_config() {
    host=$(hostname -s) || die "hostname -s failed"
    [ -n "$host" ] || die "empty host name"
    # slurmd -C prints e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2
    # ThreadsPerCore=1 RealMemory=24105" (first line) and "UpTime=..." (second line).
    hw=$(slurmd -C 2>/dev/null | head -n1)
    case "$hw" in
        NodeName=*) hw=${hw#NodeName=* } ;;
        *) hw="CPUs=$(nproc) RealMemory=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)" ;;
    esac
    energy=acct_gather_energy/none
    [ -n "${ES_SLURM_ENERGY:-}" ] && energy=acct_gather_energy/${ES_SLURM_ENERGY#acct_gather_energy/}
    if [ -f "$D/accounting" ]; then
        acct="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=$host
AccountingStoragePort=$((ES_SLURM_PORT + 2))
AccountingStoragePass=$D/munge/munge.socket
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=5,energy=5
AcctGatherEnergyType=$energy
AcctGatherNodeFreq=5"
    else
        acct="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
AcctGatherEnergyType=$energy"
    fi
    cat >"$D/slurm.conf.new" <<EOF
# Generated by tests/slurm/cluster.sh at start; see that script for why each choice is made.
ClusterName=ecosweep
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ES_SLURM_PORT
SlurmdPort=$((ES_SLURM_PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge/munge.socket
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/${ES_SLURM_PROCTRACK:-linuxproc}
TaskPlugin=task/${ES_SLURM_TASK:-affinity}
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
LaunchType=launch/slurm
ReturnToService=2
EnforcePartLimits=ALL
MinJobAge=2
KillWait=2
OverTimeLimit=0
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
$acct
JobCompType=jobcomp/none
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 $hw Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    mv "$D/slurm.conf.new" "$D/slurm.conf"
    # Two stand-in GPUs (no NVIDIA device here): Slurm hands them out with
    # --gres=gpu:N and sets CUDA_VISIBLE_DEVICES, so the worker's NVML path
    # can be tested against the fake libnvidia-ml.  Any two character devices
    # serve as their files.
    cat >"$D/gres.conf" <<EOF
AutoDetect=off
NodeName=$host Name=gpu File=/dev/null
NodeName=$host Name=gpu File=/dev/zero
EOF

    if [ -f "$D/accounting" ]; then
        umask 077
        cat >"$D/slurmdbd.conf.new" <<EOF
# Generated by tests/slurm/cluster.sh (--accounting).  Mode 0600: slurmdbd insists.
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
DbdHost=$host
DbdAddr=127.0.0.1
DbdPort=$((ES_SLURM_PORT + 2))
SlurmUser=root
PidFile=$D/run/slurmdbd.pid
LogFile=$D/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((ES_SLURM_PORT + 3))
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
EOF
        mv "$D/slurmdbd.conf.new" "$D/slurmdbd.conf"
        umask 022
    fi
}

# --- daemons ---------------------------------------------------------------------------------

start_munged() {
    running munged && return 0
    if [ ! -s "$D/munge/munge.key" ]; then
        (umask 077; dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null) ||
            fail_start "cannot create $D/munge/munge.key"
    fi
    chmod 0600 "$D/munge/munge.key"
    rm -f "$D/munge/munge.socket" "$D/munge/munge.socket.lock"
    # munged forks into the background itself and writes its pid file.
    munged --socket="$D/munge/munge.socket" --key-file="$D/munge/munge.key" \
        --pid-file="$D/run/munged.pid" --log-file="$D/log/munged.log" \
        --seed-file="$D/munge/munged.seed" </dev/null >>"$D/log/munged.log" 2>&1 ||
        fail_start "munged exited with status $?"
    wait_pidfile munged 10 || fail_start "munged did not start"
    munge -n -S "$D/munge/munge.socket" 2>/dev/null | unmunge -S "$D/munge/munge.socket" >/dev/null 2>&1 ||
        fail_start "munged does not answer on $D/munge/munge.socket"
}

start_mariadb() {
    running mariadb && return 0
    command -v mariadbd >/dev/null 2>&1 || fail_start "mariadbd not found (sh tests/slurm/install-deps --accounting)"
    if [ ! -d "$D/mysql/data/mysql" ]; then
        rm -rf "$D/mysql/data"
        mkdir -p "$D/mysql/data"
        mariadb-install-db --no-defaults --datadir="$D/mysql/data" --user=root \
            --auth-root-authentication-method=socket --skip-test-db \
            >>"$D/log/mariadb-install.log" 2>&1 ||
            fail_start "mariadb-install-db failed"
    fi
    cat >"$D/mysql/init.sql" <<'EOF'
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
EOF
    # mariadbd does not daemonize: run it in its own session in the background; it writes its
    # pid file itself.  Small buffers: this database holds a few test jobs.
    setsid mariadbd --no-defaults --user=root --datadir="$D/mysql/data" \
        --socket="$D/mysql/mysqld.sock" --port=$((ES_SLURM_PORT + 3)) --bind-address=127.0.0.1 \
        --skip-name-resolve --pid-file="$D/run/mariadb.pid" --log-error="$D/log/mariadb.log" \
        --init-file="$D/mysql/init.sql" --innodb-buffer-pool-size=32M \
        --innodb-log-file-size=16M --innodb-lock-wait-timeout=900 --skip-log-bin \
        </dev/null >>"$D/log/mariadb.log" 2>&1 &
    wait_pidfile mariadb 30 || fail_start "mariadbd did not start"
    # The pid file appears before the port is open and the init file has run; wait for both.
    t=$(deadline 30)
    until grep -q "ready for connections" "$D/log/mariadb.log" 2>/dev/null; do
        before "$t" || fail_start "mariadbd not ready for connections after 30 s"
        running mariadb || fail_start "mariadbd exited"
        sleep 0.1
    done
}

start_slurmdbd() {
    running slurmdbd && return 0
    slurmdbd </dev/null >>"$D/log/slurmdbd.log" 2>&1 || fail_start "slurmdbd exited with status $?"
    wait_pidfile slurmdbd 20 || fail_start "slurmdbd did not start"
    # slurmctld only registers with slurmdbd if it can reach it: wait for the port.
    t=$(deadline 20)
    until sacctmgr -n -P list cluster format=Cluster >"$D/log/sacctmgr.log" 2>&1; do
        before "$t" || fail_start "slurmdbd does not answer sacctmgr after 20 s"
        running slurmdbd || fail_start "slurmdbd exited"
        sleep 0.1
    done
}

start_slurmctld() {
    running slurmctld && return 0
    slurmctld </dev/null >>"$D/log/slurmctld.log" 2>&1 || fail_start "slurmctld exited with status $?"
    wait_pidfile slurmctld 20 || fail_start "slurmctld did not start"
}

start_slurmd() {
    running slurmd && return 0
    slurmd </dev/null >>"$D/log/slurmd.log" 2>&1 || fail_start "slurmd exited with status $?"
    wait_pidfile slurmd 20 || fail_start "slurmd did not start"
}

# port_busy PORT: is something listening on TCP PORT (any address)?  Read from /proc so that
# no iproute2/net-tools is needed.
port_busy() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h="$hex" '$4 == "0A" { split($2, a, ":"); if (a[2] == h) f = 1 } END { exit !f }'
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# lap NAME: note how long the step since the last lap took, for the "cluster up" line.
lap() {
    laps="${laps:+$laps, }$1 $(elapsed "$tl") s"
    tl=$(date +%s.%N)
}

node_state() {
    sinfo -h -N -n "$(hostname -s)" -o %T 2>/dev/null | head -n1
}

do_start() {
    [ "$(id -u)" -eq 0 ] || die "start needs root (slurmd must run as root)"
    for c in munged munge unmunge slurmctld slurmd sinfo; do
        command -v "$c" >/dev/null 2>&1 || die "$c not found; run: sh tests/slurm/install-deps"
    done
    mkdir -p "$D" || die "cannot create $D"
    D=$(cd "$D" && pwd -P) || die "cannot enter $D"
    export SLURM_CONF="$D/slurm.conf"
    [ ${#D} -le 80 ] || die "DIR is too long for a Unix socket path (${#D} > 80 bytes): $D"

    # Already up (with accounting if that is asked for)?  Then there is nothing to do.
    # A cluster with accounting also serves a plain `start`.
    if [ "$accounting" = 0 ] || [ -f "$D/accounting" ]; then
        all=1
        for d in $(daemons); do running "$d" || all=0; done
        if [ "$all" = 1 ]; then
            case "$(node_state)" in
                idle|mixed|allocated|completing) say "already running in $D"; return 0 ;;
            esac
        fi
    fi
    # Something is partly up, or the accounting choice changed: start from a clean slate
    # (saved state, spool, database and key are kept).
    do_stop >/dev/null 2>&1

    mkdir -p "$D/munge" "$D/state" "$D/spool" "$D/log" "$D/run" || die "cannot populate $D"
    # munged wants its socket directory searchable by all and writable only by its owner.
    chmod 0755 "$D/munge"
    rm -f "$D/accounting"
    if [ "$accounting" = 1 ]; then
        for c in mariadbd mariadb-install-db slurmdbd sacctmgr; do
            command -v "$c" >/dev/null 2>&1 || die "$c not found; run: sh tests/slurm/install-deps --accounting"
        done
        mkdir -p "$D/mysql"
        : >"$D/accounting"
    fi
    ports="$ES_SLURM_PORT $((ES_SLURM_PORT + 1))"
    [ "$accounting" = 1 ] && ports="$ports $((ES_SLURM_PORT + 2)) $((ES_SLURM_PORT + 3))"
    for port in $ports; do
        port_busy "$port" &&
            die "TCP port $port is in use (another cluster? set ES_SLURM_PORT to another base port)"
    done
    write_config
    for f in "$D"/log/*.log; do [ -f "$f" ] && mv -f "$f" "$f.old"; done

    t0=$(date +%s.%N)
    tl=$t0 laps=""
    start_munged; lap munged
    if [ "$accounting" = 1 ]; then
        start_mariadb; lap mariadb
        start_slurmdbd; lap slurmdbd
    fi
    start_slurmctld; lap slurmctld
    t_slurmd=$(date +%Y-%m-%dT%H:%M:%S)
    start_slurmd; lap slurmd

    t=$(deadline "$ES_SLURM_TIMEOUT")
    while :; do
        # Idle, and registered by the slurmd just started: after a restart slurmctld shows the
        # node idle from its saved state before slurmd has registered.
        st=$(node_state)
        if [ "$st" = idle ]; then
            since=$(scontrol -o show node "$(hostname -s)" 2>/dev/null |
                    sed -n 's/.*SlurmdStartTime=\([^ ]*\).*/\1/p')
            awk -v a="$since" -v b="$t_slurmd" 'BEGIN { exit !(a >= b) }' && break
            st="idle, but the new slurmd has not registered"
        fi
        # DRAIN (e.g. "Kill task failed" in an earlier run) survives restarts and
        # ReturnToService: resume the node once.
        case "$st" in
            drain*|down*|fail*)
                if [ -z "${resumed:-}" ]; then
                    resumed=1
                    scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1
                fi ;;
        esac
        before "$t" ||
            fail_start "node not idle after ${ES_SLURM_TIMEOUT} s (state: ${st:-no answer from slurmctld})"
        for d in $(daemons); do running "$d" || fail_start "$d exited"; done
        sleep 0.2
    done
    lap "node idle"
    say "cluster up in $D in $(elapsed "$t0") s ($laps): $(sinfo -h -N -o '%N %T %c CPUs %m MB')"
}

do_stop() {
    [ -d "$D" ] || { say "not running ($D does not exist)"; return 0; }
    D=$(cd "$D" && pwd -P) || return 1
    export SLURM_CONF="$D/slurm.conf"
    # Cancel every job first, so no slurmstepd or job process outlives the cluster.
    if running slurmctld; then
        jobs=$(squeue -h -o %A 2>/dev/null)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null
            t=$(deadline 10)
            while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && before "$t"; do
                sleep 0.1
            done
        fi
    fi
    any=0
    for d in slurmd slurmctld slurmdbd mariadb munged; do
        if running "$d"; then any=1; fi
        stop_daemon "$d"
    done
    rm -f "$D/munge/munge.socket" "$D/munge/munge.socket.lock"
    if [ "$any" = 1 ]; then say "stopped cluster in $D"; else say "not running in $D"; fi
}

do_status() {
    [ -d "$D" ] || { say "not running ($D does not exist)"; return 3; }
    D=$(cd "$D" && pwd -P)
    export SLURM_CONF="$D/slurm.conf"
    up=0 down=0
    for d in $(daemons); do
        if p=$(pid_of "$d"); then
            echo "$d: running (pid $p)"; up=$((up + 1))
        else
            echo "$d: stopped"; down=$((down + 1))
        fi
    done
    if running slurmctld; then
        echo "node: $(sinfo -h -N -o '%N %T %c CPUs %m MB' 2>/dev/null)"
        echo "jobs: $(squeue -h 2>/dev/null | wc -l)"
    fi
    [ "$down" -eq 0 ] && return 0
    [ "$up" -eq 0 ] && return 3
    return 1
}

do_env() {
    case "$D" in /*) ;; *) D=$(pwd -P)/$D ;; esac
    [ -d "$D" ] && D=$(cd "$D" && pwd -P)
    echo "export SLURM_CONF='$D/slurm.conf'"
    echo "export ES_SLURM_DIR='$D'"
}

[ $# -ge 2 ] || usage
cmd=$1 D=$2
shift 2
case "$D" in
    ""|*[[:space:]\'\"\\\$\`]*) die "DIR must be non-empty, without blanks, quotes, \\, \$ or \`: '$D'" ;;
esac
accounting=0
for a in "$@"; do
    case "$a" in
        --accounting) [ "$cmd" = start ] || usage; accounting=1 ;;
        *) usage ;;
    esac
done
case "$cmd" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    env) do_env ;;
    *) usage ;;
esac
