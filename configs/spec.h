/*
 * spec.h -- the sweep spec: a YAML file in the W&B sweep format, plus
 * ecosweep's own keys, parsed and validated into a plain struct.
 *
 * This module is pure: it reads text and builds values, and knows nothing of
 * processes, the event loop or the database.  Ownership, once for the whole
 * header: es_spec_parse_* hands the caller an es_spec that the caller frees
 * with es_spec_free(); every string and array reachable from it belongs to
 * the spec.  Functions that return a fresh string or array say so, and the
 * caller frees it with free() (or the matching *_free function named there).
 *
 * ecosweep's own top-level keys, beside W&B's: parallel, trial_timeout,
 * max_failed, seed, budget, energy, and two that decide what a trial may
 * touch: `shell: true` (run the command template as shell code, every
 * expanded value quoted; see es_command_build) and `env: {remove: [NAME or
 * pattern, ...], set: {NAME: value, ...}}` (the trial's environment; see
 * es_spec_env).  W&B's own `${env}` macro is unrelated: it is /usr/bin/env.
 */
#ifndef ES_SPEC_H
#define ES_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* ---- Values --------------------------------------------------------------- */

typedef enum es_value_kind {
    ES_V_NULL = 0,
    ES_V_BOOL,
    ES_V_INT,
    ES_V_FLOAT,
    ES_V_STR
} es_value_kind;

/* A parameter value.  Exactly one of b / i / f / s is meaningful, by kind.
 * s is owned by whoever owns the value. */
typedef struct es_value {
    es_value_kind kind;
    int b;
    long long i;
    double f;
    char *s;
} es_value;

/* Deep copy of src into *dst (dst->s freshly allocated).  0 or -ENOMEM. */
int es_value_copy(es_value *dst, const es_value *src);
/* Free the string of one value and reset it to ES_V_NULL; NULL is allowed. */
void es_value_clear(es_value *v);
/* Clear n values and free the array itself; NULL is allowed. */
void es_values_free(es_value *vals, size_t n);
/* Numeric view of a value (bool -> 0/1, int -> itself, str/null -> NAN). */
double es_value_number(const es_value *v);
/* Two values name the same setting: equal numbers (int or float: 1 and
 * 1.0), equal booleans (never a number: True is not 1 to a program),
 * equal strings, or both null. */
int es_value_same(const es_value *a, const es_value *b);
/* Text of a value as a trial sees it on its command line: Python's str()
 * conventions, as W&B agents pass them (True/False, 0.001, 1e-05, 3.0,
 * None).  Floats are written in the shortest form that reads back exactly.
 * Returns the length that the full text needs (like snprintf). */
int es_value_format(const es_value *v, char *buf, size_t cap);
/* Append v as JSON to buf (NaN/inf, which JSON lacks, become null).  Returns
 * a freshly grown buffer via *buf / *len / *cap; 0 or -ENOMEM. */
int es_value_json(const es_value *v, char **buf, size_t *len, size_t *cap);

/* ---- Parameters ----------------------------------------------------------- */

typedef enum es_dist {
    ES_DIST_CONSTANT = 0,
    ES_DIST_CATEGORICAL,
    ES_DIST_INT_UNIFORM,
    ES_DIST_UNIFORM,
    ES_DIST_Q_UNIFORM,
    ES_DIST_LOG_UNIFORM,        /* min/max are natural-log exponents */
    ES_DIST_LOG_UNIFORM_VALUES, /* min/max are values */
    ES_DIST_Q_LOG_UNIFORM,
    ES_DIST_Q_LOG_UNIFORM_VALUES,
    ES_DIST_INV_LOG_UNIFORM,
    ES_DIST_INV_LOG_UNIFORM_VALUES,
    ES_DIST_NORMAL,
    ES_DIST_Q_NORMAL,
    ES_DIST_LOG_NORMAL,
    ES_DIST_Q_LOG_NORMAL,
    ES_DIST_BETA,
    ES_DIST_Q_BETA,
    ES_DIST__COUNT
} es_dist;

/* W&B's spelling of a distribution ("q_log_uniform_values"). */
const char *es_dist_name(es_dist d);

/* One hyperparameter.  Nested W&B `parameters:` blocks are flattened to
 * dotted names ("optimizer.lr").  Fields that the distribution does not use
 * are 0 / NULL.  Integer-valued distributions (int_uniform, and q_* with an
 * integer q) produce ES_V_INT values. */
