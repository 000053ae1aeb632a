/*
 * spec_int.h -- what the files of the spec module share and nobody else
 * sees: number formatting, edit distance for suggestions, the generated
 * carbon-intensity table, the command-template scanner used both when a
 * spec is validated and when a trial's argv is built (with its shell
 * quoting check), and the parameter helpers the printer needs.  No libyaml types appear here (see
 * spec_yaml.h for those).
 */
#ifndef ES_SPEC_INT_H
#define ES_SPEC_INT_H

#include <stddef.h>

#include "spec.h"

/* Shortest text of x that strtod() reads back exactly.  Fixed notation for
 * decimal exponents in [-4, 16), scientific ("1e-05", "1e+16") outside, as
 * Python's repr() does.  With force_point, a result holding no '.', 'e' or
 * letter gets ".0" appended (Python's str() of a float).  Returns the length
 * the full text needs, like snprintf. */
int es_fmt_real(double x, int force_point, char *buf, size_t cap);

/* Levenshtein distance between a and b (case-sensitive); (size_t)-1 when
 * either is longer than 64 bytes.  Defined in spec_yaml.c. */
size_t es_edit_distance(const char *a, const char *b);

/* The carbon-intensity table, generated at build time from
 * configs/carbon_intensity.csv (gen_carbon_intensity.cmake) and searched by
 * region.c. */
extern const es_region es_region_table[];
extern const size_t es_region_table_len;

/* The command template W&B uses when a spec gives none. */
extern const char *const es_default_command[];
#define ES_DEFAULT_COMMAND_LEN 4

/* Check the macros of one command-template element against spec (whose
 * params must be set): every ${...} must be a known macro or a parameter
 * name, and a list macro must be the whole element.  0, or ES_ESPEC with a
 * message that names the macro (no file location) in err. */
int es_command_check_elem(const es_spec *spec, const char *elem, es_err *err);

/* For a spec with shell: true, check that every macro of the template
 * (which must already pass es_command_check_elem) sits where its expansion
 * can be quoted safely.  0, or ES_ESPEC with a message naming the macro and
 * why in err and the index of its template element in *elem. */
int es_command_check_shell(const es_spec *spec, size_t *elem /* OUT */, es_err *err);

/* 1 when elem mentions ${program}. */
int es_command_uses_program(const char *elem);

/* The `early_terminate:` line of es_spec_print; nothing when the spec has
 * none (spec_early_terminate.c). */
void es_spec_print_early_terminate(FILE *out, const es_prune_config *cfg);

/* Free what a launcher holds and zero it (spec_launcher.c). */
void es_spec_launcher_clear(es_spec_launcher *l);

#endif
