#!/bin/sh
# The coordinator under valgrind: a Bayesian sweep with failing and crashing
# trials, then the reports, must leave no leak (definite, indirect or
# possible) and no memory error.  Usage: valgrind.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/es-valgrind-XXXXXX")
trap 'rm -rf "$dir"' EXIT
cat > "$dir/spec.yaml" <<SPEC
program: $src/tests/orchestrator/trial.sh
command: [/bin/sh, "\${program}", "\${args}"]
metric: {name: loss, goal: minimize}
method: bayes
seed: 5
run_cap: 8
parallel: 2
parameters:
  x: {min: 0.0, max: 1.0}
  mode: {values: [ok, ok, ok, fail, crash, nan]}
SPEC
vg() {
    name=$1
    shift
    if ! valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
        --log-file="$dir/$name.vg" "$build/ecosweep" "$@" > "$dir/$name.out" 2>&1; then
        status=$?
        # 3: the sweep ran and some trials failed, as this one means to.
        if [ "$name" != run ] || [ "$status" -ne 3 ] || [ -s "$dir/$name.vg" ]; then
            echo "ecosweep $name under valgrind: exit $status" >&2
            cat "$dir/$name.out" "$dir/$name.vg" >&2
            exit 1
        fi
    fi
    if [ -s "$dir/$name.vg" ]; then
        echo "ecosweep $name: valgrind reported:" >&2
        cat "$dir/$name.vg" >&2
        exit 1
    fi
    echo "ecosweep $name: no leak, no error"
}
vg run run "$dir/spec.yaml" --db "$dir/t.db" --no-status --worker "$build/ecosweep-worker"
grep -q "8 trials" "$dir/run.out" || { cat "$dir/run.out" >&2; exit 1; }
vg report report --db "$dir/t.db" --format html
vg ls ls --db "$dir/t.db"
vg json report --db "$dir/t.db" --format json
