/*
 * spec_print.c -- the normalized view of a spec that `ecosweep validate`
 * prints: what the parser understood, with every default filled in, so a
 * user sees the search space actually swept.
 *
 * The layout is one "key: value" line per setting (the region line says
 * where the carbon intensity came from), and one aligned line per
 * parameter giving its distribution (named or inferred) and its bounds;
 * log_uniform and inv_log_uniform, whose bounds are exponents, also show the
 * range of values they produce.  Numbers are written in their shortest exact
 * form; values are written as Python would show them ('adam', 3, 0.5, True,
 * None) so a string "3" and a number 3 look different.  Tests compare this
 * text, so changes here are user-visible.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"

static void put_real(FILE *out, double x)
{
    char buf[40];
    es_fmt_real(x, 0, buf, sizeof buf);
    fputs(buf, out);
}

/* A string with newlines and tabs made visible, so each setting is one line. */
static void put_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else
            fputc(*s, out);
    }
}

/* A value as Python's repr() shows it. */
static void put_value(FILE *out, const es_value *v)
{
    char buf[64];
    if (v->kind == ES_V_STR) {
        fputc('\'', out);
        for (const char *s = v->s ? v->s : ""; *s != '\0'; s++) {
            if (*s == '\'' || *s == '\\')
                fputc('\\', out);
            if (*s == '\n')
                fputs("\\n", out);
            else
                fputc(*s, out);
        }
        fputc('\'', out);
        return;
    }
    es_value_format(v, buf, sizeof buf);
    fputs(buf, out);
}

