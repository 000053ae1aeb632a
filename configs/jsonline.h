/*
 * jsonline.h -- decode one line holding a flat JSON object, such as a
 * trial's metric line {"val_loss": 0.31, "step": 5}.
 *
 * JSON is read through libyaml (a JSON object is a YAML flow mapping), which
 * also accepts what Python's json module writes for non-finite numbers
 * (NaN, Infinity, -Infinity).  Nested objects and arrays are skipped.
 */
#ifndef ES_JSONLINE_H
#define ES_JSONLINE_H

#include <stddef.h>

/* Called once per scalar member: key and text are NUL-terminated and valid
 * only during the call; quoted is 1 when the value was a JSON string.
 * Return non-zero to stop early. */
typedef int (*es_jsonline_cb)(void *ud, const char *key, const char *text, int quoted);

/* 0 when line is a JSON object (callbacks made), -EINVAL when it is not. */
int es_jsonline_parse(const char *line, size_t len, es_jsonline_cb cb, void *ud);

#endif
