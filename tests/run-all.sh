#!/bin/sh
# Build ecosweep with warnings as errors and run the whole test suite (the
# Slurm tests against a local cluster included, when root), then
# build it again with AddressSanitizer + UndefinedBehaviorSanitizer and run
# the suite once more, and finally run the fuzz harnesses for a minute each
# (when clang is there).  Used by the README's test command and by .ci/run.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# The Slurm tests start a real single-node cluster (tests/slurm/), which
# takes root and Slurm's packages (.ci/install-deps installs them).
slurm=OFF
if [ "$(id -u)" -eq 0 ] && PATH=$PATH:/usr/sbin:/sbin command -v slurmctld >/dev/null 2>&1 &&
    PATH=$PATH:/usr/sbin:/sbin command -v mariadbd >/dev/null 2>&1; then
    slurm=ON
else
    echo "run-all: Slurm tests SKIPPED: they need root and tests/slurm/install-deps --accounting"
fi
cmake -S . -B build -DES_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DES_SLURM_TESTS=$slurm
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
cmake -S . -B build-asan -DES_WERROR=ON -DES_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

# Last stage: the libFuzzer harnesses (tests/fuzz/), each for a bounded time
# from the committed seed corpus.  Needs clang with its runtime libraries
# (.ci/install-deps installs them); skipped, with a message, without it.
# ES_FUZZ_SECONDS changes the time per harness (0 skips the stage).
fuzz_seconds=${ES_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -eq 0 ]; then
    echo "run-all: fuzz stage skipped (ES_FUZZ_SECONDS=0)"
elif ! command -v clang >/dev/null 2>&1; then
    echo "run-all: fuzz stage SKIPPED: clang not found (apt-get install clang libclang-rt-14-dev)"
elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
    clang -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1; then
    echo "run-all: fuzz stage SKIPPED: clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"
else
    cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DES_FUZZ=ON -DES_WERROR=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build build-fuzz -j"$jobs" --target fuzzers
    sh tests/fuzz/run.sh build-fuzz "$fuzz_seconds"
fi