typedef struct es_param {
    char *name;
    es_dist dist;
    double min, max;  /* bounds, in the units W&B defines for dist */
    double mu, sigma; /* normal family */
    double a, b;      /* beta family */
    double q;         /* quantization step for q_* (default 1) */
    es_value value;   /* constant */
    es_value *values; /* categorical choices */
    size_t n_values;
    double *probabilities; /* NULL, or n_values weights summing to 1 */
    int line, column;      /* where the parameter is defined (1-based) */
} es_param;

/* ---- The spec --------------------------------------------------------------- */

typedef enum es_method { ES_METHOD_RANDOM = 0, ES_METHOD_GRID, ES_METHOD_BAYES } es_method;
typedef enum es_goal { ES_GOAL_MINIMIZE = 0, ES_GOAL_MAXIMIZE } es_goal;

const char *es_method_name(es_method m);
const char *es_goal_name(es_goal g);

/* The largest plausible value of each pricing factor: a value above is a
 * slip (a PUE of 158 for 1.58, a price in cents), refused by the spec's
 * energy block and by report's --pue and the like alike.  The dirtiest
 * grids are near 1,100 g CO2e/kWh, data centres near PUE 1.1-2. */
#define ES_PUE_MAX 10.0
#define ES_CARBON_G_PER_KWH_MAX 5000.0
#define ES_USD_PER_KWH_MAX 100.0
#define ES_CLOUD_USD_PER_HOUR_MAX 100000.0

/* The most parameters a spec may define (nested blocks flattened), and the
 * deepest a spec's flow collections ([ and {) may nest: past them a spec is
 * refused before it is read further (libyaml takes time quadratic in the
 * nesting; aliases can make nested parameter blocks multiply). */
#define ES_SPEC_MAX_PARAMS 10000
#define ES_SPEC_MAX_DEPTH 64

/* The largest plausible budget of one sweep: ten times the 239,942
 * GPU-hours of the whole R&D Strubell et al. measured (about 72 MWh, some
 * $350k of cloud time), so a cap above is a slip of units (Wh for kWh,
 * cents for dollars, grams for kg).  The project's caps (`ecosweep
 * project set`) span many sweeps and are not bounded. */
#define ES_BUDGET_KWH_MAX 1e6
#define ES_BUDGET_USD_MAX 1e7
#define ES_BUDGET_CO2E_KG_MAX 1e6

/* Where a sweep's carbon intensity came from. */
typedef enum es_carbon_source {
    ES_CARBON_DEFAULT = 0, /* neither carbon_intensity nor region: world average */
    ES_CARBON_REGION,      /* the region's value in the carbon-intensity table */
    ES_CARBON_EXPLICIT     /* carbon_intensity given (it wins over region) */
} es_carbon_source;

/* How a trial is charged for energy counters that see a whole socket or
 * board (RAPL, NVML).  The worker applies it; the spec only chooses. */
typedef enum es_energy_attribution {
    ES_ATTRIBUTION_EXCLUSIVE = 0, /* the trial is charged all the counters saw */
    ES_ATTRIBUTION_SHARED         /* socket energy split by the trial's CPU share */
} es_energy_attribution;

/* "default" / "region" / "explicit"; and back (-1 when unknown). */
const char *es_carbon_source_name(es_carbon_source s);
int es_carbon_source_parse(const char *name);
/* "exclusive" / "shared"; and back (-1 when unknown). */
const char *es_energy_attribution_name(es_energy_attribution a);
int es_energy_attribution_parse(const char *name);

/* What turns joules into kWh, CO2e and dollars, and the estimate's constants.
 * Defaults (see README "Energy accounting" for sources):
 *   pue 1.58, carbon_g_per_kwh 475 (world average, carbon_source default),
 *   electricity_usd_per_kwh 0.12, cloud_usd_per_hour 0, cpu_watts_per_core 0 (the worker takes
 * TDP/cores of the CPU model when it knows it, else 12), dram_watts_per_gb 0.3725, gpu_watts 0 (no
 * GPU estimate), region "" (none), attribution exclusive. In a parsed spec, region holds the region
 * given (ISO 3166-1 alpha-3, upper case) even when an explicit carbon_intensity overrides its
 * value, and attribution is resolved: shared when parallel > 1 unless the spec says. */
