/*
 * spec_launcher.c -- the spec's `launcher` key: where trials run.
 *
 *   launcher:
 *     type: slurm            # local (default) | slurm
 *     partition: gpu         # srun --partition
 *     time: "00:30:00"       # srun --time (Slurm's formats: MM, HH:MM:SS, D-HH...)
 *     cpus_per_task: 4       # srun --cpus-per-task
 *     mem: 8G                # srun --mem
 *     gres: gpu:1            # srun --gres
 *     account: proj42        # srun --account
 *     extra_args: [--qos=low, --exclusive]   # passed to srun as written
 *     srun: /opt/slurm/bin/srun              # the srun to use (default: srun on PATH)
 *     retries: 1             # runs again after a node failure or preemption
 *
 * Values are passed to srun as single argv elements, never through a
 * shell; they are checked here only for what would break that (an empty
 * value, a newline).
 */
#include "spec_int.h"
#include "spec_yaml.h"

#include <stdlib.h>
#include <string.h>

/* A launcher text value: a non-empty string without control characters. */
static int get_text(es_spec_ctx *c, const yaml_node_t *v, const char *path, char **out)
{
    char got[80];
    const char *s = es_spec_text(v);
    int ok = s != NULL && *s != '\0';
    for (const char *p = s; ok && *p; p++)
        ok = (unsigned char)*p >= 0x20 && *p != 0x7f;
    if (!ok) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, path, "expected a non-empty one-line string, got %s", got);
    }
    free(*out);
    if ((*out = strdup(s)) == NULL)
        return es_spec_fail(c, v, path, "out of memory");
    return 0;
}

static int launcher_type(es_spec_ctx *c, const yaml_node_t *v, es_launcher_type *out)
{
    static const char *const known[] = {"local", "slurm", NULL};
    const char *s = es_spec_text(v);
    char got[80];
    if (s != NULL && strcmp(s, "local") == 0) {
        *out = ES_LAUNCHER_LOCAL;
        return 0;
    }
    if (s != NULL && strcmp(s, "slurm") == 0) {
        *out = ES_LAUNCHER_SLURM;
        return 0;
    }
    es_spec_describe(v, got, sizeof got);
    const char *near = s != NULL ? es_spec_suggest(s, known) : NULL;
    return es_spec_fail(c, v, "launcher.type", "expected local or slurm, got %s%s%s%s", got,
                        near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int extra_args(es_spec_ctx *c, const yaml_node_t *v, es_spec_launcher *l)
{
    char got[80], path[48];
    if (v->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "launcher.extra_args", "expected a list of strings, got %s", got);
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    char **args = calloc(n + 1, sizeof *args);
    if (args == NULL)
        return es_spec_fail(c, v, "launcher.extra_args", "out of memory");
    es_strv_free(l->extra_args);
    l->extra_args = args;
    l->n_extra_args = 0;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        snprintf(path, sizeof path, "launcher.extra_args[%zu]", i);
        if (item == NULL || item->type != YAML_SCALAR_NODE)
            return es_spec_fail(c, item ? item : v, path, "expected a string");
        int rc = get_text(c, item, path, &args[i]);
        if (rc < 0)
            return rc;
        l->n_extra_args++;
    }
    return 0;
}

int es_spec_top_launcher(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"type", "partition", "time",    "cpus_per_task",
                                        "mem",  "gres",      "account", "extra_args",
                                        "srun", "retries",   NULL};
    es_spec_launcher *l = &c->spec->launcher;
    int rc;
    (void)k;
    if ((rc = es_spec_want_mapping(c, v, "launcher")) < 0)
        return rc;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *lk = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *lv = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(lk);
        char path[64];
        snprintf(path, sizeof path, "launcher.%s", key);
        if (strcmp(key, "type") == 0) {
            rc = launcher_type(c, lv, &l->type);
        } else if (strcmp(key, "cpus_per_task") == 0) {
            long n = 0;
            rc = es_spec_get_integer(c, lv, path, 1, "a positive integer", &n);
            l->cpus_per_task = (int)n;
        } else if (strcmp(key, "retries") == 0) {
            long n = 0;
            rc = es_spec_get_integer(c, lv, path, 0, "an integer >= 0", &n);
            l->retries = (int)(n < 100 ? n : 100);
        } else if (strcmp(key, "extra_args") == 0) {
            rc = extra_args(c, lv, l);
        } else {
            char **field = strcmp(key, "partition") == 0 ? &l->partition
                           : strcmp(key, "time") == 0    ? &l->time
                           : strcmp(key, "mem") == 0     ? &l->mem
                           : strcmp(key, "gres") == 0    ? &l->gres
                           : strcmp(key, "account") == 0 ? &l->account
                           : strcmp(key, "srun") == 0    ? &l->srun
                                                         : NULL;
            rc = field != NULL ? get_text(c, lv, path, field)
                               : es_spec_unknown_key(c, lk, "launcher", known);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

void es_spec_launcher_clear(es_spec_launcher *l)
{
    free(l->partition);
    free(l->time);
    free(l->mem);
    free(l->gres);
    free(l->account);
    free(l->srun);
    es_strv_free(l->extra_args);
    memset(l, 0, sizeof *l);
    l->retries = 1;
}
