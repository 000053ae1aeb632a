/*
 * test_metric.c -- metric lines as trials print them: Katib-style text,
 * JSON lines, steps, and the values that are not numbers.
 */
#include <time.h>

#include "es_test.h"
#include "metric.h"

typedef struct got {
    int n;
    char name[8][64];
    char text[8][64];
    double value[8];
    int ok[8];
    long long step[8];
} got;

static void collect(void *ud, const es_metric_point *pt)
{
    got *g = ud;
    if (g->n == 8)
        return;
    snprintf(g->name[g->n], 64, "%s", pt->name);
    snprintf(g->text[g->n], 64, "%s", pt->text);
    g->value[g->n] = pt->value;
    g->ok[g->n] = pt->ok;
    g->step[g->n] = pt->step;
    g->n++;
}

static got parse(const char *line)
{
    got g;
    memset(&g, 0, sizeof g);
    es_metric_parse_line(line, strlen(line), collect, &g);
    return g;
}

ES_TEST(katib_pairs_with_step)
{
    got g = parse("val_loss=0.41 accuracy=0.9 step=3");
    ES_CHECK_INT(g.n, 2);
    ES_CHECK_STR(g.name[0], "val_loss");
    ES_CHECK_NEAR(g.value[0], 0.41, 1e-12);
    ES_CHECK_INT(g.step[0], 3);
    ES_CHECK_STR(g.name[1], "accuracy");
    ES_CHECK_INT(g.step[1], 3);
}

ES_TEST(katib_separators_and_spaces)
{
    got g = parse("epoch 2: loss = 1.5e-3, acc=0.5; train/loss=2");
    ES_CHECK_INT(g.n, 3);
    ES_CHECK_STR(g.name[0], "loss");
    ES_CHECK_NEAR(g.value[0], 1.5e-3, 1e-15);
    ES_CHECK_INT(g.step[0], -1);
    ES_CHECK_STR(g.name[2], "train/loss");
}

ES_TEST(json_line)
{
    got g = parse("{\"val_loss\": 0.31, \"step\": 5, \"note\": \"x\", \"nested\": {\"a\": 1}}");
    ES_CHECK_INT(g.n, 2);
    ES_CHECK_STR(g.name[0], "val_loss");
    ES_CHECK_NEAR(g.value[0], 0.31, 1e-12);
    ES_CHECK_INT(g.step[0], 5);
    ES_CHECK_STR(g.name[1], "note");
    ES_CHECK_INT(g.ok[1], 0);
}

ES_TEST(json_compact_and_python_nonfinite)
{
    got g = parse("{\"a\":1,\"b\":NaN,\"c\":-Infinity,\"_step\":7}");
    ES_CHECK_INT(g.n, 3);
    ES_CHECK(g.ok[0] && g.value[0] == 1);
    ES_CHECK(g.ok[1] && isnan(g.value[1]));
    ES_CHECK(g.ok[2] && isinf(g.value[2]) && g.value[2] < 0);
    ES_CHECK_INT(g.step[0], 7);
}

ES_TEST(json_quoted_number_is_text)
{
    got g = parse("{\"loss\": \"0.5\"}");
    ES_CHECK_INT(g.n, 1);
    ES_CHECK_INT(g.ok[0], 0);
    ES_CHECK(isnan(g.value[0]));
}

ES_TEST(nan_inf_garbage_missing)
{
    got g = parse("loss=nan");
    ES_CHECK(g.n == 1 && g.ok[0] && isnan(g.value[0]));
    g = parse("loss=inf");
    ES_CHECK(g.n == 1 && g.ok[0] && isinf(g.value[0]));
    g = parse("loss=abc");
    ES_CHECK(g.n == 1 && !g.ok[0] && isnan(g.value[0]));
    ES_CHECK_STR(g.text[0], "abc");
    g = parse("loss=0.5x");
    ES_CHECK(g.n == 1 && !g.ok[0]);
    g = parse("nothing to see here");
    ES_CHECK_INT(g.n, 0);
    g = parse("");
    ES_CHECK_INT(g.n, 0);
    g = parse("=5 ==");
    ES_CHECK_INT(g.n, 0);
}

ES_TEST(broken_json_falls_back_to_text)
{
    got g = parse("{\"loss\": 1 loss=2");
    ES_CHECK_INT(g.n, 1);
    ES_CHECK_STR(g.name[0], "loss");
    ES_CHECK_NEAR(g.value[0], 2, 0);
}

ES_TEST(binary_garbage_is_harmless)
{
    char line[512];
    for (int i = 0; i < 511; i++)
        line[i] = (char)(i * 37 + 11);
    line[511] = '\0';
    got g;
    memset(&g, 0, sizeof g);
    es_metric_parse_line(line, sizeof line - 1, collect, &g);
    ES_CHECK(g.n >= 0);
}

ES_TEST(brace_line_in_text_form)
{
    got g = parse("{step=3 loss=0.4}");
    ES_CHECK_INT(g.n, 1);
    ES_CHECK_STR(g.name[0], "loss");
    ES_CHECK_NEAR(g.value[0], 0.4, 1e-12);
    ES_CHECK_INT(g.step[0], 3);
}

ES_TEST(deeply_nested_json_is_refused_quickly)
{
    static char line[65536];
    line[0] = '{';
    memset(line + 1, '[', sizeof line - 2);
    got g;
    memset(&g, 0, sizeof g);
    clock_t c0 = clock();
    es_metric_parse_line(line, sizeof line - 1, collect, &g);
    ES_CHECK((double)(clock() - c0) / CLOCKS_PER_SEC < 0.5);
}

typedef struct last_of {
    int n;
    char name[64];
    double value;
    long long step;
} last_of;

static void keep_last(void *ud, const es_metric_point *pt)
{
    last_of *l = ud;
    l->n++;
    snprintf(l->name, sizeof l->name, "%s", pt->name);
    l->value = pt->value;
    l->step = pt->step;
}

/* Every pair of a long line counts, with the line's step: pairs past the
 * 64th were dropped without a word, and a metric printed after 70 others
 * "was never reported". */
ES_TEST(long_lines_keep_every_pair)
{
    char text[4096], json[4096];
    size_t a = 0, b = 0;
    b += (size_t)snprintf(json + b, sizeof json - b, "{");
    for (int i = 0; i < 70; i++) {
        a += (size_t)snprintf(text + a, sizeof text - a, "k%d=%d ", i, i);
        b += (size_t)snprintf(json + b, sizeof json - b, "\"k%d\": %d, ", i, i);
    }
    snprintf(text + a, sizeof text - a, "loss=0.25 step=7");
    snprintf(json + b, sizeof json - b, "\"loss\": 0.25, \"step\": 7}");
    const char *lines[2] = {text, json};
    for (int k = 0; k < 2; k++) {
        last_of l = {0};
        ES_CHECK_INT(es_metric_parse_line(lines[k], strlen(lines[k]), keep_last, &l), 71);
        ES_CHECK_INT(l.n, 71);
        ES_CHECK_STR(l.name, "loss");
        ES_CHECK_NEAR(l.value, 0.25, 1e-15);
        ES_CHECK_INT(l.step, 7);
    }
}
