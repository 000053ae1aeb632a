/*
 * cli_exec.h -- running the built `ecosweep` binary from a test, as a user
 * would: in the test's directory, with its stdout and stderr captured.
 * Shared by the tests of `ecosweep project` and `ecosweep estimate`.
 */
#ifndef ES_TEST_CLI_EXEC_H
#define ES_TEST_CLI_EXEC_H

/* Run `ecosweep ARGS...` (args NULL-terminated) in es_test_tmpdir(), with
 * $TMPDIR set to tmpdir when it is not NULL.  Returns the exit code (128 +
 * signal when killed); *out and *err (may be NULL) receive what it printed,
 * in static buffers that the next call overwrites. */
int es_test_ecosweep(const char *const *args, const char *tmpdir, const char **out,
                     const char **err);

/* The same, calling in_child(ud) in the child just before it looks up
 * $ES_BUILD_DIR/ecosweep and runs it (to lower a limit, drop privileges or
 * point ES_BUILD_DIR at a copy of the binary); its output files are open
 * by then. */
int es_test_ecosweep_with(const char *const *args, const char *tmpdir, void (*in_child)(void *ud),
                          void *ud, const char **out, const char **err);

/* "<es_test_tmpdir()>/name", in one of four rotating static buffers. */
const char *es_test_path(const char *name);

#endif
