/*
 * phase.c -- phase markers and phase built-ins (see phase.h).
 */
#include "phase.h"

#include <ctype.h>
#include <string.h>

#include "jsonline.h"

static const char *const field_names[ES_PHASE_N_FIELDS] = {"kwh", "co2e_kg", "usd", "wall_s",
                                                           "kwh_per_item"};

const char *es_phase_field_name(es_phase_field f)
{
    return (unsigned)f < ES_PHASE_N_FIELDS ? field_names[f] : NULL;
}

int es_phase_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > ES_PHASE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(c < 0x80 && isalnum(c)) && c != '_' && c != '-')
            return 0;
    }
    return 1;
}

#define TEXT_TAG "ecosweep-phase"

typedef struct json_find {
    char *name;
    int found, bad;
} json_find;

static int json_phase(void *ud, const char *key, const char *text, int quoted)
{
    json_find *f = ud;
    if (strcmp(key, "_phase") != 0)
        return 0;
    size_t len = strlen(text);
    if (!quoted || !es_phase_name_ok(text, len)) {
        f->bad = 1;
        return 1;
    }
    memcpy(f->name, text, len + 1);
    f->found = 1;
    return 0;
}

int es_phase_marker(const char *line, size_t len, char name[ES_PHASE_NAME_MAX + 1])
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0 || len > ES_PHASE_LINE_MAX)
        return 0;
    size_t tag = sizeof TEXT_TAG - 1;
    if (len > tag + 1 && memcmp(line, TEXT_TAG, tag) == 0 && line[tag] == ' ') {
        size_t s = tag + 1;
        while (s < len && line[s] == ' ')
            s++;
        if (!es_phase_name_ok(line + s, len - s))
            return 0;
        memcpy(name, line + s, len - s);
        name[len - s] = '\0';
        return 1;
    }
    /* Cheap refusals first: most lines are not JSON, or name no phase. */
    if (line[0] != '{' || memmem(line, len, "\"_phase\"", 8) == NULL)
        return 0;
    json_find f = {name, 0, 0};
    if (es_jsonline_parse(line, len, json_phase, &f) != 0 || f.bad)
        return 0;
    return f.found;
}

int es_phase_builtin(const char *s, char *name, es_phase_field *field, const char **why)
{
    const char *dummy;
    why = why != NULL ? why : &dummy;
    if (strncmp(s, "phase.", 6) != 0) {
        *why = "not a phase.NAME.FIELD name";
        return -1;
    }
    const char *n = s + 6, *dot = strrchr(n, '.');
    if (dot == NULL) {
        *why = "phase.NAME.FIELD needs a field";
        return -1;
    }
    if (!es_phase_name_ok(n, (size_t)(dot - n))) {
        *why = "a phase name is 1 to 32 letters, digits, '_' or '-'";
        return -1;
    }
    for (int f = 0; f < ES_PHASE_N_FIELDS; f++)
        if (strcmp(dot + 1, field_names[f]) == 0) {
            memcpy(name, n, (size_t)(dot - n));
            name[dot - n] = '\0';
            *field = (es_phase_field)f;
            return 0;
        }
    *why = "the field is one of kwh, co2e_kg, usd, wall_s, kwh_per_item";
    return -1;
}
