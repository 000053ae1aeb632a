/*
 * trial_setup.h -- what a trial needs on disk and in its environment
 * before it is launched: its directory, its parameter file, its command
 * line as JSON for the store, and the environment it gets (inherited, less
 * what the spec's `env.remove` names, plus `env.set` and ECOSWEEP_*).
 *
 * Pure helpers, without the event loop.  Ownership: functions returning a
 * fresh string or vector say so; vectors are freed with es_strv_free() (spec.h).
 */
#ifndef ES_TRIAL_SETUP_H
#define ES_TRIAL_SETUP_H

#include <stddef.h>
#include <stdio.h>

#include "spec.h"

/* mkdir -p; directories it creates get mode 0775 less the umask, so they
 * are never writable by others.  0 or -errno. */
int es_mkdir_p(const char *path);

/* Open path for writing, creating it with mode 0664 less the umask (never
 * writable by others; an existing file loses that bit) or truncating it,
 * as es_file_createat does (a final component that is a link, or a file
 * with another hard link, is refused).  The stream, or NULL with errno set. */
FILE *es_file_create(const char *path);

/* Write text to path, replacing it (created as es_file_create does).  0 or
 * -errno. */
int es_write_file(const char *path, const char *text);

/* Open directory root/rel (rel a relative path such as "sweep-3/trial-0"),
 * creating what is missing: root as the user's path (symlinks followed:
 * it is where the database is), every component of rel below it with
 * O_NOFOLLOW, so that a link planted there (by whoever can write in root)
 * is refused (-ELOOP), never followed.  Directories get mode 0755 less the
 * umask, 0700 with private_ (the database is not group-readable).  The
 * directory's descriptor into *out; 0 or -errno. */
int es_dir_open_under(const char *root, const char *rel, int private_, int *out);

/* es_file_create in directory dirfd, refusing a name that is a symlink or
 * a file with another hard link (either could point at someone's file: it
 * is left untouched), and truncating only after those checks.  NULL with
 * errno set (ELOOP, EPERM) on refusal. */
FILE *es_file_createat(int dirfd, const char *name);

/* Rename entry from to to inside root/rel (opened as es_dir_open_under
 * does: nothing is moved outside it).  0 or -errno. */
int es_rename_under(const char *root, const char *rel, const char *from, const char *to,
                    int private_);

/* es_write_file in directory dirfd, as es_file_createat creates. */
int es_write_fileat(int dirfd, const char *name, const char *text);

/* argv (NULL-terminated) as a JSON array of strings; fresh string, or NULL
 * when out of memory. */
char *es_argv_json(char *const *argv);

/* A trial's environment: base (NULL: this process's environ), minus the
 * variables spec_env removes (es_spec_env_removes: never ECOSWEEP_*),
 * minus those it sets and those named in names, then spec_env's set
 * variables, then names[i]=values[i] for i < n (ecosweep's own, which win
 * over a set variable of the same name).  spec_env may be NULL (nothing
 * removed or set).  A fresh NULL-terminated vector, or NULL when out of
 * memory. */
char **es_env_build(char *const *base, const es_spec_env *spec_env, const char *const *names,
                    const char *const *values, size_t n);

#endif