typedef struct es_energy_factors {
    double pue;
    double carbon_g_per_kwh;
    double electricity_usd_per_kwh;
    double cloud_usd_per_hour;
    double cpu_watts_per_core;
    double dram_watts_per_gb;
    double gpu_watts; /* estimate per GPU when no GPU counter is readable; 0 = none */
    char region[4];   /* "FRA"; "" when none was given */
    es_carbon_source carbon_source;
    es_energy_attribution attribution;
} es_energy_factors;

/* Fill f with the documented defaults (every byte set, so two default
 * structs compare equal with memcmp). */
void es_energy_factors_default(es_energy_factors *f);

/* ---- Grid carbon intensity by country --------------------------------------- */

/* One row of configs/carbon_intensity.csv, compiled into the program at build
 * time.  Strings are static; nothing to free. */
typedef struct es_region {
    const char *iso3;      /* ISO 3166-1 alpha-3, "FRA"; "WLD" for the world row */
    const char *iso2;      /* alpha-2, "FR"; "" for the world row */
    const char *country;   /* "France" */
    double g_co2e_per_kwh; /* lifecycle intensity of generation (Ember) */
    int year;              /* the year the value describes */
    const char *source;    /* "Ember", "IEA" */
} es_region;

/* Look up an alpha-2 or alpha-3 code, case-insensitively ("fr", "FRA",
 * "usa").  0 and *out filled (out may be NULL), or -ENOENT. */
int es_region_lookup(const char *code, es_region *out /* OUT */);

/* The closest known region to a code that es_region_lookup refused: a common
 * alias ("UK" -> GB), a country name ("france" -> FRA), or the code of the
 * same length at the smallest edit distance (at most 2).  NULL when nothing
 * is close. */
const es_region *es_region_suggest(const char *code);

/* The message for a code es_region_lookup refused, with the suggestion:
 * "unknown country code 'FRN' (did you mean 'FRA', France?)".  Written to
 * buf (truncated to cap, always terminated). */
void es_region_unknown_message(const char *code, char *buf, size_t cap);

/* The table, for listing: rows 0 .. es_region_count() - 1. */
size_t es_region_count(void);
const es_region *es_region_at(size_t i);

/* Caps on the sweep.  0 means "no cap" for every field. */
typedef struct es_budget {
    double kwh;
    double usd;
    double co2e_kg;
    double wall_s;
    int kill_on_exhaust; /* on_exhaust: kill (1) or finish (0, default) */
} es_budget;

/* Early termination (spec key `early_terminate`): which rule stops losing
 * trials, and its settings.  The rules themselves are in search/prune.h,
 * which documents every key; configs only reads and checks them.  The
 * keys and defaults follow W&B's hyperband ({type: hyperband, min_iter |
 * max_iter + s, eta, strict}), Optuna's MedianPruner ({type: median,
 * min_steps, startup_trials, min_trials}) and Optuna's
 * SuccessiveHalvingPruner ({type: asha, min_iter, eta, max_iter}). */
typedef enum es_prune_type {
    ES_PRUNE_NONE = 0, /* no early termination: every report continues */
    ES_PRUNE_HYPERBAND,
    ES_PRUNE_MEDIAN,
    ES_PRUNE_ASHA
} es_prune_type;

/* Fill it with es_prune_config_init() and then set the keys the spec
 * gives; min_iter, max_iter and s stay 0 when not given.  Keys a rule does
 * not use are ignored here (the spec parser refuses them). */
typedef struct es_prune_config {
    es_prune_type type;
    int64_t min_iter;        /* hyperband: first bracket; asha: first rung (step) */
    int64_t max_iter;        /* hyperband: with s; asha: largest resource, 0 = none */
    int64_t s;               /* hyperband with max_iter: number of brackets */
    double eta;              /* hyperband: > 1; asha: integer >= 2; default 3 */
    int strict;              /* hyperband: compare the value at the bracket */
    int64_t min_steps;       /* median: no stop before this step (default 0) */
    int64_t startup_trials;  /* median: completed trials needed (default 5) */
    int64_t min_trials;      /* median: reference values needed (default 1) */
    const char *metric_name; /* used in reasons; NULL means "value" (borrowed) */
} es_prune_config;

/* Hyperband lists at most this many brackets (W&B lists 100), and computes
 * them in doubles, exact below 2^53. */
#define ES_PRUNE_MAX_BRACKETS 100
#define ES_PRUNE_EXACT_LIMIT 9007199254740992.0 /* 2^53 */

/* Set *cfg to the defaults of `type`: eta 3, strict 0, min_steps 0,
 * startup_trials 5, min_trials 1, everything else 0 / NULL. */
