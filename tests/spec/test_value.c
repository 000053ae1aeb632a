/*
 * test_value.c -- how a value reads on a trial's command line (Python's
 * str()) and in JSON, and the value helpers.
 */
#include <math.h>

#include "es_test.h"
#include "numbers.h"
#include "spec.h"

static const char *fmt(es_value v)
{
    static char buf[64];
    es_value_format(&v, buf, sizeof buf);
    return buf;
}

static es_value f(double x)
{
    es_value v = {ES_V_FLOAT, 0, 0, x, NULL};
    return v;
}

ES_TEST(format_floats_like_python)
{
    static const struct {
        double x;
        const char *want;
    } cases[] = {
        {3.0, "3.0"},
        {0.1, "0.1"},
        {0.001, "0.001"},
        {0.0001, "0.0001"},
        {1e-05, "1e-05"},
        {2.5e-07, "2.5e-07"},
        {100.0, "100.0"},
        {123456789.125, "123456789.125"},
        {1e15, "1000000000000000.0"},
        {1e16, "1e+16"},
        {1.5e300, "1.5e+300"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {-2.5, "-2.5"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {-1e-05, "-1e-05"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ES_CHECK_STR(fmt(f(cases[i].x)), cases[i].want);
    ES_CHECK_STR(fmt(f(INFINITY)), "inf");
    ES_CHECK_STR(fmt(f(-INFINITY)), "-inf");
    ES_CHECK_STR(fmt(f(NAN)), "nan");
}

ES_TEST(format_floats_read_back_exactly)
{
    double x = 1e-300;
    for (int i = 0; i < 2000; i++, x *= 1.4142135623730951) {
        char buf[64];
        es_value v = f(x);
        es_value_format(&v, buf, sizeof buf);
        if (strtod(buf, NULL) != x)
            ES_FAIL("%.17g formatted as %s", x, buf);
    }
}

ES_TEST(format_other_kinds)
{
    es_value t = {ES_V_BOOL, 1, 0, 0, NULL}, fa = {ES_V_BOOL, 0, 0, 0, NULL};
    es_value n = {ES_V_NULL, 0, 0, 0, NULL}, i = {ES_V_INT, 0, -42, 0, NULL};
    es_value big = {ES_V_INT, 0, 9223372036854775807LL, 0, NULL};
    es_value s = {ES_V_STR, 0, 0, 0, "a b $(x)"};
    ES_CHECK_STR(fmt(t), "True");
    ES_CHECK_STR(fmt(fa), "False");
    ES_CHECK_STR(fmt(n), "None");
    ES_CHECK_STR(fmt(i), "-42");
    ES_CHECK_STR(fmt(big), "9223372036854775807");
    ES_CHECK_STR(fmt(s), "a b $(x)");
}

ES_TEST(format_reports_needed_length)
{
    char small[4];
    es_value v = f(0.30000000000000004);
    ES_CHECK_INT(es_value_format(&v, small, sizeof small), 19);
    ES_CHECK_STR(small, "0.3");
    ES_CHECK_INT(es_value_format(&v, NULL, 0), 19);
}

ES_TEST(value_copy_clear_number)
{
    es_value s = {ES_V_STR, 0, 0, 0, "adam"}, d;
    ES_CHECK_INT(es_value_copy(&d, &s), 0);
    ES_CHECK(d.s != s.s);
    ES_CHECK_STR(d.s, "adam");
    ES_CHECK(isnan(es_value_number(&d)));
    es_value_clear(&d);
    ES_CHECK_INT(d.kind, ES_V_NULL);
    ES_CHECK(d.s == NULL);
    es_value_clear(NULL);
    es_values_free(NULL, 3);

    es_value b = {ES_V_BOOL, 1, 0, 0, NULL}, i = {ES_V_INT, 0, 7, 0, NULL};
    ES_CHECK_NEAR(es_value_number(&b), 1.0, 0);
    ES_CHECK_NEAR(es_value_number(&i), 7.0, 0);
    ES_CHECK_NEAR(es_value_number(&(es_value){ES_V_FLOAT, 0, 0, 0.25, NULL}), 0.25, 0);
    ES_CHECK(isnan(es_value_number(&(es_value){ES_V_NULL, 0, 0, 0, NULL})));

    es_value *arr = calloc(2, sizeof *arr);
    ES_CHECK_INT(es_value_copy(&arr[0], &s), 0);
    ES_CHECK_INT(es_value_copy(&arr[1], &i), 0);
    es_values_free(arr, 2);
}

ES_TEST(value_json)
{
    static const struct {
        es_value v;
        const char *want;
    } cases[] = {
        {{ES_V_NULL, 0, 0, 0, NULL}, "null"},
        {{ES_V_BOOL, 1, 0, 0, NULL}, "true"},
        {{ES_V_BOOL, 0, 0, 0, NULL}, "false"},
        {{ES_V_INT, 0, -3, 0, NULL}, "-3"},
        {{ES_V_FLOAT, 0, 0, 1e-05, NULL}, "1e-05"},
        {{ES_V_FLOAT, 0, 0, 2.0, NULL}, "2.0"},
        {{ES_V_STR, 0, 0, 0, "say \"hi\"\\\n\t\x01\xc3\xa9"},
         "\"say \\\"hi\\\"\\\\\\n\\t\\u0001\xc3\xa9\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        ES_CHECK_INT(es_value_json(&cases[i].v, &buf, &len, &cap), 0);
        ES_CHECK_STR(buf, cases[i].want);
        ES_CHECK_INT(len, strlen(cases[i].want));
        free(buf);
    }
    /* Appends to what the buffer holds. */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    es_value one = {ES_V_INT, 0, 1, 0, NULL}, nan = {ES_V_FLOAT, 0, 0, NAN, NULL};
    es_value inf = {ES_V_FLOAT, 0, 0, -INFINITY, NULL};
    ES_CHECK_INT(es_value_json(&one, &buf, &len, &cap), 0);
    ES_CHECK_INT(es_value_json(&nan, &buf, &len, &cap), 0);
    ES_CHECK_INT(es_value_json(&inf, &buf, &len, &cap), 0);
    ES_CHECK_STR(buf, "1nullnull");
    free(buf);
}

ES_TEST(json_strings_stay_valid_utf8)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    /* é is kept; a cut é, a stray continuation byte and 0xff become U+FFFD. */
    es_value v = {.kind = ES_V_STR, .s = "a\xc3\xa9 \xc3 \x80\xff z"};
    ES_CHECK_INT(es_value_json(&v, &buf, &len, &cap), 0);
    ES_CHECK_STR(buf, "\"a\xc3\xa9 \\ufffd \\ufffd\\ufffd z\"");
    free(buf);
}

/* One median and quantile for every module: R's type 7 (numpy's default). */
ES_TEST(quantiles_and_median)
{
    double v[] = {4, 1, 3, 2};
    ES_CHECK_NEAR(es_median(v, 4), 2.5, 0); /* sorts v */
    ES_CHECK_NEAR(v[0], 1, 0);
    ES_CHECK_NEAR(es_quantile_sorted(v, 4, 0.1), 1.3, 1e-12);
    ES_CHECK_NEAR(es_quantile_sorted(v, 4, 0.9), 3.7, 1e-12);
    ES_CHECK_NEAR(es_quantile_sorted(v, 4, 1.0), 4, 0);
    double one[] = {7};
    ES_CHECK_NEAR(es_median(one, 1), 7, 0);
    ES_CHECK(isnan(es_median(v, 0)));
}

ES_TEST(json_scalars_to_a_stream)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    es_json_write_num(f, 1.65);
    fputc(' ', f);
    es_json_write_num(f, NAN);
    fputc(' ', f);
    es_json_write_str(f, "a\"b");
    fputc(' ', f);
    es_json_write_str(f, NULL);
    fclose(f);
    ES_CHECK_STR(buf, "1.65 null \"a\\\"b\" null");
    free(buf);
}
