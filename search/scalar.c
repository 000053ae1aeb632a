/*
 * scalar.c -- several objectives and constraints, made into the one number
 * the objective surrogate learns.
 *
 * Several objectives (ParEGO, Knowles 2006): for each suggestion, weights
 * w drawn uniformly from the simplex for that trial's index, each
 * objective normalized to [0, 1] over the completed trials (oriented so
 * that smaller is better), and the augmented Chebyshev scalarization
 *
 *     s(y) = max_j w_j y_j + rho * sum_j w_j y_j,   rho = 0.05,
 *
 * whose minima over the weights are exactly the Pareto front, concave
 * parts included (a weighted sum finds only the convex hull).  Each
 * suggestion thus maximizes EI of one scalarization; successive and
 * concurrent suggestions draw different weights, which spreads a batch
 * along the front.  Everything the single-objective search does (warping,
 * the kriging believer for pending trials, the energy budget) then applies
 * unchanged.  This is the acquisition with three objectives; with two,
 * each objective has a surrogate of its own and the acquisition is their
 * expected hypervolume improvement (ehvi.c, bayes.c), and the
 * scalarization only picks the trials whose neighbourhoods the candidate
 * cloud refines.
 *
 * Constraints: each has a surrogate of its own (model.c), and expected
 * improvement is weighed by the probability that the point keeps them all
 * (Gardner et al. 2014; bayes.c); the objective surrogate learns every
 * completed trial at its own value (free_obj), and the incumbent is the
 * best trial that keeps the constraints (feasible).  What the trust region
 * and the choice of a center see (objective) is still ranked: a trial that
 * breaks one (or does not report its value) is placed above every trial
 * that keeps them all, by how far it breaks them: each constraint's excess
 * over its bound in units of the range of that constraint's observed
 * values (capped at 1, and 1 when unreported), summed.  While nothing is
 * feasible yet, the search so descends the total violation.
 *
 * Pruned trials of a sweep with several objectives count as failures (their
 * partial values of one metric say nothing of the others).
 */
#include <math.h>
#include <string.h>

#include "bayes_int.h"

#define SCALAR_RHO 0.05
/* A trial breaking a constraint lands this share of the feasible range
 * (plus its violation) above the worst feasible one. */
#define SCALAR_GAP 0.1
/* The stream the weights are drawn from (beside the search's seed). */
#define SCALAR_STREAM UINT64_C(0x50415245474f3031)

int es_model_scalarizes(const es_model *m)
{
    return m->spec->n_objectives >= 2 || m->spec->n_constraints >= 1;
}

void es_model_weights(const es_model *m, uint64_t index, double *w, size_t n)
{
    es_rng r;
    double sum = 0.0;
    es_rng_seed_stream(&r, m->seed ^ SCALAR_STREAM, index);
    for (size_t j = 0; j < n; j++) {
        /* Exponential deviates, normalized: uniform on the simplex. */
        w[j] = -log1p(-es_rng_uniform(&r)) + 1e-12;
        sum += w[j];
    }
    for (size_t j = 0; j < n; j++)
        w[j] /= sum;
}

/* The oriented (smaller is better) value of objective j of o, NAN when
 * unknown. */
static double scalar_oriented(const es_model *m, const es_obs *o, size_t j)
{
    double v = o->vals[j];
    if (!isfinite(v))
        return NAN;
    return m->spec->objectives[j].goal == ES_GOAL_MAXIMIZE ? -v : v;
}

/* How far o breaks the constraints: 0 when it keeps them all. */
static double scalar_violation(const es_model *m, const es_obs *o, const double *scale)
{
    const es_spec *sp = m->spec;
    double v = 0.0;
    for (size_t k = 0; k < sp->n_constraints; k++) {
        const es_constraint *c = &sp->constraints[k];
        double x = o->vals == NULL ? NAN : o->vals[sp->n_objectives + k];
        if (!isfinite(x))
            v += 1.0;
        else if (c->has_min && x < c->min)
            v += fmin(1.0, (c->min - x) / scale[k]);
        else if (c->has_max && x > c->max)
            v += fmin(1.0, (x - c->max) / scale[k]);
    }
    return v;
}

static int scalar_done(const es_obs *o)
{
    return o->status == ES_OBS_COMPLETED;
}