void es_prune_config_init(es_prune_config *cfg, es_prune_type type);

/* 0 when cfg is usable, else ES_ESPEC with a message naming the key and
 * the value, e.g. "early_terminate.eta: expected a number > 1, got 1"
 * (-EINVAL when cfg is NULL). */
int es_prune_config_validate(const es_prune_config *cfg, es_err *err);

/* The same, and *key (when key is not NULL) names the key at fault ("eta")
 * or is NULL when the settings are wrong together ("hyperband needs
 * min_iter, or max_iter and s"), so a caller can point at its line. */
int es_prune_config_check(const es_prune_config *cfg, const char **key /* OUT */, es_err *err);

/* "none", "hyperband", "median", "asha" (static strings); and back (-1
 * when unknown). */
const char *es_prune_type_name(es_prune_type type);
int es_prune_type_parse(const char *name);

/* The trial's environment (spec key `env`).  A trial inherits the
 * coordinator's environment, minus every variable whose name one of
 * remove[] matches (an exact name, or an fnmatch(3) pattern such as
 * "AWS_*"), plus set_names[i]=set_values[i] (values are the YAML text as
 * written), plus the ECOSWEEP_* variables of the trial.  ECOSWEEP_* names
 * are reserved: the parser refuses them in `set` and as exact names in
 * `remove`, and no pattern removes them. */
typedef struct es_spec_env {
    char **remove; /* names or patterns; NULL when none */
    size_t n_remove;
    char **set_names; /* valid POSIX names, none ECOSWEEP_* */
    char **set_values;
    size_t n_set;
} es_spec_env;

/* The prefix of the variables ecosweep sets for every trial. */
#define ES_ENV_RESERVED_PREFIX "ECOSWEEP_"

/* 1 when name is a POSIX environment variable name ([A-Za-z_][A-Za-z0-9_]*). */
int es_env_name_valid(const char *name);

/* 1 when the spec's `env.remove` takes the variable called name out of a
 * trial's environment (never for ECOSWEEP_* names); env may be NULL. */
int es_spec_env_removes(const es_spec_env *env, const char *name);

/* Where trials run: `launcher:` (see spec_launcher.c).  Strings are NULL
 * when not given; each becomes one srun option as written. */
typedef enum es_launcher_type { ES_LAUNCHER_LOCAL = 0, ES_LAUNCHER_SLURM } es_launcher_type;

typedef struct es_spec_launcher {
    es_launcher_type type;
    char *partition, *time, *mem, *gres, *account;
    int cpus_per_task; /* 0: Slurm's default */
    char **extra_args; /* n_extra_args srun options, as written */
    size_t n_extra_args;
    char *srun;  /* the srun to run; NULL: "srun" on PATH */
    int retries; /* times a number runs again after a node failure or a
                  * preemption (default 1) */
} es_spec_launcher;

/* One of several objectives (`objectives:`), or what a constraint bounds
 * (`constraints:`): a metric the trial reports, or a number ecosweep
 * measures for every trial (spec_objectives.c). */
typedef enum es_objective_kind {
    ES_OBJ_METRIC = 0, /* the last value the trial reported under name */
    ES_OBJ_KWH,        /* energy.kwh: the trial's energy, PUE included */
    ES_OBJ_CO2E_KG,    /* energy.co2e_kg */
    ES_OBJ_USD,        /* energy.usd: electricity and cloud */
    ES_OBJ_WALL_S,     /* wall_s: the trial's wall-clock seconds */
    ES_OBJ_PHASE       /* phase.NAME.FIELD: a phase's energy, time or energy per item
                        * (phase.h: es_phase_builtin splits the name) */
} es_objective_kind;

typedef struct es_objective {
    char *name;
    es_objective_kind kind;
    es_goal goal;
    int has_ref;
    double ref; /* the hypervolume's reference value; has_ref 0: from the data */
} es_objective;

typedef struct es_constraint {
    char *name;
    es_objective_kind kind;
    int has_min, has_max;
    double min, max; /* feasible when min <= value <= max (inclusive) */
} es_constraint;

/* The kind of an objective name: a built-in (energy.kwh, energy.co2e_kg,
 * energy.usd, wall_s, phase.NAME.FIELD), ES_OBJ_METRIC for any other name,
 * or -1 for a name in a built-in's namespace that is none ("energy.kw",
 * "phase.x"). */
