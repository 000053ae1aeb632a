/*
 * test_report.c -- the analysis and the new formats of `ecosweep report`:
 * Dodge et al.'s expected maximum against its closed form and brute force,
 * sensitivity that finds the parameter that moved the metric and the one
 * that moved the energy, Strubell et al.'s tiers picking the median trial
 * and sweep, the Markdown and HTML pages -- the HTML rendered by headless
 * Chromium when it is installed (skipped, with a note, when not) -- and the
 * energy early termination saved.
 */
#include <errno.h>
#include <unistd.h>

#include "es_test.h"
#include "report.h"
#include "report_int.h"

/* ---- An in-memory project, no database needed ------------------------------ */

static es_store_trial mk_trial(int n, const char *status, double obj, double cpu_j,
                               const char *params)
{
    es_store_trial t;
    memset(&t, 0, sizeof t);
    t.id = n + 1;
    t.number = n;
    t.status = (char *)status;
    t.objective = obj;
    t.params_json = (char *)params;
    t.started = 1000;
    t.ended = 1000 + 3600;
    t.wall_s = 3600;
    t.cpu.j = cpu_j;
    t.cpu.method = ES_EM_ESTIMATE;
    t.dram.method = ES_EM_NONE;
    t.dram.j = NAN;
    t.gpu.method = ES_EM_NONE;
    t.gpu.j = NAN;
    return t;
}

static void mk_sweep(es_store_sweep *sw, int64_t id, const char *name, const char *goal,
                     es_store_trial *trials, size_t n)
{
    memset(sw, 0, sizeof *sw);
    sw->id = id;
    sw->name = (char *)name;
    sw->status = "finished";
    sw->method = "random";
    sw->metric = "acc";
    sw->goal = (char *)goal;
    sw->trials = trials;
    sw->n_trials = n;
    es_energy_factors_default(&sw->factors);
    sw->factors.pue = 1.0;
    sw->factors.electricity_usd_per_kwh = 0.1;
}

/* ---- Expected maximum ---------------------------------------------------------- */

ES_TEST(expected_max_closed_form)
{
    double v[] = {3, 1, 4, 2}, mean[4], sd[4];
    ES_CHECK_INT(es_report_expected_max(v, 4, 1, mean, sd), 0);
    ES_CHECK_NEAR(mean[0], 2.5, 1e-12);                 /* one draw: the mean */
    ES_CHECK_NEAR(mean[1], 50.0 / 16.0, 1e-12);         /* (1*1 + 2*3 + 3*5 + 4*7) / 16 */
    ES_CHECK_NEAR(sd[0], sqrt(30.0 / 4 - 6.25), 1e-12); /* population sd of 1..4 */
    ES_CHECK_INT(es_report_expected_max(v, 4, 0, mean, NULL), 0);
    ES_CHECK_NEAR(mean[0], 2.5, 1e-12);
    ES_CHECK_NEAR(mean[1], 5 - 50.0 / 16.0, 1e-12); /* the best of two is the smaller */
    ES_CHECK_INT(es_report_expected_max(v, 0, 1, mean, NULL), -EINVAL);
}

/* The closed form equals the average over every sequence of k draws. */
ES_TEST(expected_max_matches_brute_force)
{
    double v[] = {0.71, 0.65, 0.9, 0.65, 0.8}, mean[5];
    const int n = 5;
    for (int maximize = 0; maximize <= 1; maximize++) {
        ES_CHECK_INT(es_report_expected_max(v, n, maximize, mean, NULL), 0);
        for (int k = 1; k <= 3; k++) {
            double sum = 0;
            int count = 0, idx[3] = {0, 0, 0};
            for (;;) {
                double best = v[idx[0]];
                for (int j = 1; j < k; j++)
                    best = maximize ? fmax(best, v[idx[j]]) : fmin(best, v[idx[j]]);
                sum += best;
                count++;
                int j = 0;
                while (j < k && ++idx[j] == n)
                    idx[j++] = 0;
                if (j == k)
                    break;
            }
            ES_CHECK_NEAR(mean[k - 1], sum / count, 1e-12);
        }
        for (int k = 1; k < n; k++) /* more trials never make the expected best worse */
            ES_CHECK(maximize ? mean[k] >= mean[k - 1] - 1e-15 : mean[k] <= mean[k - 1] + 1e-15);
    }
}

/* ---- Sensitivity --------------------------------------------------------------------- */

/* The optimizer decides the accuracy; the learning rate decides the energy. */
ES_TEST(sensitivity_separates_metric_and_energy)
{
    static char params[16][96];
    es_store_trial t[17];
    es_store_sweep sw;
    for (int i = 0; i < 16; i++) {
        snprintf(params[i], sizeof params[i], "{\"opt\":\"%s\",\"lr\":%g,\"seed\":1}",
                 i % 2 == 0 ? "adam" : "sgd", 0.001 * (i + 1));
        double acc = (i % 2 == 0 ? 0.9 : 0.6) + 0.001 * (i % 3);
        t[i] = mk_trial(i, "completed", acc, 1e6 * (20 - i), params[i]);
    }
    t[16] = mk_trial(16, "failed", NAN, 5e6, params[0]); /* not a sample */
    mk_sweep(&sw, 1, "s", "maximize", t, 17);

    es_sensitivity *s;
    size_t n, used;
    ES_CHECK_INT(es_report_sensitivity(&sw, 0, &s, &n, &used), 0);
    ES_CHECK_INT(used, 16);
    ES_CHECK_INT(n, 2); /* seed never varied: not reported */
    ES_CHECK_STR(s[0].param, "opt");
    ES_CHECK_STR(s[0].method, "levels");
    ES_CHECK_INT(s[0].levels, 2);
    ES_CHECK(s[0].share > 0.99);
    ES_CHECK(isnan(s[0].rho));
    ES_CHECK_STR(s[1].param, "lr");
    ES_CHECK_STR(s[1].method, "quantile bins");
    ES_CHECK_INT(s[1].groups, 3);
    ES_CHECK(s[1].share < 0.2);
    es_report_sensitivity_free(s, n);

    ES_CHECK_INT(es_report_sensitivity(&sw, 1, &s, &n, &used), 0);
    ES_CHECK_STR(s[0].param, "lr");
    ES_CHECK_NEAR(s[0].rho, -1.0, 1e-12); /* energy falls as lr grows, strictly */
    ES_CHECK(s[0].share > 0.8);
    ES_CHECK_STR(s[1].param, "opt");
    ES_CHECK(s[1].share < 0.1);
    es_report_sensitivity_free(s, n);

    /* Below the minimum of trials: nothing to say, and the count so far. */
    sw.n_trials = ES_REPORT_SENSITIVITY_MIN_TRIALS - 1;
    ES_CHECK_INT(es_report_sensitivity(&sw, 0, &s, &n, &used), 0);
    ES_CHECK_INT(n, 0);
    ES_CHECK_INT(used, ES_REPORT_SENSITIVITY_MIN_TRIALS - 1);
    es_report_sensitivity_free(s, n);
}

/* A metric that no parameter moves: each parameter's share is about 0 and
 * the shares add up to at most 1.  Eta squared gave each of these four
 * grid parameters (5 levels, 2 trials each) about (k-1)/(n-1) = 0.44 of
 * "the variance" (here 0.51, 0.24, 0.42 and 0.50: 1.67 in all); and a sweep of 6 trials gave every
 * continuous parameter 1.00. */
