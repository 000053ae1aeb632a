/*
 * report_slurm.c -- what Slurm says of a sweep's jobs, in the reports:
 * how many trials ran as jobs, in which states, and, where accounting
 * gathers energy, sacct's ConsumedEnergyRaw beside the worker's own figure
 * for the same trials (never instead of it: Slurm's is the node's energy,
 * the job's only for an exclusive allocation).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "report_int.h"

void es_rep_slurm_of(const es_store_sweep *sw, es_rep_slurm *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (t->slurm_job == NULL)
            continue;
        out->jobs++;
        const char *st = t->slurm_state ? t->slurm_state : "unknown";
        int k = 0;
        while (k < out->n_states && strcmp(out->states[k].state, st) != 0)
            k++;
        if (k == out->n_states && out->n_states < ES_REP_SLURM_STATES) {
            out->states[k].state = st;
            out->states[k].n = 0;
            out->n_states++;
        }
        if (k < out->n_states)
            out->states[k].n++;
        if (isfinite(t->slurm_energy_j)) {
            out->with_energy++;
            out->slurm_j += t->slurm_energy_j;
            out->worker_j += es_account_joules(&t->cpu, &t->dram, &t->gpu);
        }
    }
}

void es_rep_write_slurm_lines(FILE *f, const char *prefix, const es_rep_slurm *s)
{
    if (s->jobs == 0)
        return;
    fprintf(f, "%sSlurm: %d trial%s ran as jobs (", prefix, s->jobs, s->jobs == 1 ? "" : "s");
    for (int k = 0; k < s->n_states; k++)
        fprintf(f, "%s%s %d", k ? ", " : "", s->states[k].state, s->states[k].n);
    fputs(")\n", f);
    if (s->with_energy == 0)
        fprintf(f,
                "%sSlurm's ConsumedEnergyRaw: not reported (no accounting, or no energy plugin on "
                "the nodes); the energy above is the worker's\n",
                prefix);
    else
        fprintf(f,
                "%sSlurm's ConsumedEnergyRaw for %d of them: %.4g J, beside the worker's %.4g J "
                "for the same trials (Slurm's figure is the job's only for exclusive "
                "allocations)\n",
                prefix, s->with_energy, s->slurm_j, s->worker_j);
}
