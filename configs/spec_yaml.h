/*
 * spec_yaml.h -- the parser's shared state and YAML helpers, used by spec.c
 * (top-level keys) and spec_params.c (the parameters block) and implemented
 * in spec_yaml.c.  Private to the spec parser, so libyaml's types stay out
 * of every public header.
 *
 * Every helper that fails returns ES_ESPEC and leaves in err a message
 * "FILE:LINE:COL: PATH: what is wrong", the location being the node at fault
 * (1-based line and column) and PATH the dotted key path ("parameters.lr").
 */
#ifndef ES_SPEC_YAML_H
#define ES_SPEC_YAML_H

#include <yaml.h>

#include "spec.h"

typedef struct es_spec_ctx {
    yaml_document_t *doc;
    es_spec *spec;
    es_err *err;
    size_t params_cap;
    /* energy: keys whose defaults depend on other keys, resolved after the walk */
    int carbon_given, attribution_given;
    /* collect: go on past errors, keeping each message in errors */
    int collect;
    char **errors;
    size_t n_errors;
    int param_failed; /* a parameter was refused: checks of the whole space are skipped */
    int too_many;     /* past ES_SPEC_MAX_PARAMS: the parameters are read no further */
    int list_failed;  /* an entry of `objectives` or `constraints` was refused (each is
                       * listed when collecting; the list is then dropped) */
} es_spec_ctx;

/* A part failed whose errors are each listed already (collecting): what
 * it returns instead of ES_ESPEC, so that es_spec_keep_going lists none
 * again. */
#define ES_ESPEC_LISTED (-2901)

/* After a check returned rc: when collecting and rc is a spec error, keep
 * its message in c->errors and return 0 so that the walk goes on
 * (ES_ESPEC_LISTED: nothing to keep); else rc.  -ENOMEM when the message
 * cannot be kept. */
int es_spec_keep_going(es_spec_ctx *c, int rc);

/* Record a located error; path may be NULL or "" (no "PATH: " part). */
int es_spec_fail(es_spec_ctx *c, const yaml_node_t *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The text of a scalar node (NUL-terminated by libyaml), or NULL. */
const char *es_spec_text(const yaml_node_t *node);

/* The text of a mapping key, never NULL: es_spec_check_keys has made sure
 * every key is a scalar, and a non-scalar would read as "". */
const char *es_spec_key_text(const yaml_node_t *key);

/* 1 for an unquoted scalar. */
int es_spec_plain(const yaml_node_t *node);

/* "unknown key 'mn' (did you mean 'min'?)" at key. */
int es_spec_unknown_key(es_spec_ctx *c, const yaml_node_t *key, const char *path,
                        const char *const *known);

/* 1 when s is a decimal integer ("42", "-7"). */
int es_spec_is_int_text(const char *s);

/* A scalar as a typed value: plain scalars become null / bool / int / float
 * when they read as one, anything else a string. */
int es_spec_scalar_value(es_spec_ctx *c, const yaml_node_t *node, const char *path,
                         es_value *out /* OUT */);

/* A plain scalar as a number; *is_int says whether it was written as an
 * integer.  Non-finite numbers are refused. */
int es_spec_number(es_spec_ctx *c, const yaml_node_t *node, const char *path, double *out /* OUT */,
                   int *is_int /* OUT, may be NULL */);

/* Fail unless every key of the mapping is a scalar, given once. */
int es_spec_check_keys(es_spec_ctx *c, const yaml_node_t *map, const char *path);

/* Fail unless node is a mapping whose keys pass es_spec_check_keys. */
int es_spec_want_mapping(es_spec_ctx *c, const yaml_node_t *node, const char *path);

/* How an offending node reads in a message: 'text' for a scalar, "a list"
 * or "a mapping" otherwise. */
void es_spec_describe(const yaml_node_t *node, char *buf, size_t cap);

/* Readers for typed settings; each fails with "expected WHAT, got ...".
 * get_string: any scalar; a plain null leaves *out unchanged. */
int es_spec_get_string(es_spec_ctx *c, const yaml_node_t *node, const char *path, char **out);
/* An integer >= min. */
int es_spec_get_integer(es_spec_ctx *c, const yaml_node_t *node, const char *path, long min,
                        const char *what, long *out /* OUT */);
/* A finite number >= min, or > min when strict. */
int es_spec_get_real(es_spec_ctx *c, const yaml_node_t *node, const char *path, double min,
                     int strict, const char *what, double *out /* OUT */);
/* A duration (es_parse_duration), > 0 when positive. */
int es_spec_get_duration(es_spec_ctx *c, const yaml_node_t *node, const char *path, int positive,
                         double *out /* OUT */);

/* Parse the `parameters:` mapping into c->spec->params. */
int es_spec_parse_params(es_spec_ctx *c, const yaml_node_t *node);

/* The top-level `launcher` key (spec_launcher.c). */
int es_spec_top_launcher(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);

/* The top-level `early_terminate` key (spec_early_terminate.c). */
int es_spec_top_early_terminate(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);

/* Reject a parameter whose distribution method grid cannot enumerate. */
int es_spec_check_grid(es_spec_ctx *c);

/* The top-level blocks (spec_blocks.c): `env`, `budget` and `energy`, each
 * called with its key k and value v as the top-level walk calls every key;
 * es_spec__resolve_energy applies, after the walk, the energy defaults that
 * depend on other keys. */
int es_spec__top_env(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
int es_spec__top_budget(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
int es_spec__top_energy(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
/* `warm_start: auto | none | [sweep names]` (spec_blocks.c). */
int es_spec__top_warm_start(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
void es_spec__resolve_energy(es_spec_ctx *c);

/* `objectives` and `constraints` (spec_objectives.c); the goal reader
 * `metric` shares; the checks across keys once the walk is done (metric
 * from the objectives, or among them), at the nodes given
 * (either may be NULL: the error is then at the root); and their free. */
int es_spec_get_goal(es_spec_ctx *c, const yaml_node_t *node, const char *path,
                     es_goal *out /* OUT */);
int es_spec__top_objectives(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
int es_spec__top_constraints(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v);
/* The name at node: a metric the trial reports or a built-in ecosweep
 * measures (energy.kwh, phase.NAME.kwh...), into *name (owned by the
 * caller) and *kind; a name no trial could report, or a built-in's
 * namespace with none of its names, is a located error. */
int es_spec__objective_name(es_spec_ctx *c, const yaml_node_t *node, const char *path, char **name,
                            es_objective_kind *kind);

int es_spec__check_objectives(es_spec_ctx *c, const yaml_node_t *metric_node,
                              const yaml_node_t *constraints_node);
void es_spec__free_objectives(es_spec *spec);

#endif
