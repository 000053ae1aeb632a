/*
 * data.c -- freeing the tree of recorded projects (data.h), and reading a
 * phase's value from it.  It holds no SQL: the store fills the tree, and
 * whoever holds one frees it here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "data.h"
#include "phase.h"

double es_store_phase_value(const es_energy_factors *f, const es_store_phase *ph, size_t n,
                            const char *builtin)
{
    char name[ES_PHASE_NAME_MAX + 1];
    es_phase_field field;
    if (es_phase_builtin(builtin, name, &field, NULL) != 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (ph[i].name != NULL && strcmp(ph[i].name, name) == 0)
            return es_account_phase(f, (int)field, ph[i].wall_s, ph[i].cpu_j, ph[i].dram_j,
                                    ph[i].gpu_j, ph[i].items);
    return NAN;
}

void es_store_sweep_clear(es_store_sweep *sw)
{
    for (size_t k = 0; k < sw->n_trials; k++) {
        es_store_trial *t = &sw->trials[k];
        for (size_t m = 0; m < t->n_metrics; m++)
            free(t->metrics[m].name);
        free(t->metrics);
        for (size_t m = 0; m < t->n_phases; m++)
            free(t->phases[m].name);
        free(t->phases);
        free(t->status);
        free(t->reason);
        free(t->host);
        free(t->log_dir);
        free(t->command_json);
        free(t->slurm_job);
        free(t->containment);
        free(t->slurm_state);
        free(t->params_json);
    }
    free(sw->trials);
    for (size_t k = 0; k < sw->n_objectives; k++)
        free(sw->objectives[k].name);
    free(sw->objectives);
    for (size_t k = 0; k < sw->n_constraints; k++)
        free(sw->constraints[k].name);
    free(sw->constraints);
    free(sw->name);
    free(sw->status);
    free(sw->reason);
    free(sw->method);
    free(sw->metric);
    free(sw->goal);
    free(sw->spec_path);
    free(sw->host);
    free(sw->spec_text);
    memset(sw, 0, sizeof *sw);
}

void es_store_data_free(es_store_data *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n_projects; i++) {
        es_store_project *p = &d->projects[i];
        for (size_t j = 0; j < p->n_sweeps; j++)
            es_store_sweep_clear(&p->sweeps[j]);
        free(p->sweeps);
        for (size_t j = 0; j < p->n_imports; j++) {
            es_store_import *im = &p->imports[j];
            for (size_t k = 0; k < im->n_jobs; k++) {
                free(im->jobs[k].name);
                free(im->jobs[k].group);
                free(im->jobs[k].status);
            }
            free(im->jobs);
            free(im->file);
            free(im->format);
            free(im->hash);
        }
        free(p->imports);
        free(p->name);
    }
    free(d->projects);
    free(d);
}
