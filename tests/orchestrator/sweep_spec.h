/*
 * sweep_spec.h -- helpers shared by the end-to-end sweep tests.
 */
#ifndef ES_TEST_SWEEP_SPEC_H
#define ES_TEST_SWEEP_SPEC_H

#include <sys/types.h>

#include "store.h"

/* The database of the test's sweeps (set by write_spec). */
extern char db[4200];

/* "<es_test_tmpdir()>/name" (sweep_exec.h's rotating buffers). */
const char *path_in_tmp(const char *name);
/* Write a spec whose command runs trial.sh with the parameters in body
 * (a metric loss, minimize, unless body names one); its path. */
const char *write_spec(const char *name, const char *body);
/* `ecosweep ARGS... --db DB`; a run also gets --no-status and, unless it
 * names its own, --grace 0.5.  start returns the pid, finish its exit code,
 * run both. */
pid_t start(const char *const *args);
int finish(pid_t pid);
int run(const char *const *args);
char *slurp(const char *path);
es_store_data *load(void);
es_store_sweep *sweep_of(es_store_data *d, size_t i);
void show_output(void);
/* Process pid is gone within 3 s; both pids a sleeping trial wrote are. */
int gone(long pid);
void check_pids_gone(const es_store_trial *t);
/* Joules at the devices of a sweep's trials. */
double sweep_joules(const es_store_sweep *sw);

#endif
