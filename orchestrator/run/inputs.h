/*
 * inputs.h -- what a trial's result depends on besides its command line
 * and parameters, as one key a reuse must match (see
 * es_store_find_completed): the content of every existing regular file
 * the command names, the program included, and the environment the spec
 * sets and removes.
 *
 * The files are found in the command as ecosweep runs it (after ${...}
 * expansion): each argument and each of its shell-like words (quotes
 * grouping, blanks and ; | & < > ( ) separating, so a `shell: true` script
 * is read word by word), the part after '=' of a word such as
 * --data=train.csv, relative paths from this process's directory (where
 * trials run); the command's first word, and every bare word of a shell
 * script, also as the trial's $PATH (env.set's, else this process's) finds
 * it.  A file the program opens on its own without the command naming it,
 * a directory's contents, a path relative to a directory a script changes
 * to: not seen, the limits of reuse, said in the README.
 *
 * Hashing is by content (es_hash64: an edit tells, a file crafted to
 * collide does not; reuse trusts whoever can write the files), cached per
 * file by device, inode, size and modification and change times, so a
 * sweep reads a file once and an edit between trials is still seen.  A
 * file past 64 MiB is known by that identity alone (a data set of
 * gigabytes would stall the sweep): a copy of it, or the same bytes
 * written again, does not match.  Not thread-safe; one cache per sweep.
 */
#ifndef ES_INPUTS_H
#define ES_INPUTS_H

#include "err.h"
#include "spec.h"

/* 16 hex digits and a NUL. */
#define ES_INPUTS_KEY_SIZE 17

typedef struct es_inputs es_inputs;

/* A new, empty cache; NULL when out of memory. */
es_inputs *es_inputs_new(void);
void es_inputs_free(es_inputs *in);

/* The key of a trial about to run argv (NULL-terminated, as
 * es_command_build made it) under spec: the program file (spec->program
 * as resolved), the files argv names and spec->env, into key.  A file
 * that cannot be read (permissions) counts by its path and the error, so
 * it never matches a readable one.  0, or -ENOMEM. */
int es_inputs_key(es_inputs *in, const es_spec *spec, char *const *argv,
                  char key[ES_INPUTS_KEY_SIZE], es_err *err);

#endif
