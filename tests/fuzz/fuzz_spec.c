/*
 * fuzz_spec.c -- the sweep-spec parser on arbitrary bytes.
 *
 * Parses the input as YAML with es_spec_parse_string; when that succeeds the
 * spec is also printed (to /dev/null) and its command template expanded for
 * one configuration (each parameter at a value taken from its definition),
 * so the code that trusts a validated spec is reached too.  Nothing is
 * checked beyond "no crash, no leak, no undefined behaviour".
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "spec.h"

/* A value for param p that the command builder can format: the constant,
 * the first choice, or the lower bound.  Shares strings with p (no copy). */
static es_value default_value(const es_param *p)
{
    es_value v = {0};
    if (p->dist == ES_DIST_CONSTANT)
        return p->value;
    if (p->dist == ES_DIST_CATEGORICAL)
        return p->n_values > 0 ? p->values[0] : v;
    v.kind = ES_V_FLOAT;
    v.f = p->min;
    return v;
}

static void exercise(const es_spec *spec)
{
    static FILE *devnull;
    es_value *values;
    es_command_ctx ctx = {"python3", "/tmp/ecosweep-fuzz-args.json"};
    char **argv = NULL;
    char *json;
    es_err err;

    if (devnull == NULL)
        devnull = fopen("/dev/null", "w");
    if (devnull != NULL)
        es_spec_print(spec, devnull);

    values = calloc(spec->n_params + 1, sizeof *values);
    if (values == NULL)
        return;
    for (size_t i = 0; i < spec->n_params; i++)
        values[i] = default_value(&spec->params[i]);
    if (es_command_build(spec, values, &ctx, &argv, &err) == 0)
        es_strv_free(argv);
    json = es_params_json(spec, values);
    free(json);
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_spec *spec = NULL;
    es_err err;

    if (es_spec_parse_string((const char *)data, size, "fuzz.yaml", &spec, &err) == 0)
        exercise(spec);
    es_spec_free(spec);
    return 0;
}
