/*
 * fuzz_metric.c -- the metric-line parser on arbitrary bytes.
 *
 * The input is parsed once whole, as if a trial had printed it without a
 * newline, and then line by line as the coordinator reads a trial's stdout.
 * The callback reads every byte it is handed, so that a point whose name or
 * text is not a terminated string inside valid memory shows up under ASan.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "metric.h"

static void on_point(void *ud, const es_metric_point *pt)
{
    size_t *total = ud;
    *total += strlen(pt->name) + strlen(pt->text);
    /* The header's contract: no number, no value. */
    if (!pt->ok && !isnan(pt->value))
        abort();
}

static void parse(const uint8_t *data, size_t size)
{
    size_t total = 0;
    char *line = malloc(size > 0 ? size : 1);
    if (line == NULL)
        return;
    /* An exact-size copy, so ASan sees a read one byte past the line. */
    memcpy(line, data, size);
    es_metric_parse_line(line, size, on_point, &total);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *start = data, *end = data + size, *nl;

    parse(data, size);
    while (start < end) {
        nl = memchr(start, '\n', (size_t)(end - start));
        if (nl == NULL)
            nl = end;
        parse(start, (size_t)(nl - start));
        start = nl + 1;
    }
    return 0;
}
