/*
 * test_search.c -- random and grid search through es_search: the same seed
 * proposes the same sweep, trial i does not depend on what was asked before
 * it, a grid visits every combination once in a documented order and then
 * says it is exhausted, unsupported requests fail with a clear message, and
 * a quantized law's count of values is what its rounding reaches.
 */
#include "search_int.h"
#include "search_test.h"

static es_search *make_search(const es_spec *spec, uint64_t seed)
{
    es_search *s = NULL;
    es_err err = {0};
    int rc = es_search_create(spec, seed, &s, &err);
    if (rc != 0)
        ES_FAIL("es_search_create: %d: %s", rc, err.msg);
    return s;
}

/* Suggestion `index` of s into a fresh array (freed with es_values_free). */
static es_value *suggest(es_search *s, size_t n, uint64_t index)
{
    es_value *v = calloc(n + 1, sizeof *v);
    es_err err = {0};
    ES_CHECK(v != NULL);
    int rc = es_search_suggest(s, index, v, &err);
    if (rc != 0)
        ES_FAIL("es_search_suggest(%llu): %d: %s", (unsigned long long)index, rc, err.msg);
    return v;
}

static int configs_equal(const es_value *a, const es_value *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!st_value_eq(&a[i], &b[i]))
            return 0;
    return 1;
}

ES_TEST(random_same_seed_same_sweep)
{
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *a = make_search(&spec, 1234), *b = make_search(&spec, 1234);

    ES_CHECK_INT(es_search_size(a), 0); /* random search is unbounded */
    for (uint64_t i = 0; i < 200; i++) {
        es_value *x = suggest(a, 5, i), *y = suggest(b, 5, i);
        ES_CHECK(configs_equal(x, y, 5));
        ES_CHECK_INT(x[0].kind, ES_V_STR);
        ES_CHECK_INT(x[1].kind, ES_V_INT);
        ES_CHECK(x[1].i >= 1 && x[1].i <= 8);
        ES_CHECK_INT(x[2].kind, ES_V_FLOAT);
        ES_CHECK(x[2].f >= 1e-5 * 0.999999 && x[2].f <= 1e-1 * 1.000001);
        ES_CHECK_INT(x[4].i, 10);
        es_values_free(x, 5);
        es_values_free(y, 5);
    }
    es_search_destroy(a);
    es_search_destroy(b);
}

ES_TEST(random_different_seeds_differ)
{
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *a = make_search(&spec, 1), *b = make_search(&spec, 2);
    int same_lr = 0;
    for (uint64_t i = 0; i < 100; i++) {
        es_value *x = suggest(a, 5, i), *y = suggest(b, 5, i);
        same_lr += st_value_eq(&x[2], &y[2]);
        es_values_free(x, 5);
        es_values_free(y, 5);
    }
    ES_CHECK_INT(same_lr, 0);
    es_search_destroy(a);
    es_search_destroy(b);
}

ES_TEST(random_trials_differ_from_each_other)
{
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *s = make_search(&spec, 77);
    es_value *prev = suggest(s, 5, 0);
    for (uint64_t i = 1; i < 100; i++) {
        es_value *x = suggest(s, 5, i);
        ES_CHECK(!st_value_eq(&x[2], &prev[2]));
        es_values_free(prev, 5);
        prev = x;
    }
    es_values_free(prev, 5);
    es_search_destroy(s);
}

ES_TEST(random_trial_independent_of_order)
{
    /* Trial 17 is the same whether it is asked first, after trials 0..49,
     * twice, or from a search created anew (a resumed sweep). */
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *a = make_search(&spec, 9), *b = make_search(&spec, 9);

    es_value *first = suggest(b, 5, 17);
    for (uint64_t i = 0; i < 50; i++)
        es_values_free(suggest(a, 5, 49 - i), 5);
    es_value *later = suggest(a, 5, 17), *again = suggest(a, 5, 17);
    ES_CHECK(configs_equal(first, later, 5));
    ES_CHECK(configs_equal(first, again, 5));
    es_values_free(first, 5);
    es_values_free(later, 5);
    es_values_free(again, 5);
    es_search_destroy(a);
    es_search_destroy(b);
}

