/*
 * test_unmeasured.c -- sweeps on a machine where nothing measures or
 * estimates a trial's energy (the real worker, its readings replaced by
 * "none"): such energy is unknown everywhere, never 0 J -- in the search,
 * the run summary and its forecast, every report's totals and tiers,
 * reuse, and an energy budget, which cannot be kept.
 */
#include <string.h>
#include <sys/stat.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"
#include "sweep_spec.h"

/* A worker on a machine where nothing measures or estimates energy (the
 * real one, its readings replaced by "none") for trial 0 alone.  The
 * summary named trial 0 the best by loss although its energy.kwh, an
 * objective, was unknown: the live path handed the search 0 J where the
 * report, resume and reuse knew "not measured". */
static const char *unmetered_worker(const char *trials)
{
    char body[8192];
    snprintf(
        body, sizeof body,
        "#!/bin/sh\n"
        "# The readings of the trials numbered %s become none; --parent-pid\n"
        "# becomes this shell.\n"
        "case \"$ECOSWEEP_TRIAL_NUMBER\" in %s) ;; *) exec '%s/ecosweep-worker' \"$@\" ;; esac\n"
        "n=$#; prev=\n"
        "for a in \"$@\"; do\n"
        "    [ \"$prev\" = --parent-pid ] && a=$$\n"
        "    set -- \"$@\" \"$a\"; prev=$a\n"
        "done\n"
        "shift $n\n"
        "exec 4>&1\n"
        "'%s/ecosweep-worker' \"$@\" 3>&1 1>&4 4>&- |\n"
        "    sed -u -e 's/cpu_j=[^ ]* cpu_method=[^ ]*/cpu_j=nan cpu_method=none/'"
        " -e 's/dram_j=[^ ]* dram_method=[^ ]*/dram_j=nan dram_method=none/'"
        " -e 's/cpu_source=[^ ]*/cpu_source=/' -e 's/dram_source=[^ ]*/dram_source=/' >&3\n",
        trials, trials, es_test_build_dir(), es_test_build_dir());
    es_test_write_file("unmetered-worker", body);
    const char *path = path_in_tmp("unmetered-worker");
    ES_CHECK_INT(chmod(path, 0755), 0);
    return path;
}

/* `run SPEC --worker <unmetered_worker(trials)> [extra]`: its exit code. */
static int run_unmetered(const char *spec, const char *trials, const char *extra)
{
    char spec_path[4300], worker[4300];
    snprintf(spec_path, sizeof spec_path, "%s", spec);
    snprintf(worker, sizeof worker, "%s", unmetered_worker(trials));
    return run((const char *[]){"run", spec_path, "--worker", worker, extra, NULL});
}

ES_TEST(a_trial_whose_energy_objective_was_not_measured_is_not_the_best)
{
    const char *spec = write_spec("um.yaml", "method: grid\nobjectives:\n"
                                             "  - {name: loss, goal: minimize}\n"
                                             "  - {name: energy.kwh, goal: minimize}\n"
                                             "parameters:\n  x: {values: [0.25, 0.75]}\n"
                                             "  mode: {value: ok}\n");
    ES_CHECK_INT(run_unmetered(spec, "0", NULL), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "best by loss: trial 1, loss=0.75");
    ES_CHECK(strstr(out, "trial 0, loss=0.25") == NULL);
    /* The total is of trial 1 alone, and says so. */
    ES_CHECK_CONTAINS(out, "energy by estimate; 1 of 2 trials not measured, so not in these "
                           "totals");
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_INT(sw->trials[0].cpu.method, ES_EM_NONE);
    ES_CHECK_INT(sw->trials[1].cpu.method, ES_EM_ESTIMATE);
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"report", "--format", "json", NULL}), 0);
    const char *js = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(js, "\"best\": {\"id\": 2, \"number\": 1,");
    /* Trial 0's energy is null, not 0, and it does not stand for one model. */
    ES_CHECK_CONTAINS(js, "\"objective\": 0.25, \"kwh\": null, \"co2e_kg\": null, \"usd\": null");
    ES_CHECK_CONTAINS(js, "\"what\": \"trial 1 of sweep um (#1)\"");
    ES_CHECK_CONTAINS(js, "\"energy_method\": \"estimate\", \"unmeasured\": 1");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "csv", NULL}), 0);
    ES_CHECK(strstr(slurp(path_in_tmp("stdout")), ",,,,0,,none,,none,,none,") != NULL);
    /* Again: the forecast (from trial 1 of the first sweep) is set beside
     * the one trial whose energy is known, not beside 2 trials' worth. */
    ES_CHECK_INT(run_unmetered(path_in_tmp("um.yaml"), "0", NULL), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "times the forecast (over the 1 of 2 trials whose energy was measured)");
}