void es_model_scalarize(es_model *m, uint64_t index)
{
    const es_spec *sp = m->spec;
    size_t no = sp->n_objectives >= 2 ? sp->n_objectives : 0, nc = sp->n_constraints;
    double w[3] = {1, 0, 0}, lo[3], hi[3];
    double *sc = m->con_scale; /* nc entries */
    int changed = 0;

    if (!es_model_scalarizes(m))
        return;
    if (no > 3)
        no = 3; /* the spec allows 2 or 3 */
    if (no > 0)
        es_model_weights(m, index, w, no);
    for (size_t j = 0; j < no; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    /* The normalization of each objective and each constraint's scale. */
    for (size_t k = 0; k < nc; k++) {
        double a = INFINITY, b = -INFINITY;
        for (size_t i = 0; i < m->n_obs; i++) {
            const es_obs *o = &m->obs[i];
            if (scalar_done(o) && o->vals != NULL && isfinite(o->vals[sp->n_objectives + k])) {
                a = fmin(a, o->vals[sp->n_objectives + k]);
                b = fmax(b, o->vals[sp->n_objectives + k]);
            }
        }
        const es_constraint *c = &sp->constraints[k];
        double bound = c->has_max ? c->max : c->min;
        sc[k] = b > a ? b - a : fabs(bound) > 0 ? fabs(bound) : 1.0;
    }
    for (size_t i = 0; i < m->n_obs; i++) {
        const es_obs *o = &m->obs[i];
        if (!scalar_done(o) || o->vals == NULL)
            continue;
        for (size_t j = 0; j < no; j++) {
            double y = scalar_oriented(m, o, j);
            if (!isnan(y)) {
                lo[j] = fmin(lo[j], y);
                hi[j] = fmax(hi[j], y);
            }
        }
    }

    /* Each completed trial's base value (before constraints), and the
     * range of the feasible ones. */
    double bmin = INFINITY, bmax = -INFINITY;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < m->n_obs; i++) {
            es_obs *o = &m->obs[i];
            double t = NAN;
            if (scalar_done(o) && no == 0) {
                /* One objective: the one the trial reported. */
                t = isfinite(o->raw) ? (sp->goal == ES_GOAL_MAXIMIZE ? -o->raw : o->raw) : NAN;
            } else if (scalar_done(o) && o->vals != NULL) {
                double mx = -INFINITY, sum = 0.0;
                for (size_t j = 0; j < no; j++) {
                    double y = scalar_oriented(m, o, j);
                    if (isnan(y)) {
                        mx = NAN;
                        break;
                    }
                    double z = hi[j] > lo[j] ? (y - lo[j]) / (hi[j] - lo[j]) : 0.0;
                    mx = fmax(mx, w[j] * z);
                    sum += w[j] * z;
                }
                t = isnan(mx) ? NAN : mx + SCALAR_RHO * sum;
            }
            /* A trial observed without values (not from the coordinator)
             * is taken as keeping the constraints. */
            double v = isnan(t) || o->vals == NULL ? 0.0 : scalar_violation(m, o, sc);
            if (pass == 0) {
                if (!isnan(t) && v == 0.0) {
                    bmin = fmin(bmin, t);
                    bmax = fmax(bmax, t);
                }
                continue;
            }
            double t_free = t;
            if (!isnan(t) && v > 0.0) {
                double worst = bmax > -INFINITY ? bmax : 0.0;
                double span = bmax > bmin ? bmax - bmin : 1.0;
                t = worst + span * (SCALAR_GAP + v);
            }
            /* Not completed: a failure stays NAN; in a sweep with several
             * objectives a pruned trial becomes one. */
            if (!scalar_done(o))
                t = t_free = no > 0 ? NAN : (sp->goal == ES_GOAL_MAXIMIZE ? -o->raw : o->raw);
            double obj = sp->goal == ES_GOAL_MAXIMIZE ? -t : t;
            double obj_free = sp->goal == ES_GOAL_MAXIMIZE ? -t_free : t_free;
            int feasible = v == 0.0;
            if (memcmp(&obj, &o->objective, sizeof obj) != 0 ||
                memcmp(&obj_free, &o->free_obj, sizeof obj_free) != 0 || feasible != o->feasible) {
                o->objective = obj;
                o->free_obj = obj_free;
                o->feasible = feasible;
                changed = 1;
            }
        }
    }
    if (changed)
        m->version++;
}