ES_TEST(random_parameter_values_stay_per_trial)
{
    /* Trial i's stream is its own: the first parameter's value of trial i
     * is the same whether the spec has one parameter or five after it. */
    es_param p[5];
    st_mixed_params(p);
    es_spec one = st_spec(ES_METHOD_RANDOM, p, 1), five = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *a = make_search(&one, 5), *b = make_search(&five, 5);
    for (uint64_t i = 0; i < 50; i++) {
        es_value *x = suggest(a, 1, i), *y = suggest(b, 5, i);
        ES_CHECK(st_value_eq(&x[0], &y[0]));
        es_values_free(x, 1);
        es_values_free(y, 5);
    }
    es_search_destroy(a);
    es_search_destroy(b);
}

ES_TEST(random_huge_index)
{
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 5);
    es_search *s = make_search(&spec, 3);
    es_values_free(suggest(s, 5, UINT64_MAX), 5);
    es_search_destroy(s);
}

/* The 3-parameter grid of the tests below: a in {x, y}, b in 1..3,
 * c in 0, 0.1, 0.2, 0.3 (q_uniform; max included). */
static es_value ab_vals[2] = {{.kind = ES_V_STR, .s = (char *)"x"},
                              {.kind = ES_V_STR, .s = (char *)"y"}};

static void grid_params(es_param p[3])
{
    p[0] = st_choice("a", ab_vals, 2);
    p[1] = st_param("b", ES_DIST_INT_UNIFORM);
    p[1].min = 1;
    p[1].max = 3;
    p[2] = st_param("c", ES_DIST_Q_UNIFORM);
    p[2].min = 0.0;
    p[2].max = 0.3;
    p[2].q = 0.1;
}

ES_TEST(grid_order_and_size)
{
    es_param p[3];
    grid_params(p);
    es_spec spec = st_spec(ES_METHOD_GRID, p, 3);
    es_search *s = make_search(&spec, 0);
    const double cs[4] = {0.0, 0.1, 0.2, 0.3};

    ES_CHECK_INT(es_search_size(s), 2 * 3 * 4);
    /* Nested loops in spec order: the last parameter varies fastest. */
    uint64_t index = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 1; b <= 3; b++)
            for (int c = 0; c < 4; c++, index++) {
                es_value *v = suggest(s, 3, index);
                ES_CHECK_INT(v[0].kind, ES_V_STR);
                ES_CHECK_STR(v[0].s, a == 0 ? "x" : "y");
                ES_CHECK_INT(v[1].kind, ES_V_INT);
                ES_CHECK_INT(v[1].i, b);
                ES_CHECK_INT(v[2].kind, ES_V_FLOAT);
                ES_CHECK(v[2].f == cs[c]); /* 0.3 exactly, as a user wrote it */
                es_values_free(v, 3);
            }
    es_search_destroy(s);
}

ES_TEST(grid_every_combination_once)
{
    es_param p[3];
    grid_params(p);
    es_spec spec = st_spec(ES_METHOD_GRID, p, 3);
    es_search *s = make_search(&spec, 0);
    int seen[2][3][4] = {{{0}}};
    uint64_t n = es_search_size(s);
    for (uint64_t i = 0; i < n; i++) {
        es_value *v = suggest(s, 3, i);
        int a = v[0].s[0] - 'x', b = (int)v[1].i - 1, c = (int)rint(v[2].f * 10);
        ES_CHECK(a >= 0 && a < 2 && b >= 0 && b < 3 && c >= 0 && c < 4);
        seen[a][b][c]++;
        es_values_free(v, 3);
    }
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 4; c++)
                ES_CHECK_INT(seen[a][b][c], 1);
    es_search_destroy(s);
}

ES_TEST(grid_exhausted)
{
    es_param p[3];
    grid_params(p);
    es_spec spec = st_spec(ES_METHOD_GRID, p, 3);
    es_search *s = make_search(&spec, 0);
    es_value v[3];
    es_err err = {0};
    ES_CHECK_INT(es_search_suggest(s, 24, v, &err), ES_EEXHAUSTED);
    ES_CHECK_INT(err.code, ES_EEXHAUSTED);
    ES_CHECK_CONTAINS(err.msg, "24 configurations");
    ES_CHECK_INT(es_search_suggest(s, UINT64_MAX, v, NULL), ES_EEXHAUSTED);
    es_values_free(suggest(s, 3, 23), 3); /* the last one is still there */
    es_search_destroy(s);
}