/* Nothing measured at all: the footprint's tiers say so rather than print
 * 0 kWh and "0 km by car", the trial table has "-" for its dollars, and a
 * reuse of such a trial claims no saving ("saved nan J"). */
ES_TEST(a_project_nothing_measured_has_no_zero_footprint)
{
    const char *spec = write_spec("un.yaml", "method: grid\nparameters:\n"
                                             "  x: {values: [0.25, 0.75]}\n  mode: {value: ok}\n");
    ES_CHECK_INT(run_unmetered(spec, "*", NULL), 0);
    ES_CHECK_INT(run((const char *[]){"report", NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "one model  none measured (the energy of 2 completed trials and jobs "
                           "was not measured)");
    ES_CHECK_CONTAINS(out, "one tune   none measured (the energy of 1 sweep was not measured)");
    ES_CHECK_CONTAINS(out, "all R&D: energy not measured, so no equivalents");
    ES_CHECK(strstr(out, "0 km by car") == NULL);
    char row[128]; /* trial 0's row: its kWh, g CO2e and dollars all "-" */
    snprintf(row, sizeof row, "%5d  %-14s %12s %10s %11s %9s ", 0, "completed", "0.25", "-", "-",
             "-");
    ES_CHECK_CONTAINS(out, row);
    ES_CHECK_INT(run((const char *[]){"report", "--format", "json", NULL}), 0);
    out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "\"all_rd\": {\"jobs\": 2, \"imported_jobs\": 0, \"hours\": ");
    ES_CHECK_CONTAINS(out, "\"kwh\": null, \"co2e_kg\": null, \"usd_electricity\": null");
    ES_CHECK_CONTAINS(out, "\"equivalents\": {\"car_km\": null");
    ES_CHECK_CONTAINS(out, "\"kwh_per_trial\": null");
    ES_CHECK_CONTAINS(out, "\"one_model\": null, \"one_tune\": null");
    ES_CHECK_CONTAINS(out, "\"unmeasured\": {\"models\": 2, \"tunes\": 1}");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "html", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "trial 0 (completed): energy not measured");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "markdown", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "no kWh: not every trial's energy was measured");

    ES_CHECK_INT(run_unmetered(path_in_tmp("un.yaml"), "*", "--reuse"), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")),
                      "0 kWh (what it saved is not known: the original's energy was not "
                      "measured)");
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "un-2", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "energy saved by reuse: not known (2 trials reused originals whose energy "
                      "was not measured)");
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "un-2", "--format", "json", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "\"reuse\": {\"trials\": 2, \"saved_j\": null, \"unmeasured\": 2}");
    /* ls and project show: not a 0 kWh sweep, not 0 spent without a word. */
    ES_CHECK_INT(run((const char *[]){"ls", NULL}), 0);
    out = slurp(path_in_tmp("stdout"));
    char ls_row[128];
    snprintf(ls_row, sizeof ls_row, " %12s  ", "-");
    ES_CHECK_CONTAINS(out, ls_row);
    ES_CHECK(strstr(out, "0.000000") != NULL); /* un-2: two reuses, which cost 0 */
    ES_CHECK_INT(run((const char *[]){"project", "show", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "not in these figures: 2 trials and imported jobs whose energy nothing "
                      "measured");
}

/* A kWh cap on a machine where nothing measures energy cannot be kept:
 * the sweep stops after the first such trial and says why (it ran every
 * trial as if each cost 0 J). */
ES_TEST(an_energy_budget_nothing_can_measure_stops_the_sweep)
{
    const char *spec = write_spec("ub.yaml", "method: grid\nbudget: {kwh: 0.001}\nparameters:\n"
                                             "  x: {values: [0.25, 0.5, 0.75]}\n"
                                             "  mode: {value: ok}\n");
    ES_CHECK_INT(run_unmetered(spec, "*", NULL), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "cannot be kept: nothing measured or estimated trial 0's energy");
    es_store_data *d = load();
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 1);
    es_store_data_free(d);
}
