/*
 * numbers.c -- order statistics and JSON scalars (numbers.h).  The JSON
 * string goes through es_value_json, the one JSON string encoder.
 */
#include "numbers.h"

#include <math.h>
#include <stdlib.h>

#include "spec.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void es_sort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

double es_quantile_sorted(const double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    double pos = p * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

double es_median(double *v, size_t n)
{
    es_sort_doubles(v, n);
    return es_quantile_sorted(v, n, 0.5);
}

void es_json_write_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.15g", x);
    else
        fputs("null", f);
}

void es_json_write_str(FILE *f, const char *s)
{
    es_value v = {.kind = s ? ES_V_STR : ES_V_NULL, .s = (char *)s};
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (es_value_json(&v, &buf, &len, &cap) == 0)
        fwrite(buf, 1, len, f);
    else
        fputs("null", f);
    free(buf);
}

uint64_t es_hash64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
