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