ES_TEST(sensitivity_shares_mean_what_they_say)
{
    static char params[10][128];
    es_store_trial t[10];
    es_store_sweep sw;
    static const int perm[4][10] = {{1, 3, 4, 2, 0, 3, 0, 4, 1, 2},
                                    {4, 3, 2, 1, 0, 4, 0, 2, 1, 3},
                                    {2, 3, 1, 4, 0, 0, 2, 1, 3, 4},
                                    {2, 2, 3, 1, 4, 0, 0, 4, 3, 1}};
    static const double noise[10] = {0.31, 0.77, 0.12, 0.95, 0.48, 0.66, 0.05, 0.83, 0.27, 0.59};
    for (int i = 0; i < 10; i++) {
        snprintf(params[i], sizeof params[i], "{\"a\":%d,\"b\":%d,\"c\":%d,\"d\":%d}", perm[0][i],
                 perm[1][i], perm[2][i], perm[3][i]);
        t[i] = mk_trial(i, "completed", noise[i], 1e6, params[i]);
    }
    mk_sweep(&sw, 1, "s", "minimize", t, 10);
    es_sensitivity *s;
    size_t n, used;
    double sum = 0;
    ES_CHECK_INT(es_report_sensitivity(&sw, 0, &s, &n, &used), 0);
    ES_CHECK_INT(n, 4);
    for (size_t i = 0; i < n; i++) {
        ES_CHECK(s[i].share < 0.3);
        sum += s[i].share;
    }
    ES_CHECK(sum <= 1 + 1e-12);
    es_report_sensitivity_free(s, n);

    /* Six trials, continuous values: not shown, and the text says why. */
    sw.n_trials = 6;
    es_store_project p = {.id = 1, .name = "p", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ES_CHECK_INT(es_report_write(&d, ES_REPORT_TEXT, f), 0);
    fclose(f);
    ES_CHECK_CONTAINS(text, "what moved acc (not shown below 10 completed trials (6 so far))");
    ES_CHECK(strstr(text, "1.00") == NULL);
    free(text);
}

/* ---- Tiers ------------------------------------------------------------------------ */

ES_TEST(tiers_pick_the_median_trial_and_sweep)
{
    /* 3.6e6 J = 1 kWh at PUE 1. */
    es_store_trial a[3] = {mk_trial(0, "completed", 0.1, 3.6e6, "{}"),
                           mk_trial(1, "completed", 0.2, 5 * 3.6e6, "{}"),
                           mk_trial(2, "failed", NAN, 100 * 3.6e6, "{}")};
    es_store_trial b[2] = {mk_trial(0, "completed", 0.3, 2 * 3.6e6, "{}"),
                           mk_trial(1, "completed", 0.4, 3 * 3.6e6, "{}")};
    es_store_trial c[1] = {mk_trial(0, "completed", 0.3, 0.5 * 3.6e6, "{}")};
    es_store_sweep sw[3];
    es_store_project p;
    es_footprint fp;

    mk_sweep(&sw[0], 1, "big", "minimize", a, 3);  /* 106 kWh */
    mk_sweep(&sw[1], 2, "mid", "minimize", b, 2);  /* 5 kWh */
    mk_sweep(&sw[2], 3, "tiny", "minimize", c, 1); /* 0.5 kWh */
    memset(&p, 0, sizeof p);
    p.name = "p";
    p.sweeps = sw;
    p.n_sweeps = 3;
    ES_CHECK_INT(es_report_footprint(&p, &fp), 0);
    /* Completed trials by kWh: 0.5, 1, 2, 3, 5 -> the median is 2 kWh. */
    ES_CHECK(fp.one_model.available);
    ES_CHECK_NEAR(fp.one_model.cost.kwh, 2, 1e-12);
    ES_CHECK_STR(fp.one_model.what, "trial 0 of sweep mid (#2)");
    ES_CHECK_NEAR(fp.one_model.cost.hours, 1, 1e-12);
    ES_CHECK_NEAR(fp.one_model.cost.usd_electricity, 0.2, 1e-12);
    /* Sweeps by kWh: 0.5, 5, 106 -> mid. */
    ES_CHECK_NEAR(fp.one_tune.cost.kwh, 5, 1e-12);
    ES_CHECK_INT(fp.one_tune.jobs, 2);
    ES_CHECK_STR(fp.one_tune.what, "sweep mid (#2)");
    ES_CHECK_NEAR(fp.all_rd.cost.kwh, 111.5, 1e-9);
    ES_CHECK_INT(fp.all_rd.jobs, 6);
    ES_CHECK_INT(fp.all_rd.imported, 0);

    /* Equivalents scale the tier's CO2e and kWh by their sourced factors. */
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    ES_CHECK_INT(n_eq, 3);
    ES_CHECK_STR(eq[0].key, "car_km");
    ES_CHECK_NEAR(eq[0].per_unit * 1000, 251.03, 0.01); /* EPA: 404 g/mile */
    ES_CHECK_NEAR(eq[1].per_unit, 899.93, 0.01);        /* Strubell Table 1: 1,984 lbs */
    es_cost cost = {.kwh = 29.356, .co2e_kg = 899.93};
    ES_CHECK_NEAR(es_equivalent_value(&eq[1], &cost), 1, 1e-4);
    ES_CHECK_NEAR(es_equivalent_value(&eq[2], &cost), 1, 1e-3);

    /* No completed trial: no model tier, still a tune and the total. */
    sw[0].n_trials = 0;
    sw[1].trials = a + 2;
    sw[1].n_trials = 1;
    p.n_sweeps = 2;
    ES_CHECK_INT(es_report_footprint(&p, &fp), 0);
    ES_CHECK(!fp.one_model.available);
    ES_CHECK(fp.one_tune.available);
}

/* ---- Markdown and HTML ---------------------------------------------------------- */

static es_store_trial g_trials[12];
static es_store_sweep g_sweep;
static es_store_project g_project;
static es_store_data g_data;

static const es_store_data *sample(void)
{
    static const char *params[12];
    static char buf[12][64];
    for (int i = 0; i < 12; i++) {
        snprintf(buf[i], sizeof buf[i], "{\"kernel\":\"%s\",\"C\":%g}", i % 3 ? "rbf" : "poly",
                 0.1 * (i + 1));
        params[i] = buf[i];
        g_trials[i] = mk_trial(i, i == 4 ? "failed" : "completed", i == 4 ? NAN : 0.8 + 0.01 * i,
                               1e5 * (i + 1), params[i]);
    }
    mk_sweep(&g_sweep, 7, "svm <&> grid", "maximize", g_trials, 12);
    memset(&g_project, 0, sizeof g_project);
    g_project.name = "demo";
    g_project.sweeps = &g_sweep;
    g_project.n_sweeps = 1;
    g_data.projects = &g_project;
    g_data.n_projects = 1;
    return &g_data;
}

/* What write(d, fmt) wrote to the file `file` of the test's directory
 * (the caller frees it). */
static char *written(const es_store_data *d, es_report_format fmt, const char *file,
                     int (*write)(const es_store_data *, es_report_format, FILE *))
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", es_test_tmpdir(), file);
    FILE *f = fopen(path, "w+");
    ES_CHECK(f != NULL);
    ES_CHECK_INT(write(d, fmt, f), 0);
    long n = ftell(f);
    char *buf = malloc((size_t)n + 1);
    rewind(f);
    ES_CHECK_INT(fread(buf, 1, (size_t)n, f), n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int write_report(const es_store_data *d, es_report_format fmt, FILE *f)
{
    es_report_opts o = {.format = fmt};
    return es_report_write_opts(d, &o, f);
}

static char *render(const es_store_data *d, es_report_format fmt, const char *file)
{
    return written(d, fmt, file, write_report);
}

ES_TEST(format_names)
{
    ES_CHECK_INT(es_report_format_parse("markdown"), ES_REPORT_MARKDOWN);
    ES_CHECK_INT(es_report_format_parse("md"), ES_REPORT_MARKDOWN);
    ES_CHECK_INT(es_report_format_parse("html"), ES_REPORT_HTML);
    ES_CHECK_INT(es_report_format_parse("pdf"), -1);
}

ES_TEST(markdown_has_tiers_curve_and_sensitivity)
{
    char *md = render(sample(), ES_REPORT_MARKDOWN, "r.md");
    ES_CHECK_CONTAINS(md, "# ecosweep report");
    ES_CHECK_CONTAINS(md, "### R&D footprint");
    ES_CHECK_CONTAINS(md, "| tier | jobs | hours | kWh | kg CO2e | electricity USD | cloud USD "
                          "| which |");
    ES_CHECK_CONTAINS(md, "| one tune | 12 |");
    ES_CHECK_CONTAINS(md, "| all R&D | 12 |");
    ES_CHECK_CONTAINS(md, "**Expected best acc of n trials**");
    ES_CHECK_CONTAINS(md, "| 11 | "); /* the last row: all 11 completed trials */
    ES_CHECK_CONTAINS(md, "| `kernel` | levels | 2 |");
    ES_CHECK_CONTAINS(md, "| `C` | quantile bins | 2 |"); /* 11 trials: 2 bins of ~5 */
    ES_CHECK_CONTAINS(md, "first-order share of variance, omega squared");
    ES_CHECK_CONTAINS(md, "- **best**: trial 11, acc = 0.91, ");
    ES_CHECK_CONTAINS(md, "EPA-420-F-18-008");
    ES_CHECK_CONTAINS(md, "Strubell, Ganesh & McCallum 2019, Table 1");
    free(md);
}

ES_TEST(html_is_self_contained_with_plots)
{
    char *html = render(sample(), ES_REPORT_HTML, "r.html");
    ES_CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    ES_CHECK_CONTAINS(html, "<svg id=\"sweep-7-best-vs-kwh\"");
    ES_CHECK_CONTAINS(html, "<svg id=\"sweep-7-energy-per-trial\"");
    ES_CHECK_CONTAINS(html, "<svg id=\"sweep-7-expected-max\"");
    ES_CHECK_CONTAINS(html, "<title id=\"sweep-7-expected-max-title\">Expected best acc of n "
                            "trials</title>");
    ES_CHECK_CONTAINS(html, "Sweep svm &lt;&amp;&gt; grid (#7)"); /* names are escaped */
    /* Self-contained: no script, no external resource. */
    ES_CHECK(strstr(html, "<script") == NULL);
    ES_CHECK(strstr(html, "src=") == NULL);
    ES_CHECK(strstr(html, "href=") == NULL);
    ES_CHECK(strstr(html, "http://") == NULL || strstr(html, "http://www.w3.org/2000/svg"));
    free(html);
}

/* The first of chromium, chromium-browser, google-chrome on the PATH (or
 * $ES_CHROMIUM), or NULL. */
static const char *find_chromium(void)
{
    static char found[4200];
    static const char *names[] = {"chromium", "chromium-browser", "google-chrome"};
    const char *env = getenv("ES_CHROMIUM"), *path = getenv("PATH");
    if (env != NULL && access(env, X_OK) == 0)
        return env;
    for (size_t i = 0; path != NULL && i < sizeof names / sizeof names[0]; i++) {
        const char *p = path;
        while (*p) {
            const char *end = strchr(p, ':');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            snprintf(found, sizeof found, "%.*s/%s", (int)len, p, names[i]);
            if (len > 0 && access(found, X_OK) == 0)
                return found;
            p += len + (end != NULL);
        }
    }
    return NULL;
}

/* Render d as HTML, have headless Chromium parse it and dump its DOM into
 * buf.  0 (with a note) when Chromium is absent: the caller skips. */
static int chromium_dom(const es_store_data *d, const char *name, char *buf, size_t cap)
{
    const char *chromium = find_chromium();
    char cmd[20000], profile[4200], dom[4200], page[4200];
    if (chromium == NULL) {
        printf("SKIP: chromium not found on PATH (install Debian's chromium to run this "
               "check)\n");
        return 0;
    }
    free(render(d, ES_REPORT_HTML, name));
    snprintf(page, sizeof page, "%s/%s", es_test_tmpdir(), name);
    snprintf(profile, sizeof profile, "%s/chromium-profile", es_test_tmpdir());
    snprintf(dom, sizeof dom, "%s/%s.dom", es_test_tmpdir(), name);
    /* --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. */
    snprintf(cmd, sizeof cmd,
             "timeout 90 '%s' --headless --no-sandbox --disable-gpu "
             "--disable-background-networking --disable-component-update --disable-sync "
             "--no-first-run --user-data-dir='%s' --dump-dom 'file://%s' > '%s' 2>/dev/null",
             chromium, profile, page, dom);
    int rc = system(cmd);
    ES_CHECK_INT(rc, 0);
    FILE *f = fopen(dom, "r");
    ES_CHECK(f != NULL);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return 1;
}

/* Chromium parses the page and keeps the plots: the DOM it dumps holds
 * every <svg> with its id and title.  Skipped when Chromium is absent. */
ES_TEST(html_renders_in_headless_chromium)
{
    static char buf[1 << 20];
    if (!chromium_dom(sample(), "page.html", buf, sizeof buf))
        return;
    ES_CHECK_CONTAINS(buf, "<svg id=\"sweep-7-best-vs-kwh\"");
    ES_CHECK_CONTAINS(buf, "<svg id=\"sweep-7-energy-per-trial\"");
    ES_CHECK_CONTAINS(buf, "<svg id=\"sweep-7-expected-max\"");
    ES_CHECK_CONTAINS(buf, "Best acc so far against cumulative kWh</title>");
    ES_CHECK_CONTAINS(buf, "<polyline");
}

/* ---- Early termination ------------------------------------------------------------ */

/* Energy by rung: every trial that ran and ended (no reuse, lost attempt
 * or running trial) in the row of the last rung of its schedule it
 * reached (hyperband: by its reports, not its steps), each rung's
 * configurations those that got to it; the schedule from the recorded
 * spec, cut past the furthest trial; nothing without early termination
 * or with no rung reached. */
ES_TEST(energy_by_rung)
{
    es_store_trial t[8] = {
        mk_trial(0, "completed", 0.5, 20.0, "{}"), mk_trial(1, "pruned", 0.9, 2.0, "{}"),
        mk_trial(2, "pruned", 0.8, 5.0, "{}"),     mk_trial(3, "pruned", 0.9, 3.0, "{}"),
        mk_trial(4, "failed", NAN, 1.0, "{}"),     mk_trial(5, "completed", 0.5, 0.0, "{}"),
        mk_trial(6, "lost", NAN, 7.0, "{}"),       mk_trial(7, "running", NAN, 1.0, "{}")};
    const int64_t got[8] = {20, 3, 9, 4, 1, 27, 9, 3};
    for (int i = 0; i < 8; i++) {
        t[i].steps = t[i].reports = got[i];
        t[i].pruned_step = strcmp(t[i].status, "pruned") == 0 ? got[i] : -1;
    }
    t[0].steps = 200; /* it logged every 10th step: hyperband counts its 20 reports */
    t[5].reused_from = 1;
    es_store_sweep sw;
    mk_sweep(&sw, 1, "s", "maximize", t, 8);
    sw.spec_text = "program: t.py\nmetric: {name: acc, goal: maximize}\nparameters:\n"
                   "  x: {min: 0.0, max: 1.0}\n"
                   "early_terminate: {type: hyperband, max_iter: 81, s: 3, eta: 3}\n";
    es_rep_rungs r;
    es_rep_rungs_of(&sw, &r);
    ES_CHECK_INT(r.n, 3); /* brackets 3, 9 (27 is past every trial: cut) */
    const int at[3] = {0, 3, 9}, reached[3] = {5, 4, 2}, ended[3] = {1, 2, 2}, j[3] = {1, 5, 25};
    for (int k = 0; k < 3; k++) {
        ES_CHECK(r.r[k].at == at[k] && r.r[k].reached == reached[k] && r.r[k].ended == ended[k]);
        ES_CHECK_NEAR(r.r[k].j, j[k], 1e-12); /* pruned: in the text */
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    es_rep_write_rung_lines(f, "- ", &r);
    fclose(f);
    ES_CHECK_STR(text, "- energy by rung (estimate): before bracket 3, 5 configurations, 1 ended "
                       "there (0 pruned, 0 completed, 1 failed or stopped otherwise), 1 J (3%); "
                       "bracket 3, 4 reached it, 2 ended "
                       "there (2 pruned, 0 completed), 5 J (16%); bracket 9, 2 reached it, 2 "
                       "ended there (1 pruned, 1 completed), 25 J (81%)\n");
    free(text);
    /* No trial got to the first rung: nothing to say. */
    for (int i = 0; i < 8; i++)
        t[i].reports = 2;
    es_rep_rungs_of(&sw, &r);
    ES_CHECK_INT(r.n, 0);
    sw.spec_text = "program: t.py\nmetric: {name: acc, goal: maximize}\nparameters:\n"
                   "  x: {min: 0.0, max: 1.0}\n";
    es_rep_rungs_of(&sw, &r);
    ES_CHECK_INT(r.n, 0);
}

/* The energy-saved estimate: the completed trials' median joules per step
 * times the steps each pruned trial had left to their median final step;
 * used + saved = the estimated full cost, per trial and summed; nothing is
 * estimated without a completed trial to take the rate from. */
ES_TEST(energy_saved_by_pruning)
{
    es_store_trial t[5] = {
        mk_trial(0, "completed", 0.5, 10.0, "{}"), mk_trial(1, "completed", 0.4, 20.0, "{}"),
        mk_trial(2, "pruned", 0.9, 3.0, "{}"), mk_trial(3, "pruned", 0.8, 7.0, "{}"),
        mk_trial(4, "failed", NAN, 5.0, "{}")};
    t[0].steps = t[1].steps = 10;       /* 1 and 2 J per step: median 1.5 */
    t[2].steps = t[2].pruned_step = 4;  /* 6 steps left: 9 J saved */
    t[3].steps = t[3].pruned_step = 12; /* past the usual end: nothing saved */
    t[4].steps = 2;
    for (int i = 0; i < 5; i++)
        if (strcmp(t[i].status, "pruned") != 0)
            t[i].pruned_step = -1;
    es_store_sweep sw;
    mk_sweep(&sw, 1, "s", "minimize", t, 5);
    es_rep_prune p;
    es_rep_prune_of(&sw, &p);
    ES_CHECK_INT(p.pruned, 2);
    ES_CHECK_INT(p.basis, 2);
    ES_CHECK_NEAR(p.used_j, 10.0, 1e-12);
    ES_CHECK_NEAR(p.j_per_step, 1.5, 1e-12);
    ES_CHECK_NEAR(p.final_step, 10, 0);
    ES_CHECK_NEAR(p.saved_j, 9.0, 1e-12);
    ES_CHECK_NEAR(p.full_j, 19.0, 1e-12);
    es_rep_prune_est e;
    es_rep_prune_trial(&p, &t[2], &e);
    ES_CHECK_NEAR(e.saved_j, 9.0, 1e-12);
    ES_CHECK_NEAR(e.full_j, 12.0, 1e-12);
    ES_CHECK_INT(e.own, 0); /* no report times: at the median */
    ES_CHECK_NEAR(e.low_j, 9.0, 1e-12);
    ES_CHECK_NEAR(e.high_j, 9.0, 1e-12);
    es_rep_prune_trial(&p, &t[3], &e);
    ES_CHECK_NEAR(e.saved_j, 0.0, 0);
    ES_CHECK_NEAR(e.full_j, 7.0, 1e-12);
    es_rep_prune_trial(&p, &t[0], &e);
    ES_CHECK(isnan(e.full_j) && isnan(e.saved_j));

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    es_rep_write_prune_lines(f, "- ", &p, &sw.factors);
    fclose(f);
    ES_CHECK_CONTAINS(text, "- early termination: 2 trials pruned, which used 10 J");
    ES_CHECK_CONTAINS(text, "- energy saved by early termination: about 9 J");
    ES_CHECK_CONTAINS(text, "range 9-9 J, 47% of the 19 J running the pruned trials to step 10");
    ES_CHECK_CONTAINS(text, "(0 of 2; the others at the median)");
    ES_CHECK_CONTAINS(text, "the median 1.5 J per step of 2 completed trials");
    free(text);

    /* No completed trial: not estimated.  No pruned trial: nothing said. */
    t[0].status = t[1].status = "failed";
    es_rep_prune_of(&sw, &p);
    ES_CHECK(isnan(p.saved_j) && isnan(p.full_j) && isnan(p.j_per_step));
    f = open_memstream(&text, &len);
    es_rep_write_prune_lines(f, "", &p, &sw.factors);
    fclose(f);
    ES_CHECK_CONTAINS(text, "energy saved by early termination: not estimated");
    free(text);
    t[2].status = t[3].status = "completed";
    es_rep_prune_of(&sw, &p);
    f = open_memstream(&text, &len);
    es_rep_write_prune_lines(f, "", &p, &sw.factors);
    fclose(f);
    ES_CHECK_STR(text, "");
    free(text);
}

/* The saving is estimated per configuration, at each pruned trial's own
 * pace after its first report: what a trial spends before it (starting
 * up) does not recur per step, and a configuration dearer per step than
 * the others costs more to finish.  The completed trials' median joules
 * per step (start-up included) overstated a cheap trial's saving 1.4 times
 * and understated a dear one's; the range takes the completed trials'
 * median pace too.  Trials here draw 1 W: 5 s of start-up, then 1 s per
 * step (2 s for the dear one) to step 10. */
ES_TEST(energy_saved_by_pruning_is_per_configuration)
{
    es_store_trial t[4] = {
        mk_trial(0, "completed", 0.5, 14.0, "{}"), mk_trial(1, "completed", 0.4, 14.0, "{}"),
        mk_trial(2, "pruned", 0.9, 9.0, "{}"), mk_trial(3, "pruned", 0.8, 6.0, "{}")};
    const double wall[4] = {14, 14, 9, 6}, last[4] = {14, 14, 9, 6};
    const int64_t steps[4] = {10, 10, 3, 2};
    for (int i = 0; i < 4; i++) {
        t[i].wall_s = wall[i];
        t[i].ended = t[i].started + wall[i];
        t[i].first_step = 1;
        t[i].steps = steps[i];
        t[i].first_report_t = t[i].started + 5;
        t[i].last_report_t = t[i].started + last[i];
        t[i].pruned_step = i >= 2 ? steps[i] : -1;
    }
    es_store_sweep sw;
    mk_sweep(&sw, 1, "s", "minimize", t, 4);
    es_rep_prune p;
    es_rep_prune_of(&sw, &p);
    ES_CHECK_NEAR(p.final_step, 10, 0);
    ES_CHECK_NEAR(p.j_per_step, 1.0, 1e-12); /* after the first report */
    es_rep_prune_est e;
    es_rep_prune_trial(&p, &t[2], &e); /* the dear one: 5 + 2 x 9 = 23 J to the end */
    ES_CHECK_INT(e.own, 1);
    ES_CHECK_NEAR(e.full_j, 23.0, 1e-9);
    ES_CHECK_NEAR(e.saved_j, 14.0, 1e-9);
    ES_CHECK_NEAR(e.low_j, 7.0, 1e-9);
    ES_CHECK_NEAR(e.high_j, 14.0, 1e-9);
    es_rep_prune_trial(&p, &t[3], &e); /* like the completed: 14 J to the end */
    ES_CHECK_NEAR(e.full_j, 14.0, 1e-9);
    ES_CHECK_NEAR(e.saved_j, 8.0, 1e-9);
    ES_CHECK_NEAR(p.saved_j, 22.0, 1e-9);
    ES_CHECK_NEAR(p.saved_low_j, 15.0, 1e-9);
    ES_CHECK_NEAR(p.saved_high_j, 22.0, 1e-9);
    ES_CHECK_INT(p.own_pace, 2);
}

/* ---- One view, every format ------------------------------------------------------ */

/* Every format states the same facts of one sweep: its stop reason, its
 * budget overshoot, its Slurm jobs, its early termination and the same
 * totals (the HTML report once dropped the reason, the overshoot and the
 * Slurm lines). */
ES_TEST(every_format_states_the_same_facts)
{
    es_store_trial t[4] = {mk_trial(0, "completed", 0.5, 3.6e6, "{\"x\":1}"),
                           mk_trial(1, "completed", 0.4, 7.2e6, "{\"x\":2}"),
                           mk_trial(2, "pruned", 0.9, 1.8e6, "{\"x\":3}"),
                           mk_trial(3, "budget_stopped", NAN, 0.9e6, "{\"x\":4}")};
    t[0].steps = t[1].steps = 10;
    t[2].steps = t[2].pruned_step = 4;
    t[0].pruned_step = t[1].pruned_step = t[3].pruned_step = -1;
    t[1].slurm_job = "4242";
    t[1].slurm_state = "COMPLETED";
    t[1].slurm_energy_j = 7.0e6;
    t[0].slurm_energy_j = t[2].slurm_energy_j = t[3].slurm_energy_j = NAN;
    es_store_sweep sw;
    mk_sweep(&sw, 3, "facts", "minimize", t, 4);
    sw.status = "finished";
    sw.reason = "budget would be exceeded: project cap 4 kWh";
    sw.overshoot_j = 5.4e5;
    es_store_project p = {.id = 1, .name = "pf", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};

    /* 13.5e6 J at PUE 1 = 3.75 kWh over the four trials; 0.15 kWh overshoot. */
    static const struct {
        es_report_format fmt;
        const char *file;
        const char *facts[6];
    } cases[] = {
        {ES_REPORT_TEXT,
         "f.txt",
         {"budget would be exceeded: project cap 4 kWh", "3.75 kWh",
          "budget overshoot: 5.4e+05 J (0.15 kWh)", "Slurm: 1 trial ran as jobs (COMPLETED 1)",
          "early termination: 1 trial pruned", NULL}},
        {ES_REPORT_MARKDOWN,
         "f.md",
         {"budget would be exceeded: project cap 4 kWh", "3.75 kWh",
          "budget overshoot: 5.4e+05 J (0.15 kWh)", "Slurm: 1 trial ran as jobs (COMPLETED 1)",
          "early termination: 1 trial pruned", NULL}},
        {ES_REPORT_HTML,
         "f.html",
         {"budget would be exceeded: project cap 4 kWh", "3.75 kWh",
          "budget overshoot: 5.4e+05 J (0.15 kWh)", "Slurm: 1 trial ran as jobs (COMPLETED 1)",
          "early termination: 1 trial pruned", NULL}},
        {ES_REPORT_JSON,
         "f.json",
         {"\"reason\": \"budget would be exceeded: project cap 4 kWh\"",
          "\"totals\": {\"kwh\": 3.75,", "\"overshoot_j\": 540000", "\"overshoot_kwh\": 0.15",
          "\"slurm\": {\"jobs\": 1, \"states\": {\"COMPLETED\": 1}", "\"pruned\": 1"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = render(&d, cases[i].fmt, cases[i].file);
        for (int k = 0; k < 6 && cases[i].facts[k] != NULL; k++)
            ES_CHECK_CONTAINS(out, cases[i].facts[k]);
        free(out);
    }

    /* The CSV rows add up to the same total, and say the same pruning. */
    char *csv = render(&d, ES_REPORT_CSV, "f.csv");
    double kwh = 0;
    int rows = 0;
    for (char *line = strchr(csv, '\n'); line != NULL && line[1]; line = strchr(line + 1, '\n')) {
        const char *c = line + 1;
        for (int field = 0; field < 9; field++) /* kwh is the 10th column */
            c = strchr(c, ',') + 1;
        kwh += strtod(c, NULL);
        rows++;
    }
    ES_CHECK_INT(rows, 4);
    ES_CHECK_NEAR(kwh, 3.75, 1e-9);
    free(csv);
}

/* The tiers count models trained, never results reused: a second run of
 * the same sweep that reused every trial once made one model and one tune
 * 0 kWh, and all R&D counted every trial twice. */
ES_TEST(tiers_leave_out_reused_results)
{
    es_store_trial a[3] = {mk_trial(0, "completed", 0.1, 3.6e6, "{}"),
                           mk_trial(1, "completed", 0.2, 2 * 3.6e6, "{}"),
                           mk_trial(2, "completed", 0.3, 3 * 3.6e6, "{}")};
    es_store_trial b[3];
    for (int i = 0; i < 3; i++) { /* the same configurations, reused: nothing ran */
        b[i] = mk_trial(i, "completed", a[i].objective, 0, "{}");
        b[i].cpu.method = ES_EM_NONE;
        b[i].reused_from = a[i].id;
        b[i].reused_j = a[i].cpu.j;
    }
    es_store_sweep sw[2];
    mk_sweep(&sw[0], 1, "first", "minimize", a, 3);
    mk_sweep(&sw[1], 2, "again", "minimize", b, 3);
    es_store_project p = {.id = 1, .name = "p", .sweeps = sw, .n_sweeps = 2};
    es_footprint fp;
    ES_CHECK_INT(es_report_footprint(&p, &fp), 0);
    ES_CHECK_NEAR(fp.one_model.cost.kwh, 2, 1e-12);
    ES_CHECK_STR(fp.one_model.what, "trial 1 of sweep first (#1)");
    ES_CHECK_NEAR(fp.one_tune.cost.kwh, 6, 1e-12);
    ES_CHECK_INT(fp.one_tune.jobs, 3);
    ES_CHECK_INT(fp.all_rd.jobs, 3);
    ES_CHECK_NEAR(fp.all_rd.cost.kwh, 6, 1e-12);
    ES_CHECK_CONTAINS(fp.all_rd.what, "3 trials (and 3 reused results, not counted)");
}

/* "budget overshoot: 0 J" said nothing true: a sweep that stayed within its
 * budget records 0, and no format says it overshot. */
ES_TEST(no_overshoot_line_for_a_sweep_within_budget)
{
    es_store_trial t[1] = {mk_trial(0, "completed", 0.1, 3.6e6, "{}")};
    es_store_sweep sw;
    mk_sweep(&sw, 1, "s", "minimize", t, 1);
    sw.overshoot_j = 0;
    es_store_project p = {.id = 1, .name = "p", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};
    static const es_report_format fmts[] = {ES_REPORT_TEXT, ES_REPORT_MARKDOWN, ES_REPORT_HTML};
    for (size_t i = 0; i < 3; i++) {
        char *out = render(&d, fmts[i], "o.txt");
        ES_CHECK(strstr(out, "overshoot") == NULL);
        free(out);
    }
    char *json = render(&d, ES_REPORT_JSON, "o.json"); /* the recorded 0 stays in JSON */
    ES_CHECK_CONTAINS(json, "\"overshoot_j\": 0,");
    free(json);
}

/* The expected maximum's sd of values that differ far below their size
 * (1e8 + 0.001 ... 0.008) lost everything to cancellation, and values near
 * 1e308 overflowed: both match the closed form computed around the best. */
ES_TEST(expected_max_sd_is_stable)
{
    double v[8], mean[8], sd[8];
    for (int i = 0; i < 8; i++)
        v[i] = 100000000.001 + 0.001 * i;
    ES_CHECK_INT(es_report_expected_max(v, 8, 1, mean, sd), 0);
    /* sd of 8 values 0.001 apart (each held to 1.5e-8, a double's step at 1e8) */
    ES_CHECK_NEAR(sd[0], 0.001 * sqrt(63.0 / 12.0), 2e-8);
    ES_CHECK_NEAR(mean[0], 100000000.0045, 1e-7);
    for (int k = 1; k < 8; k++)
        ES_CHECK(sd[k] < 0.004 && sd[k] <= sd[k - 1] + 1e-12);
    double big[4] = {1e308, -1e308, 5e307, 0};
    ES_CHECK_INT(es_report_expected_max(big, 4, 1, mean, sd), 0);
    ES_CHECK(isfinite(mean[0]) && isfinite(sd[0]) && sd[0] > 1e307);
    ES_CHECK_NEAR(mean[0] / 1e307, 1.25, 1e-9); /* (10 - 10 + 5 + 0) / 4 */
}

/* Names and reasons are data: in Markdown they can neither inject HTML or
 * links nor break a table or a heading. */
ES_TEST(markdown_shows_names_literally)
{
    es_store_trial t[1] = {mk_trial(0, "completed", 0.5, 3.6e6, "{\"a|b\":1}")};
    es_store_sweep sw;
    mk_sweep(&sw, 1, "x`y*z_[l](http://e)", "minimize", t, 1);
    sw.reason = "stop <img src=x onerror=alert(1)>\nnext line";
    sw.metric = "loss|*";
    es_store_project p = {.id = 1, .name = "p|q", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};
    char *md = render(&d, ES_REPORT_MARKDOWN, "esc.md");
    ES_CHECK_CONTAINS(md, "## Project `p|q`\n");                     /* a heading: '|' as it is */
    ES_CHECK_CONTAINS(md, "### Sweep ``x`y*z_[l](http://e)`` (#1)"); /* a longer fence */
    ES_CHECK_CONTAINS(md, "stop \\<img src=x onerror=alert(1)\\> next line");
    ES_CHECK(strstr(md, " <img") == NULL); /* only the escaped one */
    ES_CHECK_CONTAINS(md, "- **best**: trial 0, loss\\|\\* = 0.5, `{\"a|b\":1}`");
    free(md);
}

/* The HTML plots stay drawable: thousands of trials are drawn as at most
 * 300 bars of a visible width (they were 0.0 wide past ~6,000 trials), and
 * objectives near 1e308 give no inf or nan coordinates. */
ES_TEST(html_plots_stay_drawable)
{
    enum { N = 5000 };
    es_store_trial *t = calloc(N, sizeof *t);
    static char params[] = "{\"x\":1}";
    for (int i = 0; i < N; i++)
        t[i] = mk_trial(i, i % 7 ? "completed" : "failed", i % 2 ? 1e308 : -1e308, 1e5, params);
    es_store_sweep sw;
    mk_sweep(&sw, 1, "many", "minimize", t, N);
    es_store_project p = {.id = 1, .name = "p", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};
    char *html = render(&d, ES_REPORT_HTML, "many.html");
    const char *plot = strstr(html, "id=\"sweep-1-energy-per-trial\"");
    ES_CHECK(plot != NULL);
    const char *end = strstr(plot, "</svg>");
    int rects = 0;
    for (const char *r = strstr(plot, "<rect x="); r != NULL && r < end;
         r = strstr(r + 1, "<rect x=")) {
        double w = strtod(strstr(r, "width=\"") + 7, NULL);
        ES_CHECK(w > 0.5);
        rects++;
    }
    ES_CHECK_INT(rects, 300);
    ES_CHECK_CONTAINS(plot, "trials 0 to 15: 13 completed, 3 failed");
    ES_CHECK(strstr(html, "inf") == NULL && strstr(html, "nan") == NULL);
    free(html);
    free(t);
}

/* From a review of the formats side by side: a sweep's count in JSON is
 * not hidden by its list of trials (one key held both); every format gives
 * the total over projects; every format says why trials failed; energy
 * nothing measured is "not measured", never 0 kWh; a lost attempt and its
 * rerun are two CodeCarbon runs; a name a spreadsheet would run as a
 * formula opens as text. */
ES_TEST(formats_agree_on_counts_totals_and_reasons)
{
    es_store_trial a[3] = {mk_trial(0, "completed", 0.5, 3.6e6, "{}"),
                           mk_trial(1, "failed", NAN, 3.6e5, "{}"),
                           mk_trial(2, "failed", NAN, 3.6e5, "{}")};
    a[1].reason = a[2].reason = "exited with code 1: ModuleNotFoundError: No module named 'x'";
    a[0].log_dir = "/d/sweep-1/trial-0.lost-4";
    es_store_trial b[1] = {mk_trial(0, "lost", NAN, 0, "{}")};
    b[0].cpu.method = ES_EM_NONE; /* nothing measured */
    es_store_sweep sw[2];
    mk_sweep(&sw[0], 1, "=HYPERLINK(\"http://e\")", "minimize", a, 3);
    mk_sweep(&sw[1], 2, "quiet", "minimize", b, 1);
    es_store_project p[2] = {{.id = 1, .name = "p1", .sweeps = &sw[0], .n_sweeps = 1},
                             {.id = 2, .name = "p2", .sweeps = &sw[1], .n_sweeps = 1}};
    es_store_data d = {.projects = p, .n_projects = 2};

    char *json = render(&d, ES_REPORT_JSON, "c.json");
    ES_CHECK_CONTAINS(json, "\"n_trials\": 3, \"trials_by_status\"");
    ES_CHECK_CONTAINS(json, "\"totals\": {\"kwh\": 1.2,");
    free(json);
    static const es_report_format fmts[] = {ES_REPORT_TEXT, ES_REPORT_MARKDOWN, ES_REPORT_HTML};
    for (size_t i = 0; i < 3; i++) {
        char *out = render(&d, fmts[i], "c.out");
        ES_CHECK_CONTAINS(out, "All 2 projects");
        ES_CHECK_CONTAINS(out, "1.2 kWh");
        ES_CHECK_CONTAINS(out, "why trials did not complete: 2 x exited with code 1: "
                               "ModuleNotFoundError");
        ES_CHECK_CONTAINS(out, "1 trial, 1 lost");
        ES_CHECK_CONTAINS(out, "energy not measured");
        free(out);
    }
    char *cc = render(&d, ES_REPORT_CODECARBON, "c.csv");
    ES_CHECK_CONTAINS(cc, ",sweep-1/trial-0.lost-4,");
    ES_CHECK_CONTAINS(cc, ",sweep-1/trial-1,");
    free(cc);
    char *csv = render(&d, ES_REPORT_CSV, "c2.csv");
    ES_CHECK_CONTAINS(csv, "\np1,\"'=HYPERLINK(\"\"http://e\"\")\",");
    free(csv);
}

/* What `run` prints at the end about a sweep's cost comes from the
 * report's sentence: it said "energy: 0.000000 kWh" for a sweep nothing
 * measured, and never which method produced a number it printed. */
static int write_summary(const es_store_data *d, es_report_format fmt, FILE *f)
{
    (void)fmt; /* plain text */
    return es_report_write_summary(d, "  ", f);
}

static char *run_summary(const es_store_data *d)
{
    return written(d, ES_REPORT_TEXT, "summary.txt", write_summary);
}

ES_TEST(run_summary_names_the_method_and_never_says_0_kwh)
{
    es_store_trial a[2] = {mk_trial(0, "completed", 0.5, 3.6e6, "{}"),
                           mk_trial(1, "failed", NAN, 0, "{}")};
    a[1].cpu.method = ES_EM_NONE;
    es_store_trial b[1] = {mk_trial(0, "failed", NAN, 0, "{}")};
    b[0].cpu.method = ES_EM_NONE;
    es_store_sweep sw;
    mk_sweep(&sw, 1, "measured", "minimize", a, 2);
    es_store_project p = {.id = 1, .name = "p", .sweeps = &sw, .n_sweeps = 1};
    es_store_data d = {.projects = &p, .n_projects = 1};
    char *out = run_summary(&d);
    ES_CHECK_CONTAINS(out, "  cost: ");
    ES_CHECK_CONTAINS(out, " kWh, ");
    ES_CHECK_CONTAINS(out, "energy by ");
    free(out);
    mk_sweep(&sw, 2, "unmeasured", "minimize", b, 1);
    out = run_summary(&d);
    ES_CHECK_CONTAINS(out, "energy not measured");
    ES_CHECK(strstr(out, "0 kWh") == NULL);
    free(out);
}

/* ---- Several objectives ------------------------------------------------------ */

/* acc (maximize) against energy.kwh, acc >= 0.82: #0 (0.90, 4e5 J), #1
 * (0.85, 1e5), #2 (0.80: breaks the constraint), #3 (0.88, 5e5: behind
 * #0), #4 failed, #5 (0.87, energy unknown), #6 (0.899, 1.5e5). */
static es_store_trial p_trials[7];
static es_objective p_obj[2];
static es_constraint p_con[1];

static const es_store_data *pareto_sample(void)
{
    static const double acc[7] = {0.90, 0.85, 0.80, 0.88, NAN, 0.87, 0.899};
    static const double j[7] = {4e5, 1e5, 0.5e5, 5e5, 1e5, 0, 1.5e5};
    for (int i = 0; i < 7; i++) {
        p_trials[i] = mk_trial(i, i == 4 ? "failed" : "completed", acc[i], j[i], "{}");
        if (i == 5)
            p_trials[i].cpu.method = ES_EM_NONE;
    }
    sample();
    mk_sweep(&g_sweep, 9, "tradeoff", "maximize", p_trials, 7);
    p_obj[0] = (es_objective){.name = "acc", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MAXIMIZE};
    p_obj[1] = (es_objective){.name = "energy.kwh", .kind = ES_OBJ_KWH, .goal = ES_GOAL_MINIMIZE};
    p_con[0] = (es_constraint){.name = "acc", .kind = ES_OBJ_METRIC, .has_min = 1, .min = 0.82};
    g_sweep.objectives = p_obj;
    g_sweep.n_objectives = 2;
    g_sweep.constraints = p_con;
    g_sweep.n_constraints = 1;
    return &g_data;
}

ES_TEST(report_front_ranks_constraints_and_hypervolume)
{
    es_rep_view *v = NULL;
    es_report_opts o = {.format = ES_REPORT_JSON};
    ES_CHECK_INT(es_rep_view_build(pareto_sample(), &o, &v), 0);
    const es_rep_sweep_view *sv = &v->projects[0].sweeps[0];
    const es_rep_front *fr = &sv->front;
    ES_CHECK_INT(fr->m, 2);
    ES_CHECK_INT(fr->n_front, 3);
    ES_CHECK_INT(fr->front[0], 0); /* best acc first */
    ES_CHECK_INT(fr->front[1], 6);
    ES_CHECK_INT(fr->front[2], 1);
    static const int rank[7] = {1, 1, 0, 2, 0, 0, 1};
    for (int i = 0; i < 7; i++)
        if (fr->rank[i] != rank[i])
            ES_FAIL("trial %d: rank %d, expected %d", i, fr->rank[i], rank[i]);
    ES_CHECK_INT(fr->n_completed, 5);  /* #4 failed, #5 has no energy */
    ES_CHECK_INT(fr->n_infeasible, 2); /* #2 breaks the constraint, #5 lacks its energy */
    /* Reference from the feasible trials: acc 0.85 - 0.1 * 0.05, kWh of
     * 5e5 J + 0.1 of the range (1e5 .. 5e5 J). */
    double kwh = 1.0 / 3.6e6;
    ES_CHECK_NEAR(fr->ref[0], 0.845, 1e-12);
    ES_CHECK_NEAR(fr->ref[1], 5.4e5 * kwh, 1e-15);
    /* The staircase by hand, in (1 - acc, kWh) terms. */
    double hv = (0.90 - 0.845) * (5.4e5 - 4e5) * kwh + (0.899 - 0.845) * (4e5 - 1.5e5) * kwh +
                (0.85 - 0.845) * (1.5e5 - 1e5) * kwh;
    ES_CHECK_NEAR(fr->hypervolume, hv, 1e-15);
    ES_CHECK_INT(fr->n_hist, 7);
    ES_CHECK_NEAR(fr->hist[6].hypervolume, hv, 1e-15);
    ES_CHECK_NEAR(fr->hist[0].hypervolume, (0.90 - 0.845) * (5.4e5 - 4e5) * kwh, 1e-15);
    /* The cheapest within 1% of the best (0.90): #6 at 1.5e5 J, 0.375 of it. */
    ES_CHECK(sv->near[0].trial == &sv->trials[6]);
    ES_CHECK_NEAR(sv->near[0].ratio, 0.375, 1e-12);
    es_rep_view_free(v);

    char *json = render(pareto_sample(), ES_REPORT_JSON, "pareto.json");
    ES_CHECK(strstr(json, "\"pareto\": [0, 6, 1]") != NULL);
    ES_CHECK(strstr(json, "\"hypervolume\": ") != NULL);
    ES_CHECK(strstr(json, "\"reference_point\": [0.845, ") != NULL);
    ES_CHECK(strstr(json, "\"reference_point_from\": [\"data\", \"data\"]") != NULL);
    ES_CHECK(strstr(json, "\"number\": 3, \"pareto_rank\": 2, \"objective_values\": [0.88, "
                          "0.138888888888889], \"feasible\": true") != NULL);
    ES_CHECK(strstr(json, "\"number\": 2, \"pareto_rank\": null, \"objective_values\": [0.8, ") !=
             NULL);
    ES_CHECK(strstr(json, "\"near_best\": [{\"within\": 0.01, \"number\": 6") != NULL);
    free(json);
    char *text = render(pareto_sample(), ES_REPORT_TEXT, "pareto.txt");
    ES_CHECK(strstr(text, "Pareto front of acc (maximize) and energy.kwh (minimize): 3 trials of "
                          "6 completed; 2 not feasible (1 breaks a constraint, 1 without a number "
                          "for every objective; not ranked)") != NULL);
    ES_CHECK(strstr(text, "cheapest within 1% of the best acc: trial #6 (0.899)") != NULL);
    free(text);
    /* CSV carries feasibility, rank and the ranked values too. */
    char *csv = render(pareto_sample(), ES_REPORT_CSV, "pareto.csv");
    ES_CHECK_CONTAINS(csv,
                      ",feasible,pareto_rank,objective_1,objective_2,objective_3,phases_kwh\n");
    ES_CHECK_CONTAINS(csv, ",true,1,0.9,0.1111111111,,\n");
    ES_CHECK_CONTAINS(csv, ",false,,0.8,");
    free(csv);
    char *md = render(pareto_sample(), ES_REPORT_MARKDOWN, "pareto.md");
    ES_CHECK(strstr(md, "| trial | acc (maximize) | energy.kwh (minimize) |") != NULL);
    free(md);
}

ES_TEST(report_front_with_a_stated_reference_and_nothing_feasible)
{
    pareto_sample();
    p_obj[1].has_ref = 1;
    p_obj[1].ref = 1.0; /* kWh */
    es_rep_view *v = NULL;
    es_report_opts o = {.format = ES_REPORT_JSON};
    ES_CHECK_INT(es_rep_view_build(&g_data, &o, &v), 0);
    ES_CHECK_NEAR(v->projects[0].sweeps[0].front.ref[1], 1.0, 0);
    ES_CHECK_INT(v->projects[0].sweeps[0].front.ref_given[1], 1);
    es_rep_view_free(v);
    /* A constraint nobody keeps: no front, no hypervolume, said so. */
    p_con[0].min = 2.0;
    ES_CHECK_INT(es_rep_view_build(&g_data, &o, &v), 0);
    ES_CHECK_INT(v->projects[0].sweeps[0].front.n_front, 0);
    ES_CHECK(isnan(v->projects[0].sweeps[0].front.hypervolume));
    es_rep_view_free(v);
    char *text = render(&g_data, ES_REPORT_TEXT, "pareto_none.txt");
    ES_CHECK(strstr(text, "no hypervolume: no feasible trial") != NULL);
    free(text);
    p_obj[1].has_ref = 0;
}

/* The front in the browser: the scatter with the front filled and joined,
 * the dominated trial dimmed, the one that breaks the constraint crossed,
 * the hypervolume against kWh, and the table. */
ES_TEST(html_pareto_front_renders_in_headless_chromium)
{
    static char buf[1 << 20];
    if (!chromium_dom(pareto_sample(), "pareto.html", buf, sizeof buf))
        return;
    ES_CHECK_CONTAINS(buf, "<svg id=\"sweep-9-pareto\"");
    ES_CHECK_CONTAINS(buf, "Pareto front: energy.kwh against acc</title>");
    ES_CHECK_CONTAINS(buf, "<svg id=\"sweep-9-hypervolume-vs-kwh\"");
    ES_CHECK_CONTAINS(buf, "trial 3: 0.88, 0.138889 (Pareto rank 2)</title>");
    ES_CHECK_CONTAINS(buf, "class=\"infeasible\"");
    ES_CHECK_CONTAINS(buf, "trial 2: 0.8, 0.0138889 (breaks a constraint)</title>");
    ES_CHECK_CONTAINS(buf, "<table class=\"pareto\">");
    ES_CHECK_CONTAINS(buf, "cheapest within 1% of the best acc: trial #6");
    /* Three on the front, one dimmed: no more, no fewer. */
    size_t front = 0, dominated = 0;
    for (const char *p = buf; (p = strstr(p, "<circle class=\"")) != NULL; p++) {
        front += strncmp(p + 15, "front", 5) == 0;
        dominated += strncmp(p + 15, "dominated", 9) == 0;
    }
    ES_CHECK_INT(front, 3);
    ES_CHECK_INT(dominated, 1);
}

/* Constraints without objectives still bound what is recommended: the best
 * trial and the cheapest near it keep them, and the report says how many
 * broke them.  They used to be accepted and then ignored. */
ES_TEST(report_constraints_bound_the_best_trial)
{
    pareto_sample();
    g_sweep.n_objectives = 0;
    p_con[0] = (es_constraint){.name = "acc", .kind = ES_OBJ_METRIC, .has_max = 1, .max = 0.895};
    es_rep_view *v = NULL;
    es_report_opts o = {.format = ES_REPORT_TEXT};
    ES_CHECK_INT(es_rep_view_build(&g_data, &o, &v), 0);
    const es_rep_sweep_view *sv = &v->projects[0].sweeps[0];
    ES_CHECK(sv->best == &sv->trials[3]); /* 0.88: #0 (0.90) and #6 (0.899) break it */
    ES_CHECK_INT(sv->front.n_breaking, 2);
    es_rep_view_free(v);
    char *text = render(&g_data, ES_REPORT_TEXT, "constraints.txt");
    ES_CHECK_CONTAINS(text, "best: trial 3, acc=0.88");
    ES_CHECK_CONTAINS(text, "constraints acc <= 0.895: 2 completed trials break them");
    /* The table says which rows were passed over, and why: trial 0's
     * 0.90 looked the best with nothing to say it breaks the bound. */
    const char *row0 = strstr(text, "\n        0  completed");
    ES_CHECK(row0 != NULL);
    const char *end0 = strchr(row0 + 1, '\n');
    ES_CHECK(end0 != NULL && strstr(row0, "(not feasible)") != NULL &&
             strstr(row0, "(not feasible)") < end0);
    const char *row3 = strstr(text, "\n        3  completed"), *end3 = strchr(row3 + 1, '\n');
    ES_CHECK(strstr(row3, "(not feasible)") == NULL || strstr(row3, "(not feasible)") > end3);
    free(text);
    char *json = render(&g_data, ES_REPORT_JSON, "constraints.json");
    ES_CHECK_CONTAINS(json, "\"number\": 0, \"feasible\": false");
    ES_CHECK_CONTAINS(json, "\"breaking_constraints\": 2");
    free(json);
}

/* An energy objective nothing measured leaves the front empty for that
 * reason, which is said (only metric objectives were named, and JSON's
 * unreported_objectives missed it). */
ES_TEST(report_front_names_an_energy_objective_nothing_measured)
{
    pareto_sample();
    g_sweep.n_constraints = 0;
    for (int i = 0; i < 7; i++)
        p_trials[i].cpu.method = ES_EM_NONE;
    char *text = render(&g_data, ES_REPORT_TEXT, "unmeasured.txt");
    ES_CHECK_CONTAINS(text, "energy.kwh (energy not measured)");
    free(text);
    char *json = render(&g_data, ES_REPORT_JSON, "unmeasured.json");
    ES_CHECK_CONTAINS(json, "\"unreported_objectives\": [\"energy.kwh\"]");
    free(json);
}

/* What the front cannot rank is said, not dropped in silence: a
 * constraint on a name no trial reports, a trial without a number for an
 * objective, a hypervolume past the largest double. */
ES_TEST(report_front_says_what_it_cannot_rank)
{
    pareto_sample();
    p_trials[6].objective = NAN; /* acc not a number */
    p_con[0] = (es_constraint){.name = "ghost", .kind = ES_OBJ_METRIC, .has_max = 1, .max = 5};
    char *text = render(&g_data, ES_REPORT_TEXT, "ghost.txt");
    ES_CHECK_CONTAINS(text, "6 not feasible (6 break a constraint, 2 without a number for every "
                            "objective; not ranked)");
    ES_CHECK_CONTAINS(text, "no completed trial reports a number for ghost");
    free(text);
    pareto_sample();
    g_sweep.n_constraints = 0;
    for (int i = 0; i < 7; i++)
        p_trials[i].objective = i % 2 ? 1e308 : -1e308;
    char *big = render(&g_data, ES_REPORT_TEXT, "big.txt");
    ES_CHECK_CONTAINS(big, "no hypervolume: the objectives' values are too large");
    free(big);
    /* And below the smallest double: not "nothing beats the reference". */
    pareto_sample();
    g_sweep.n_constraints = 0;
    for (int i = 0; i < 7; i++) {
        p_trials[i].objective = (i + 1) * 1e-200;
        p_trials[i].cpu.j = (i + 1) * 1e-200;
    }
    char *tiny = render(&g_data, ES_REPORT_TEXT, "tiny.txt");
    ES_CHECK_CONTAINS(tiny, "no hypervolume: the objectives' ranges are too small");
    free(tiny);
    /* JSON says so too: no number, not a hypervolume of 0. */
    char *tiny_json = render(&g_data, ES_REPORT_JSON, "tiny.json");
    ES_CHECK_CONTAINS(tiny_json, "\"hypervolume\": null");
    ES_CHECK_CONTAINS(tiny_json, "\"hypervolume_underflow\": true");
    free(tiny_json);
}

/* The curves of the best so far and of the expected best count feasible
 * trials only: #0 (acc 0.90) breaks acc <= 0.85, and used to set the HTML
 * plot's best from the start and the expected best above every feasible
 * trial; with nothing feasible there is no expected best at all. */
ES_TEST(report_curves_count_feasible_trials_only)
{
    pareto_sample();
    p_con[0] = (es_constraint){.name = "acc", .kind = ES_OBJ_METRIC, .has_max = 1, .max = 0.85};
    es_rep_view *v = NULL;
    es_report_opts o = {.format = ES_REPORT_TEXT};
    ES_CHECK_INT(es_rep_view_build(&g_data, &o, &v), 0);
    const es_rep_sweep_view *sv = &v->projects[0].sweeps[0];
    ES_CHECK_INT((long long)sv->stats.n, 2); /* #1 and #2; #5's energy is unknown */
    ES_CHECK(sv->stats.n_curve > 0);
    ES_CHECK(sv->stats.emax[sv->stats.n_curve - 1] <= 0.85 + 1e-12);
    ES_CHECK(sv->best != NULL && sv->best->t->number == 1);
    es_rep_view_free(v);
    char *html = render(&g_data, ES_REPORT_HTML, "feasible.html");
    ES_CHECK_CONTAINS(html, "<title>trial 0: 0.9 (not feasible)</title>");
    free(html);
    p_con[0].max = -1; /* nothing is feasible */
    char *text = render(&g_data, ES_REPORT_TEXT, "none.txt");
    ES_CHECK(strstr(text, "expected best") == NULL);
    ES_CHECK(strstr(text, "best: trial") == NULL);
    ES_CHECK_CONTAINS(text, "no trial keeps them, so none is named the best");
    free(text);
}

/* A reused trial's configuration costs what the original did: priced from
 * the original's joules, said as a reuse.  Reused trials used to carry no
 * energy, and a front on energy.kwh came out empty. */
ES_TEST(report_front_prices_a_reused_trial_at_the_original)
{
    pareto_sample();
    p_trials[1].reused_from = 99;
    p_trials[1].reused_j = 1e5;
    p_trials[1].reused_wall_s = 1234;
    p_trials[1].cpu.method = ES_EM_NONE;
    es_rep_view *v = NULL;
    es_report_opts o = {.format = ES_REPORT_TEXT};
    ES_CHECK_INT(es_rep_view_build(&g_data, &o, &v), 0);
    const es_rep_front *fr = &v->projects[0].sweeps[0].front;
    ES_CHECK_NEAR(fr->y[1 * 2 + 1], 1e5 / 3.6e6, 1e-15);
    ES_CHECK_INT(fr->rank[1], 1);
    /* Its wall time is the original's too (a wall_s constraint used to
     * leave every reused trial out). */
    const es_rep_sweep_view *sv = &v->projects[0].sweeps[0];
    ES_CHECK_NEAR(es_rep_objective_value(sv, &sv->trials[1], ES_OBJ_WALL_S, "wall_s"), 1234, 0);
    es_rep_view_free(v);
    char *text = render(&g_data, ES_REPORT_TEXT, "reuse.txt");
    ES_CHECK_CONTAINS(text, "(energy by reuse of an earlier trial)");
    free(text);
}

/* Energy by phase, priced with the sweep's factors: each phase's share of
 * its trial, items and energy per item; a trial that did not complete (a
 * lost attempt, whose number comes again) says so in the table. */
ES_TEST(report_phase_table_prices_and_marks_attempts)
{
    sample();
    static es_store_phase ph[2][2];
    ph[0][0] = (es_store_phase){"train", 10, 2.0e5, 0, NAN, 1, NAN};
    ph[0][1] = (es_store_phase){"infer", 2, 0.5e5, 0, NAN, 2, 1000};
    ph[1][0] = (es_store_phase){"train", 5, 1.0e5, 0, NAN, 1, NAN};
    g_trials[2].phases = ph[0];
    g_trials[2].n_phases = 2;
    g_trials[3].status = "lost";
    g_trials[3].phases = ph[1];
    g_trials[3].n_phases = 1;
    char *text = render(&g_data, ES_REPORT_TEXT, "phases.txt");
    ES_CHECK_CONTAINS(text, "Energy by phase");
    ES_CHECK_CONTAINS(text, "2 trials:");
    /* 0.5e5 J of the trial's 3e5 at PUE 1: 0.01389 kWh, 1000 items. */
    ES_CHECK_CONTAINS(text, "infer               0.01389    17%");
    ES_CHECK_CONTAINS(text, "1.389e-05");
    ES_CHECK_CONTAINS(text, " 3 (lost)  train ");
    free(text);
    char *json = render(&g_data, ES_REPORT_JSON, "phases.json");
    ES_CHECK_CONTAINS(json, "\"infer\": {\"kwh\": 0.0138888888888889");
    ES_CHECK_CONTAINS(json, "\"items\": 1000, \"kwh_per_item\": 1.38888888888889e-05");
    free(json);
    g_trials[2].phases = g_trials[3].phases = NULL;
    g_trials[2].n_phases = g_trials[3].n_phases = 0;
}