ES_TEST(grid_rejects_continuous_parameter)
{
    es_param p[3];
    grid_params(p);
    p[1] = st_param("lr", ES_DIST_UNIFORM);
    p[1].min = 0;
    p[1].max = 1;
    p[1].line = 7;
    es_spec spec = st_spec(ES_METHOD_GRID, p, 3);
    es_search *s = NULL;
    es_err err = {0};
    ES_CHECK_INT(es_search_create(&spec, 0, &s, &err), ES_ESPEC);
    ES_CHECK(s == NULL);
    ES_CHECK_STR(err.msg, "grid search cannot enumerate parameter 'lr' (uniform, line 7): "
                          "use values, int_uniform or q_uniform");

    /* The same space is fine for random search. */
    spec.method = ES_METHOD_RANDOM;
    s = make_search(&spec, 0);
    es_values_free(suggest(s, 3, 0), 3);
    es_search_destroy(s);
}

ES_TEST(grid_duplicates_and_constants)
{
    /* Duplicate categorical values are kept (each is one configuration);
     * a constant multiplies the size by one. */
    es_value vals[3] = {st_int(1), st_int(1), st_int(2)};
    es_param p[2] = {st_param("k", ES_DIST_CATEGORICAL), st_param("seed", ES_DIST_CONSTANT)};
    p[0].values = vals;
    p[0].n_values = 3;
    p[1].value = st_float(0.5);
    es_spec spec = st_spec(ES_METHOD_GRID, p, 2);
    es_search *s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 3);
    for (uint64_t i = 0; i < 3; i++) {
        es_value *v = suggest(s, 2, i);
        ES_CHECK(st_value_eq(&v[0], &vals[i]));
        ES_CHECK(st_value_eq(&v[1], &p[1].value));
        es_values_free(v, 2);
    }
    es_search_destroy(s);

    /* No parameters at all: one empty configuration. */
    spec.n_params = 0;
    s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 1);
    es_value none;
    ES_CHECK_INT(es_search_suggest(s, 0, &none, NULL), 0);
    ES_CHECK_INT(es_search_suggest(s, 1, &none, NULL), ES_EEXHAUSTED);
    es_search_destroy(s);
}

ES_TEST(grid_q_uniform_points)
{
    /* An integer step from an integer min gives integers, max included
     * when it is on the grid and left out when it is not. */
    es_param p = st_param("units", ES_DIST_Q_UNIFORM);
    p.min = 16;
    p.max = 64;
    p.q = 16;
    es_spec spec = st_spec(ES_METHOD_GRID, &p, 1);
    es_search *s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 4);
    for (uint64_t i = 0; i < 4; i++) {
        es_value *v = suggest(s, 1, i);
        ES_CHECK_INT(v[0].kind, ES_V_INT);
        ES_CHECK_INT(v[0].i, 16 + 16 * (long long)i);
        es_values_free(v, 1);
    }
    es_search_destroy(s);

    p.max = 70;
    s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 4);
    es_search_destroy(s);

    /* Many decimal steps: computed as min + k*q, not accumulated, and
     * tidied, so the last is exactly max. */
    p.min = 0.001;
    p.max = 1.0;
    p.q = 0.001;
    s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 1000);
    es_value *v = suggest(s, 1, 999);
    ES_CHECK_INT(v[0].kind, ES_V_FLOAT);
    ES_CHECK(v[0].f == 1.0);
    es_values_free(v, 1);
    v = suggest(s, 1, 122);
    ES_CHECK(v[0].f == 0.123);
    es_values_free(v, 1);
    es_search_destroy(s);

    /* Values with more digits than tidying keeps are left on the grid. */
    p.min = 1234567890123.5;
    p.max = 1234567890124.5;
    p.q = 0.5;
    s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 3);
    for (uint64_t i = 0; i < 3; i++) {
        v = suggest(s, 1, i);
        ES_CHECK(v[0].f == p.min + 0.5 * (double)i);
        es_values_free(v, 1);
    }
    es_search_destroy(s);
}

ES_TEST(grid_int_uniform_points)
{
    es_param p = st_param("n", ES_DIST_INT_UNIFORM);
    p.min = -3;
    p.max = 3;
    es_spec spec = st_spec(ES_METHOD_GRID, &p, 1);
    es_search *s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 7);
    for (uint64_t i = 0; i < 7; i++) {
        es_value *v = suggest(s, 1, i);
        ES_CHECK_INT(v[0].kind, ES_V_INT);
        ES_CHECK_INT(v[0].i, -3 + (long long)i);
        es_values_free(v, 1);
    }
    es_search_destroy(s);
}

