/*
 * fuzz_result.c -- the worker's record parsers on arbitrary bytes.
 *
 * The input goes whole to es_result_parse, es_sample_parse and
 * es_started_parse (each on an exact-size copy, so a read past the end is
 * caught), then line by line to the two single-line parsers.  A result or a
 * sample that parses is written back with its format function and parsed
 * again: the second line must equal the first, since the format is meant to
 * read back bit for bit.  A difference aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "result.h"

#define LINE_MAX_LEN 4096

static void result_round_trip(const es_result *r)
{
    char a[LINE_MAX_LEN], b[LINE_MAX_LEN];
    es_result again;
    int n = es_result_format(r, a, sizeof a);
    if (n < 0 || (size_t)n >= sizeof a)
        return;
    if (es_result_parse(a, (size_t)n, &again) != 0)
        abort(); /* the parser refused what the formatter wrote */
    n = es_result_format(&again, b, sizeof b);
    if (n < 0 || (size_t)n >= sizeof b || strcmp(a, b) != 0)
        abort(); /* format(parse(format(r))) != format(r) */
}

static void sample_round_trip(const es_sample *s)
{
    char a[LINE_MAX_LEN], b[LINE_MAX_LEN];
    es_sample again;
    int n = es_sample_format(s, a, sizeof a);
    if (n < 0 || (size_t)n >= sizeof a)
        return;
    if (es_sample_parse(a, (size_t)n, &again) != 0)
        abort();
    n = es_sample_format(&again, b, sizeof b);
    if (n < 0 || (size_t)n >= sizeof b || strcmp(a, b) != 0)
        abort();
}

static void parse_one(const uint8_t *data, size_t size, int whole)
{
    char *copy = malloc(size > 0 ? size : 1);
    es_result r;
    es_sample s;
    long pgid;

    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    if (whole && es_result_parse(copy, size, &r) == 0)
        result_round_trip(&r);
    if (es_sample_parse(copy, size, &s) == 0)
        sample_round_trip(&s);
    if (es_started_parse(copy, size, &pgid) == 0 && pgid <= 1)
        abort(); /* a process group of 0 or 1 must be refused */
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *start = data, *end = data + size, *nl;

    parse_one(data, size, 1);
    while (start < end) {
        nl = memchr(start, '\n', (size_t)(end - start));
        if (nl == NULL)
            nl = end;
        parse_one(start, (size_t)(nl - start), 0);
        start = nl + 1;
    }
    return 0;
}
