/*
 * numbers.h -- the few number helpers every module shares: order
 * statistics (a quantile, the median), writing a number or a string as
 * JSON, and the one content hash.  Pure; stdio only.
 */
#ifndef ES_NUMBERS_H
#define ES_NUMBERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Sort v[0..n-1] in place, ascending (NaN compares as neither smaller nor
 * larger: keep NaN out). */
void es_sort_doubles(double *v, size_t n);

/* The p-quantile (0 <= p <= 1) of v[0..n-1] sorted ascending, interpolating
 * linearly between order statistics (R's type 7, numpy's default); NAN when
 * n == 0. */
double es_quantile_sorted(const double *v, size_t n, double p);

/* The median of v[0..n-1], sorting v in place (the mean of the two middle
 * values of an even count); NAN when n == 0. */
double es_median(double *v, size_t n);

/* Write x as a JSON number with 15 significant digits (all that a double
 * carries reliably, without noise digits: 1.65, not 1.6500000000000001);
 * NaN and infinities, which JSON lacks, as null. */
void es_json_write_num(FILE *f, double x);

/* Write s as a JSON string, escaped (invalid UTF-8 replaced); NULL as null. */
void es_json_write_str(FILE *f, const char *s);

/* FNV-1a, 64 bits: h (start from ES_HASH64_INIT) folded with n bytes at p.
 * What the store keys content by (an imported file's bytes, the files a
 * trial's command names): it tells an edited file from the same one, not
 * a file someone crafted to collide from another. */
#define ES_HASH64_INIT 0xcbf29ce484222325ull
uint64_t es_hash64(uint64_t h, const void *p, size_t n);

#endif
