/*
 * trial_setup.h -- what a trial needs on disk and in its environment
 * before it is launched: its directory, its parameter file, its command
 * line as JSON for the store, and the environment it inherits.
 *
 * Pure helpers, without the event loop.  Ownership: functions returning a
 * fresh string or vector say so; vectors are freed with es_strv_free().
 */
#ifndef ES_TRIAL_SETUP_H
#define ES_TRIAL_SETUP_H

#include <stddef.h>

/* mkdir -p with mode 0777 (the umask applies).  0 or -errno. */
int es_mkdir_p(const char *path);

/* Write text to path, replacing it.  0 or -errno. */
int es_write_file(const char *path, const char *text);

/* argv (NULL-terminated) as a JSON array of strings; fresh string, or NULL
 * when out of memory. */
char *es_argv_json(char *const *argv);

/* The process environment, minus any variable named in names, plus
 * names[i]=values[i] for i < n; a fresh NULL-terminated vector, or NULL
 * when out of memory. */
char **es_env_with(const char *const *names, const char *const *values, size_t n);

/* Free a NULL-terminated vector of strings and the vector; NULL allowed. */
void es_strv_free(char **v);

#endif