int es_objective_kind_of(const char *name);

/* `warm_start:` what a Bayesian sweep learns from before its first trial
 * (search/prior.c, orchestrator/run/loop_warm.c): at most ES_SPEC_WARM_MAX
 * earlier sweeps. */
#define ES_SPEC_WARM_MAX 16
typedef enum es_warm_start {
    ES_WARM_AUTO = 0, /* every earlier sweep of the project running the same program */
    ES_WARM_NONE,     /* nothing: a cold start */
    ES_WARM_LIST      /* the sweeps named in warm_names */
} es_warm_start;

typedef struct es_spec {
    char *path;                       /* the file it came from, or the name given to parse_string */
    char *text;                       /* the YAML as read, kept so the store can record it */
    char *name;                       /* NULL when absent */
    char *project;                    /* NULL when absent */
    char *description;                /* NULL when absent */
    char *entity;                     /* W&B's entity; kept, unused */
    char *program;                    /* NULL when absent */
    int program_line, program_column; /* where `program:` is (1-based); 0 when absent */
    char **command;                   /* the command template; NULL = W&B's default */
    size_t n_command;
    int shell; /* `shell: true`: the template is shell code run by /bin/sh -c */
    es_spec_launcher launcher;
    es_method method;
    char *metric_name; /* NULL when no metric block; with objectives and no
                        * metric, the first objective the trial reports */
    es_goal goal;
    /* `objectives:` (2 or 3; none when absent) and `constraints:`. */
    es_objective *objectives;
    size_t n_objectives;
    es_constraint *constraints;
    size_t n_constraints;
    int has_target;
    double target;
    es_param *params;
    size_t n_params;
    long run_cap;              /* 0 = no cap */
    int parallel;              /* >= 1; default 1 */
    double trial_timeout_s;    /* 0 = no timeout */
    long max_failed;           /* 0 = no cap */
    int reuse;                 /* `reuse: true`: a configuration the project already completed (same
                                * command and parameters) is not run again; off by default */
    long max_initial_failures; /* stop when this many trials in a row fail before any
                                * completes (a broken program); default 5, 0 = never */
    int has_seed;
    uint64_t seed;
    es_budget budget;
    es_warm_start warm_start; /* default auto */
    char **warm_names;        /* ES_WARM_LIST: the sweeps' names, NULL-terminated */
    size_t n_warm_names;
    int *warm_name_at; /* line then column of each name (2 per name, 1-based) */
    int warm_line, warm_column; /* where `warm_start:` is (1-based); 0 when absent */
    es_energy_factors energy;
    es_spec_env env; /* `env:`; all empty when absent */
    /* `early_terminate:`; type ES_PRUNE_NONE when absent.  metric_name is
     * NULL here: the rule watches the spec's metric, which it requires. */
    es_prune_config early_terminate;
    /* What is valid but likely not what the author meant ("FILE:L:C: ..."),
     * NULL-terminated; NULL when none.  `validate` and `run` print them. */
    char **warnings;
} es_spec;

/* Parse and validate the YAML file at path.  On error returns ES_ESPEC (or
 * -errno when the file cannot be read) and err->msg reads like
 *   "sweep.yaml:12:5: parameters.lr: unknown key 'mn' (did you mean 'min'?)"
 * so that it names the file, line, column and the offending key or value. */
int es_spec_parse_file(const char *path, es_spec **out, es_err *err);

/* The same for YAML held in memory; name stands in for the file name. */
int es_spec_parse_string(const char *text, size_t len, const char *name, es_spec **out,
                         es_err *err);

/* es_spec_parse_file that goes on past the first error: each top-level key
 * and each parameter is checked on its own, so *errors (NULL-terminated,
 * free with es_strv_free; NULL when the spec is valid) lists every error
 * in the file, each with its line and column; err holds the first.  What
 * `ecosweep validate` uses. */
int es_spec_parse_file_all(const char *path, es_spec **out, char ***errors /* OUT */, es_err *err);

/* A project or sweep name: 1 to 200 bytes with no control character (a
 * name is printed in terminals, tables and headings, where ESC, CR or a
 * newline would rewrite or break what is shown).  Returns NULL when s is
 * such a name, else why not (a static string). */
const char *es_name_problem(const char *s);

