/*
 * fuzz.h -- the entry point every harness in tests/fuzz/ defines.
 *
 * Each fuzz_*.c file defines LLVMFuzzerTestOneInput and is built twice:
 * with clang and libFuzzer when ES_FUZZ is on (the fuzzer calls it with
 * generated inputs), and in every build with replay.c, whose main() feeds it
 * each file of the committed corpus and of regressions/, so that a crash once
 * found stays fixed without clang.  A harness returns 0 and reports a bug by
 * crashing (a sanitizer report, or abort() on a broken invariant).
 */
#ifndef ES_FUZZ_H
#define ES_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
