/*
 * es_test.h -- the project's small test harness.
 *
 * A test program is one or more .c files with ES_TEST(name) { ... } blocks.
 * `prog NAME` runs one test and exits 0 on success; `prog` alone lists the
 * names.  CMake's es_add_test_program() reads the ES_TEST lines of the
 * sources and registers each test with ctest as PROGRAM.NAME, so every test
 * runs alone.  Checks print file:line and the failed expression, then the
 * test stops (exit 1).
 */
#ifndef ES_TEST_H
#define ES_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*es_test_fn)(void);
void es_test_register(const char *name, es_test_fn fn);
/* Directory the program may write in (a fresh one per run, from $ES_TEST_TMP
 * or mkdtemp); removed afterwards only when the test passes. */
const char *es_test_tmpdir(void);
/* Path of a built binary next to the tests (ES_BUILD_DIR). */
const char *es_test_build_dir(void);
/* Path of the source tree (ES_SOURCE_DIR). */
const char *es_test_source_dir(void);

/* Write text to "<es_test_tmpdir()>/name" (the test fails if it cannot);
 * that path, in one of four rotating static buffers. */
const char *es_test_write_file(const char *name, const char *text);

#define ES_TEST(name)                                                                              \
    static void es_test_##name(void);                                                              \
    __attribute__((constructor)) static void es_test_reg_##name(void)                              \
    {                                                                                              \
        es_test_register(#name, es_test_##name);                                                   \
    }                                                                                              \
    static void es_test_##name(void)

#define ES_FAIL(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(1);                                                                                   \
    } while (0)

#define ES_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ES_FAIL("check failed: %s", #cond);                                                    \
    } while (0)

#define ES_CHECK_INT(a, b)                                                                         \
    do {                                                                                           \
        long long es_a_ = (long long)(a), es_b_ = (long long)(b);                                  \
        if (es_a_ != es_b_)                                                                        \
            ES_FAIL("%s == %s: %lld != %lld", #a, #b, es_a_, es_b_);                               \
    } while (0)

#define ES_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *es_a_ = (a), *es_b_ = (b);                                                     \
        if (es_a_ == NULL || es_b_ == NULL || strcmp(es_a_, es_b_) != 0)                           \
            ES_FAIL("%s == %s:\n  got:  '%s'\n  want: '%s'", #a, #b, es_a_ ? es_a_ : "(null)",     \
                    es_b_ ? es_b_ : "(null)");                                                     \
    } while (0)

#define ES_CHECK_NEAR(a, b, tol)                                                                   \
    do {                                                                                           \
        double es_a_ = (a), es_b_ = (b);                                                           \
        if (!(fabs(es_a_ - es_b_) <= (tol)))                                                       \
            ES_FAIL("%s ~= %s: %.17g vs %.17g (tol %g)", #a, #b, es_a_, es_b_, (double)(tol));     \
    } while (0)

#define ES_CHECK_CONTAINS(hay, needle)                                                             \
    do {                                                                                           \
        const char *es_h_ = (hay), *es_n_ = (needle);                                              \
        if (es_h_ == NULL || strstr(es_h_, es_n_) == NULL)                                         \
            ES_FAIL("'%s' does not contain '%s'", es_h_ ? es_h_ : "(null)", es_n_);                \
    } while (0)

#endif
