# Sourced by the benchmark scripts: what every result records about where
# and with what it ran.  bench_describe ROOT BUILD sets
#   commit      the checkout's short commit ("(with uncommitted changes)" when dirty)
#   machine     cores, CPU model, kernel and Debian release
#   cpu_source  how the worker meters the CPU here (rapl:..., estimate:...)
# and jesc STRING prints STRING escaped for a JSON string.
bench_describe() {
    commit=$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo unknown)
    [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
        commit="$commit (with uncommitted changes)"
    machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
    cpu_source=$("$2/ecosweep-worker" -- true 2>&1 >/dev/null | tr ' ' '\n' | sed -n 's/^cpu_source=//p')
}
jesc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# bench_run_all CMDS JOBS OUT: run each line of file CMDS as a shell command,
# JOBS at a time, and write what they print, in CMDS's order, to OUT.
bench_run_all() {
    awk -v p="$1" '{ print $0 " > " p ".out." NR }' "$1" | xargs -P "$2" -I{} sh -c '{}'
    _n=$(wc -l < "$1")
    _i=1
    : > "$3"
    while [ "$_i" -le "$_n" ]; do
        cat "$1.out.$_i" >> "$3"
        _i=$((_i + 1))
    done
}

# bench_opts ARGS...: a benchmark's command line, `[--seeds N] [--jobs J]
# [BUILD_DIR]`, into $seeds and $jobs (the script sets their defaults
# first) and $bench_build (default build).
bench_opts() {
    bench_build=build
    while [ $# -gt 0 ]; do
        case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        *) bench_build=$1; shift ;;
        esac
    done
}

# bench_suite DRIVER ARGS...: the start the in-process suites share: their
# command line (bench_opts), $build, $bin (BUILD/tests/search/DRIVER, which
# must be built) and the scratch folder $work.
bench_suite() {
    _driver=$1
    shift
    bench_opts "$@"
    build=$bench_build
    bin=$build/tests/search/$_driver
    bench_need "$bin"
    bench_tmp
}

# bench_need FILE: stop, saying so, when the benchmark's binary FILE is not
# built.  bench_tmp: a scratch folder in $work, removed on exit.
bench_need() {
    [ -x "$1" ] || { echo "$(basename "$0"): no $1 (build first)" >&2; exit 1; }
}
# bench_workdir KEEP: the work directory $tmp, with specs/ and runs/ in it,
# kept when KEEP is 1 (said on stderr), else removed on exit; and $start,
# $load_start: when, and under what load, the benchmark began.
bench_workdir() {
    tmp=$(mktemp -d)
    if [ "$1" = 1 ]; then
        echo "$(basename "$0"): keeping the work directory $tmp" >&2
    else
        trap 'rm -rf "$tmp"' EXIT
    fi
    mkdir -p "$tmp/specs" "$tmp/runs"
    start=$(date +%s)
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
}
# bench_watts BUILD: $cpu_source (how BUILD's worker meters the CPU here)
# and $watts, the watts per core of its estimate, which the Optuna sides
# charge per CPU-second (12, Green Algorithms' default, with a counter).
bench_watts() {
    cpu_source=$("$1/ecosweep-worker" -- true 2>&1 >/dev/null | tr ' ' '\n' | sed -n 's/^cpu_source=//p')
    watts=$(echo "$cpu_source" | sed -n 's/^estimate:\([0-9.]*\)W\/core.*/\1/p')
    [ -n "$watts" ] || watts=12
}
bench_tmp() {
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
}