/* A command element, quoted when it would otherwise read ambiguously. */
static void put_word(FILE *out, const char *s)
{
    if (*s != '\0' && strpbrk(s, " \t\n'\"\\") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

/* The env: key, when given: what is taken out of and put into a trial's
 * environment (each line begins with the newline that ends the last). */
static void print_env(FILE *out, const es_spec_env *env)
{
    if (env->n_remove > 0) {
        fputs("\nenv.remove:", out);
        for (size_t i = 0; i < env->n_remove; i++) {
            fputc(' ', out);
            put_word(out, env->remove[i]);
        }
    }
    if (env->n_set > 0) {
        fputs("\nenv.set:", out);
        for (size_t i = 0; i < env->n_set; i++) {
            fprintf(out, " %s=", env->set_names[i]);
            put_word(out, env->set_values[i]);
        }
    }
}

static void print_param(FILE *out, const es_param *p, int name_w, int dist_w)
{
    fprintf(out, "  %-*s  %-*s", name_w, p->name, dist_w, es_dist_name(p->dist));
    switch (p->dist) {
    case ES_DIST_CONSTANT:
        fputs(" value=", out);
        put_value(out, &p->value);
        break;
    case ES_DIST_CATEGORICAL:
        fputs(" values=[", out);
        for (size_t i = 0; i < p->n_values; i++) {
            if (i > 0)
                fputs(", ", out);
            put_value(out, &p->values[i]);
        }
        fputc(']', out);
        if (p->probabilities != NULL) {
            fputs(" probabilities=[", out);
            for (size_t i = 0; i < p->n_values; i++) {
                if (i > 0)
                    fputs(", ", out);
                put_real(out, p->probabilities[i]);
            }
            fputc(']', out);
        }
        break;
    case ES_DIST_NORMAL:
    case ES_DIST_Q_NORMAL:
    case ES_DIST_LOG_NORMAL:
    case ES_DIST_Q_LOG_NORMAL:
        fputs(" mu=", out);
        put_real(out, p->mu);
        fputs(" sigma=", out);
        put_real(out, p->sigma);
        break;
    case ES_DIST_BETA:
    case ES_DIST_Q_BETA:
        fputs(" a=", out);
        put_real(out, p->a);
        fputs(" b=", out);
        put_real(out, p->b);
        break;
    default:
        fputs(" min=", out);
        put_real(out, p->min);
        fputs(" max=", out);
        put_real(out, p->max);
        break;
    }
    if (p->dist == ES_DIST_Q_UNIFORM || p->dist == ES_DIST_Q_LOG_UNIFORM ||
        p->dist == ES_DIST_Q_LOG_UNIFORM_VALUES || p->dist == ES_DIST_Q_NORMAL ||
        p->dist == ES_DIST_Q_LOG_NORMAL || p->dist == ES_DIST_Q_BETA) {
        fputs(" q=", out);
        put_real(out, p->q);
    }
    if (p->dist == ES_DIST_LOG_UNIFORM || p->dist == ES_DIST_Q_LOG_UNIFORM) {
        fputs(" (values ", out);
        put_real(out, exp(p->min));
        fputs(" .. ", out);
        put_real(out, exp(p->max));
        fputc(')', out);
    } else if (p->dist == ES_DIST_INV_LOG_UNIFORM) {
        fputs(" (values ", out);
        put_real(out, exp(-p->max));
        fputs(" .. ", out);
        put_real(out, exp(-p->min));
        fputc(')', out);
    }
    fputc('\n', out);
}

static void print_optional(FILE *out, const char *key, const char *value)
{
    if (value == NULL)
        return;
    fprintf(out, "%s: ", key);
    put_text(out, value);
    fputc('\n', out);
}

/* "none" for 0 (no cap), else the number and a unit suffix. */
static void put_cap(FILE *out, double x, const char *unit)
{
    if (x == 0) {
        fputs("none", out);
        return;
    }
    put_real(out, x);
    fputs(unit, out);
}

/* Where the carbon intensity came from, the GPU estimate and the
 * attribution: the energy settings a user most needs to see resolved. */
static void print_energy_choices(FILE *out, const es_energy_factors *f)
{
    es_region r;
    fputs("region: ", out);
    if (f->region[0] != '\0' && es_region_lookup(f->region, &r) == 0) {
        fprintf(out, "%s (%s, ", r.iso3, r.country);
        put_real(out, r.g_co2e_per_kwh);
        fprintf(out, "g/kWh, %s %d)", r.source, r.year);
        if (f->carbon_source == ES_CARBON_EXPLICIT)
            fputs(", not used: carbon_intensity is given", out);
    } else if (f->carbon_source == ES_CARBON_EXPLICIT) {
        fputs("none (carbon_intensity is given)", out);
    } else {
        fputs("none (carbon_intensity is the world average, IEA 2019)", out);
    }
    fputs("\ngpu_watts: ", out);
    put_cap(out, f->gpu_watts, "W per GPU");
    fprintf(out, "\nattribution: %s\n", es_energy_attribution_name(f->attribution));
}

void es_spec_print(const es_spec *spec, FILE *out)
{
    int name_w = 0, dist_w = 0;

    print_optional(out, "name", spec->name);
    print_optional(out, "project", spec->project);
    print_optional(out, "entity", spec->entity);
    print_optional(out, "description", spec->description);
    fputs("program: ", out);
    put_text(out, spec->program ? spec->program : "none");
    fputs("\ncommand:", out);
    if (spec->command != NULL) {
        for (size_t i = 0; i < spec->n_command; i++) {
            fputc(' ', out);
            put_word(out, spec->command[i]);
        }
    } else {
        for (size_t i = 0; i < ES_DEFAULT_COMMAND_LEN; i++)
            fprintf(out, " %s", es_default_command[i]);
        fputs(" (default)", out);
    }
    if (spec->shell)
        fputs("\nshell: true (run by /bin/sh -c, every expanded value quoted)", out);
    print_env(out, &spec->env);
    fprintf(out, "\nmethod: %s\n", es_method_name(spec->method));
    if (spec->metric_name != NULL) {
        fputs("metric: ", out);
        put_text(out, spec->metric_name);
        fprintf(out, " (%s", es_goal_name(spec->goal));
        if (spec->has_target) {
            fputs(", target ", out);
            put_real(out, spec->target);
        }
        fputs(")\n", out);
    } else {
        fputs("metric: none\n", out);
    }
    for (size_t i = 0; i < spec->n_objectives; i++) {
        fprintf(out, "%s", i == 0 ? "objectives: " : ", ");
        put_text(out, spec->objectives[i].name);
        fprintf(out, " (%s", es_goal_name(spec->objectives[i].goal));
        if (spec->objectives[i].has_ref) {
            fputs(", ref ", out);
            put_real(out, spec->objectives[i].ref);
        }
        fputs(i + 1 == spec->n_objectives ? ")\n" : ")", out);
    }
    for (size_t i = 0; i < spec->n_constraints; i++) {
        const es_constraint *k = &spec->constraints[i];
        fprintf(out, "%s", i == 0 ? "constraints: " : ", ");
        if (k->has_min) {
            put_real(out, k->min);
            fputs(" <= ", out);
        }
        put_text(out, k->name);
        if (k->has_max) {
            fputs(" <= ", out);
            put_real(out, k->max);
        }
        fputs(i + 1 == spec->n_constraints ? "\n" : "", out);
    }
    es_spec_print_early_terminate(out, &spec->early_terminate);

    fprintf(out, "parameters: %zu\n", spec->n_params);
    for (size_t i = 0; i < spec->n_params; i++) {
        int nw = (int)strlen(spec->params[i].name);
        int dw = (int)strlen(es_dist_name(spec->params[i].dist));
        name_w = nw > name_w ? nw : name_w;
        dist_w = dw > dist_w ? dw : dist_w;
    }
    for (size_t i = 0; i < spec->n_params; i++)
        print_param(out, &spec->params[i], name_w, dist_w);

    fputs("run_cap: ", out);
    put_cap(out, (double)spec->run_cap, "");
    fprintf(out, "\nparallel: %d\ntrial_timeout: ", spec->parallel);
    put_cap(out, spec->trial_timeout_s, "s");
    fputs("\nmax_failed: ", out);
    put_cap(out, (double)spec->max_failed, "");
    fputs("\nmax_initial_failures: ", out);
    put_cap(out, (double)spec->max_initial_failures, "");
    char warm[256];
    es_spec_warm_text(spec, warm, sizeof warm);
    fprintf(out, "\nwarm_start: %s", warm);
    fputs("\nseed: ", out);
    if (spec->has_seed)
        fprintf(out, "%llu", (unsigned long long)spec->seed);
    else
        fputs("none", out);
    fputs("\nbudget: kwh=", out);
    put_cap(out, spec->budget.kwh, "");
    fputs(" usd=", out);
    put_cap(out, spec->budget.usd, "");
    fputs(" co2e_kg=", out);
    put_cap(out, spec->budget.co2e_kg, "");
    fputs(" wall=", out);
    put_cap(out, spec->budget.wall_s, "s");
    fputs(spec->budget.kill_on_exhaust ? " on_exhaust=kill" : " on_exhaust=finish", out);
    fputs("\nenergy: pue=", out);
    put_real(out, spec->energy.pue);
    fputs(" carbon_intensity=", out);
    put_real(out, spec->energy.carbon_g_per_kwh);
    fputs("g/kWh electricity=", out);
    put_real(out, spec->energy.electricity_usd_per_kwh);
    fputs("USD/kWh cloud=", out);
    put_real(out, spec->energy.cloud_usd_per_hour);
    fputs("USD/h cpu=", out);
    if (spec->energy.cpu_watts_per_core > 0) {
        put_real(out, spec->energy.cpu_watts_per_core);
        fputs("W/core dram=", out);
    } else {
        fputs("by-cpu-model dram=", out);
    }
    put_real(out, spec->energy.dram_watts_per_gb);
    fputs("W/GB\n", out);
    print_energy_choices(out, &spec->energy);
}
