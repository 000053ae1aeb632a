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

void es_rep_write_slurm_lines(FILE *f, const char *prefix, const es_store_sweep *sw)
{
    struct state_count {
        const char *state;
        int n;
    } states[8];
    int n_states = 0, jobs = 0, with_energy = 0;
    double slurm_j = 0, worker_j = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (t->slurm_job == NULL)
            continue;
        jobs++;
        const char *st = t->slurm_state ? t->slurm_state : "unknown";
        int k = 0;
        while (k < n_states && strcmp(states[k].state, st) != 0)
            k++;
        if (k == n_states && n_states < 8)
            states[n_states++] = (struct state_count){st, 0};
        if (k < n_states)
            states[k].n++;
        if (isfinite(t->slurm_energy_j)) {
            with_energy++;
            slurm_j += t->slurm_energy_j;
            worker_j += es_account_joules(&t->cpu, &t->dram, &t->gpu);
        }
    }
    if (jobs == 0)
        return;
    fprintf(f, "%sSlurm: %d trial%s ran as jobs (", prefix, jobs, jobs == 1 ? "" : "s");
    for (int k = 0; k < n_states; k++)
        fprintf(f, "%s%s %d", k ? ", " : "", states[k].state, states[k].n);
    fputs(")\n", f);
    if (with_energy == 0)
        fprintf(f,
                "%sSlurm's ConsumedEnergyRaw: not reported (no accounting, or no energy plugin on "
                "the nodes); the energy above is the worker's\n",
                prefix);
    else
        fprintf(f,
                "%sSlurm's ConsumedEnergyRaw for %d of them: %.4g J, beside the worker's %.4g J "
                "for the same trials (Slurm's figure is the job's only for exclusive "
                "allocations)\n",
                prefix, with_energy, slurm_j, worker_j);
}