ES_TEST(grid_too_large)
{
    /* Three parameters of 2^21 integers each: 2^63 configurations, past the
     * 2^62 cap, refused at creation rather than overflowing. */
    es_param p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = st_param(i == 0 ? "a" : i == 1 ? "b" : "c", ES_DIST_INT_UNIFORM);
        p[i].min = 0;
        p[i].max = (double)(1 << 21) - 1;
        p[i].line = 4 + i;
    }
    es_spec spec = st_spec(ES_METHOD_GRID, p, 3);
    es_search *s = NULL;
    es_err err = {0};
    ES_CHECK_INT(es_search_create(&spec, 0, &s, &err), ES_ESPEC);
    ES_CHECK(s == NULL);
    ES_CHECK_CONTAINS(err.msg, "more than 2^62 configurations");
    ES_CHECK_CONTAINS(err.msg, "'c', line 6");

    /* Two of them (2^42) are fine, and the last configuration decodes. */
    spec.n_params = 2;
    s = make_search(&spec, 0);
    ES_CHECK_INT(es_search_size(s), 1ULL << 42);
    es_value *v = suggest(s, 2, (1ULL << 42) - 1);
    ES_CHECK_INT(v[0].i, (1 << 21) - 1);
    ES_CHECK_INT(v[1].i, (1 << 21) - 1);
    es_values_free(v, 2);
    es_search_destroy(s);

    /* One parameter with too many integers on its own. */
    p[0].max = 1e300;
    spec.n_params = 1;
    ES_CHECK_INT(es_search_create(&spec, 0, &s, &err), ES_ESPEC);
    ES_CHECK_CONTAINS(err.msg, "'a' (line 4) has more than 2^62 values");
}

/* es_search_levels counts what the rounding reaches: the distinct values
 * of a dense scan of the range (and of its ends), for ranges that start
 * off the step, ties at a bound, a log range and q_beta. */
ES_TEST(quantized_levels_are_the_values_the_rounding_reaches)
{
    struct {
        es_dist dist;
        double min, max, q;
    } cases[] = {
        {ES_DIST_Q_UNIFORM, 0.1, 0.95, 0.2},  {ES_DIST_Q_UNIFORM, 0, 1, 0.5},
        {ES_DIST_Q_UNIFORM, 0, 1, 0.3},       {ES_DIST_Q_UNIFORM, -3, 7, 2},
        {ES_DIST_Q_UNIFORM, 0.25, 0.25, 1},   {ES_DIST_Q_LOG_UNIFORM_VALUES, 1, 100, 10},
        {ES_DIST_Q_LOG_UNIFORM, 0, 3, 2},     {ES_DIST_Q_BETA, 0, 0, 0.25},
        {ES_DIST_Q_UNIFORM, 0.15, 0.35, 0.1}, /* 0.15 / 0.1 = 1.4999...: 0.2 and 0.3 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        es_param p = st_param("x", cases[c].dist);
        p.min = cases[c].min;
        p.max = cases[c].max;
        p.q = cases[c].q;
        double lo = p.dist == ES_DIST_Q_LOG_UNIFORM ? exp(p.min) : p.min;
        double hi = p.dist == ES_DIST_Q_LOG_UNIFORM ? exp(p.max) : p.max;
        if (p.dist == ES_DIST_Q_BETA)
            lo = 0, hi = 1;
        uint64_t scanned = 0, n;
        double prev = NAN;
        for (int k = 0; k <= 200000; k++) {
            es_value v;
            es_search_quantize(lo + (hi - lo) * k / 200000.0, &p, &v);
            double y = es_value_number(&v);
            scanned += !(y == prev);
            prev = y;
        }
        ES_CHECK_INT(es_search_levels(&p, 1000, &n), 1);
        if (c == 8)
            ES_CHECK_INT(n, 2);
        if (n != scanned)
            ES_FAIL("case %zu: %llu levels, the scan saw %llu", c, (unsigned long long)n,
                    (unsigned long long)scanned);
        uint64_t fewer;
        if (n > 1) /* more than the cap: none */
            ES_CHECK_INT(es_search_levels(&p, n - 1, &fewer), 0);
    }
    es_param u = st_param("u", ES_DIST_UNIFORM);
    uint64_t n = 7;
    ES_CHECK_INT(es_search_levels(&u, 1000, &n), 0);
    ES_CHECK_INT(n, 0);
}