/* What changed from spec a (the one a sweep was started with) to spec b
 * (the one it is run with again).  Changes that would make one sweep of
 * two -- the method, metric and goal, program, command, shell, env, energy
 * factors, early termination, the parameters or their order -- are listed
 * in changed ("method: random -> bayes; parameters.lr: min 0.001 -> 0.01",
 * cap bytes) and counted in the return value; changes of what may change
 * on resume (run_cap, parallel, trial_timeout, max_failed,
 * max_initial_failures, budget) are listed in safe (safe_cap bytes);
 * warm_start is among the first. */
int es_spec_diff(const es_spec *a, const es_spec *b, char *changed, size_t cap, char *safe,
                 size_t safe_cap);

/* The spec's warm_start as its YAML would give it: "auto", "none" or
 * "[a, b]" (cut to cap bytes). */
void es_spec_warm_text(const es_spec *spec, char *buf, size_t cap);

/* 1 when the spec's command (or W&B's default one) runs ${program}. */
int es_spec_uses_program(const es_spec *spec);

/* Free a spec; NULL is allowed. */
void es_spec_free(es_spec *spec);

/* Index of the parameter called name, or -1. */
int es_spec_param_index(const es_spec *spec, const char *name);

/* Print the normalized spec and search space (what `ecosweep validate`
 * shows): one line per parameter with its distribution and its resolved
 * bounds, then method, metric, caps, budget and energy factors. */
void es_spec_print(const es_spec *spec, FILE *out);

/* The longest duration any key or option takes (trial_timeout, budget.wall,
 * --grace): a year.  One bound for the coordinator and the worker alike,
 * and far from where seconds in milliseconds would overflow a timer. */
#define ES_DURATION_MAX (365.0 * 86400)

/* Parse a duration such as "90s", "10m", "2h", "1h30m", "1.5h" or a bare
 * number of seconds; the parts of a compound one come largest unit first,
 * each unit once ("1h1h" and "30m1h" are refused).  0, -EINVAL, or -ERANGE
 * past ES_DURATION_MAX. */
int es_parse_duration(const char *text, double *seconds /* OUT */);

/* The closest of the NULL-terminated known words to word, when close enough
 * to be a likely typo (at most 2 edits, and fewer than either word's
 * length); otherwise NULL.  What "did you mean" suggestions come from, in
 * the spec's errors and the command line's. */
const char *es_spec_suggest(const char *word, const char *const *known);

/* ---- Building a trial's command line ---------------------------------------- */

/* Inputs that are not part of the spec. */
typedef struct es_command_ctx {
    const char *interpreter;    /* what ${interpreter} becomes; NULL = resolve
                                   "python" on PATH, else "python3" */
    const char *args_json_file; /* what ${args_json_file} becomes */
} es_command_ctx;

/* Expand the spec's command template for one configuration (values[i] is
 * the value of spec->params[i]) into a NULL-terminated argv.  Macros:
 * ${env} ${interpreter} ${program} ${args} ${args_no_hyphens}
 * ${args_no_boolean_flags} ${args_json} ${args_json_file} and ${NAME} for
 * any one parameter.  A macro that expands to a list must stand alone in
 * its element.
 *
 * Without spec->shell, values are never passed through a shell: each
 * becomes exactly one argv element.  With spec->shell the argv is
 * {"/bin/sh", "-c", SCRIPT, "sh", V1, V2, ...}: SCRIPT is the template's
 * elements joined by single spaces, the template's own text kept as shell
 * code, and every macro replaced by a reference to a positional parameter
 * ("${1}", "${2}", ...; each argument of a list macro its own), written for
 * the quoting context the template's text leaves it in, whose value is the
 * matching V: no value is ever part of the script.  A macro where a
 * reference would not expand as one word (after a backslash or a '$',
 * inside backquotes, a comment, a here-document, $((...)) or $'...') is
 * refused with ES_ESPEC.  *argv_out is freed with es_strv_free(). */
int es_command_build(const es_spec *spec, const es_value *values, const es_command_ctx *ctx,
                     char ***argv_out, es_err *err);

/* Free a NULL-terminated vector of strings: each string, then the vector;
 * NULL allowed.  Every char ** vector ecosweep builds is NULL-terminated
 * and freed by this one function: a command's argv, a trial's
 * environment, the spec's command, env and launcher.extra_args lists, the
 * store's lists of Slurm jobs. */
void es_strv_free(char **v);

/* The configuration as a JSON object {"name": value, ...} (dotted names kept
 * flat); fresh string, caller frees.  NULL on out-of-memory. */
char *es_params_json(const es_spec *spec, const es_value *values);

#endif
