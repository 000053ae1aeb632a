/*
 * bayes.c -- the Bayesian suggestion: where to look next, and whether it
 * fits the energy budget.
 *
 * Trial `index` is placed in one of three ways:
 *
 *  1. The initial design: the first max(5, 2k) trials (k searched
 *     parameters; at most half of run_cap when the spec caps the sweep),
 *     or the first batch when parallel is larger (they all start before
 *     a result is back), are points of a maximin Latin hypercube
 *     (design.c) that depends only on the seed and its size, so the
 *     surrogate starts from a space-filling sample.  Measured on the
 *     search-quality suite (25 problems, 10 seeds) at parallel 16, against
 *     a design of max(5, 2k) and spread points for the rest of the batch:
 *     geometric mean of median regret 0.66 / 0.50 / 0.43 of it at
 *     20 / 40 / 100 trials.
 *     After earlier sweeps of the same program (a warm start, prior.c),
 *     its first two points are their best configurations and it is half
 *     as long.
 *     With an energy budget the design is cost-effective, after CArBO's
 *     (Lee et al. 2020): smaller, max(3, k + 1) trials, because every
 *     design trial is paid for at whatever it happens to cost (the
 *     search does not know yet which parameters drive energy), and the
 *     design points drawn once the energy surrogate exists (after three
 *     energies) are not the hypercube's but the spread per joule: the
 *     point that maximizes log(distance to every observed and pending
 *     point) - alpha log(median energy forecast).  Measured on the
 *     benchmark's cost task (search_latency cost, 50 seeds), this design
 *     cut the cost-aware search's median energy to the target by 4-18%
 *     (targets 2.3, 2.2, 2.15) against the full hypercube; designs of 3,
 *     5, 6 and 8 points, per joule or not, did worse than k + 1 = 4.
 *     Scaling alpha by 0, 0.25, 0.5 and 2 there did not beat CArBO's
 *     schedule as it stands (0 and 1 were within 2.5 J of each other,
 *     0.25, 0.5 and 2 up to 10 J worse), so it is kept.
 *  2. Expected improvement: once two trials have completed, the objective
 *     surrogate (model.c) is maximized for log EI (acq.c) inside the trust
 *     region (trust.c): a box around the incumbent whose side follows the
 *     search's successes and failures.  Half as many candidates over the
 *     whole cube are scored beside the box's; when the best of them has
 *     ten times the EI of the box's best, this one suggestion is taken
 *     from the whole cube instead (the box gives way where the surrogate
 *     is sure that much more is to be had elsewhere: a basin the box
 *     never reaches, an optimum on a bound).  Measured on the
 *     search-quality suite (25 closed-form problems, 10 seeds, 100
 *     trials), against EI over the whole cube: proposals within 0.5% of
 *     a bound 20% -> 12% (the box alone: 11%, but it lost the Eggholder's
 *     optimum on a bound and local minima of Styblinski-Tang and Schwefel
 *     by 100 trials; polishing the whole cube's winner walked back to the
 *     bounds, 18%, so it is taken as scored), geometric mean of median
 *     regret 0.87 / 0.64 / 0.95 of the whole cube's at 20 / 40 / 100
 *     trials sequentially, 0.94 / 0.67 / 0.88 at parallel 4.  With an energy
 *     budget and an energy surrogate, the acquisition is cost-aware with
 *     CArBO's cooling schedule (Lee et al. 2020): EI / cost^alpha, i.e.
 *     logEI - alpha log(median forecast), with alpha = remaining / total
 *     going from 1 (cheap trials first, while most of the budget is left) to
 *     0 (plain EI at the end); alpha is 0 when the total is not known.
 *     With constraints, each constraint's surrogate (model.c) gives the
 *     probability that a point keeps it, and the acquisition is EI over
 *     the best feasible trial times the probability of keeping them all
 *     (constrained EI, Gardner et al. 2014); before any trial is feasible,
 *     that probability alone.  Once one is, a point less likely to keep
 *     them than to break them (below 0.5) ranks behind every point above:
 *     constrained EI alone peaks on the boundary of the feasible region,
 *     where half the proposals fall just outside it.  Measured on the
 *     constrained suite (tests/bench/run_constrained_suite.sh, 8 problems,
 *     10 seeds, 100 trials), against one surrogate of the objective with
 *     a penalty for breaking constraints (before): median regret below
 *     the better Optuna TPE's on every single-objective problem at every
 *     horizon, sequentially and at parallel 4 (before: behind it on 5 of
 *     6 at some horizon).  Against constrained EI without the floor, the
 *     floor took the trials that break a constraint from 80% to 16% on
 *     Gramacy's problem, 67% to 26% on the spring, 45% to 8% on SRN, at a
 *     cost in regret on Gardner's problem (a feasible local minimum kept
 *     to 20 or 40 trials), Gramacy's at parallel 4 and 20 trials, and the
 *     pressure vessel (1.5-1.8x), still below TPE there.  A floor of 0.9
 *     wasted fewer trials still (6% on Gramacy's) but stalled in local
 *     minima (Gardner's to 100 trials); weighing the probability twice
 *     (squared) changed little.
 *     With two or three objectives, each has a surrogate of its own (model.c's
 *     columns) and the acquisition is their expected hypervolume
 *     improvement over the front of the feasible trials and the believed
 *     pending ones, in closed form (ehvi.c), with the candidates refined
 *     around up to five of the front's trials spread along it (turning
 *     with the trial's index on a front of three objectives, a surface).
 *     Measured on the multi-objective suite (five bi-objective problems,
 *     10 seeds, parallel 1 and 4) against ParEGO: median hypervolume
 *     1.16 / 1.04 / 1.02 of ParEGO's at 20 / 40 / 100 trials (geometric
 *     mean; 0.95 to 1.48 at 20), at 4.6 ms of CPU a suggestion against
 *     1.5; refining around the scalarization's best trials instead of the
 *     front's lost at parallel 4 (DTLZ2 at 20 trials 1.089 against 1.128).
 *     With three (DTLZ2, DTLZ7) it is level with ParEGO, 0.95 to 1.07 per
 *     problem, horizon and parallelism, at 10-13 ms against 2.2.  The
 *     front's nadir as the default reference (BoTorch's) closed in on
 *     DTLZ2's front (1.05x at 100 trials) but lost the extremes of ZDT's
 *     and DTLZ7's (0.82x on ZDT3): the worst trial's stays.
 *  3. Spread: when the objective surrogate cannot be built yet (too few
 *     completions after the design) or the design point does not fit the
 *     budget, the point farthest from every observed and pending one and
 *     from its own mirror images in the numeric faces (without them the
 *     farthest point is always a corner); in a cost-effective design the
 *     spread per joule, as above, without the mirrors.
 *
 * The search over the cube is two-stage: a Latin-hypercube cloud of
 * candidates (plus, for EI, small perturbations of the best points so far)
 * is scored on projected points (what they decode to), and the best few are
 * polished by COBYLA on the continuous relaxation, then projected and
 * scored again.  With a budget every stage is constrained: the 95% upper
 * forecast of the energy (median exp(mu), bound exp(mu + 1.645 sd)) must not
 * exceed what remains.  When no candidate fits, the cheapest one is polished
 * for energy alone; if even that does not fit, the suggestion fails with
 * ES_EBUDGET and a message that names both numbers.  Without energy data
 * the budget cannot be judged and is left to the coordinator.
 *
 * A configuration that decodes equal to an observed or pending one is never
 * proposed while another candidate (or, in a small discrete space, another
 * of BAYES_RETRIES uniform draws) remains.  Randomness comes from the
 * stream (seed, index); nothing depends on the clock or on earlier calls.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"
#include "search_int.h"

/* Candidate cloud: BAYES_CLOUD_PER_DIM per searched parameter, within
 * bounds; BAYES_LOCAL perturbations of each of the BAYES_LOCAL_TOP best. */
#define BAYES_CLOUD_PER_DIM 128
#define BAYES_CLOUD_MIN 256
#define BAYES_CLOUD_MAX 1024
#define BAYES_LOCAL_TOP 5
#define BAYES_LOCAL 16
/* Candidates polished, and COBYLA's budget and first step for each. */
#define BAYES_POLISH 3
#define BAYES_POLISH_EVALS 80
#define BAYES_POLISH_STEP 0.05
/* Uniform points tried when every candidate repeats a configuration, and
 * the stream they come from (mixed into the seed; the index is the trial's). */
#define BAYES_RETRIES 256
#define BAYES_RETRY_STREAM UINT64_C(0x5245545259)
/* The trust region gives way to the whole cube for one suggestion when the
 * cube's best candidate scores this much more (log: ten times the EI, or
 * with a budget the EI per joule^alpha). */
#define BAYES_GIVE_WAY 2.302585092994046
/* After a restart, the box's center is the best of at most this many of
 * the latest completions since it. */
#define BAYES_TRUST_SCAN 200
/* Once a trial keeps every constraint, a proposal should more likely keep
 * them than not: one below this probability ranks behind every one above
 * it (by this much, which leaves the order among them).  See the file's
 * comment. */
#define BAYES_LOG_POF_FLOOR (-0.6931471805599453) /* log 0.5 */
#define BAYES_BELOW_FLOOR 1e6
/* Trials of the initial design that a warm start takes from the earlier
 * sweeps' best configurations (prior.c). */
#define BAYES_WARM_DESIGN 2
/* The smallest cost-effective design (with an energy budget). */
#define BAYES_DESIGN_BUDGET_MIN 3

enum { BAYES_EI, BAYES_SPREAD };

typedef struct bayes_ctx {
    es_model *m;
    size_t d;
    int mode;
    int energy_gp;        /* the energy surrogate is ready */
    int constrained;      /* the upper forecast must fit log_remaining */
    double alpha;         /* cost exponent of the cooling schedule */
    int spread_per_joule; /* spread mode pays alpha log(median energy) too */
    double log_remaining; /* log of the joules left */
    double *w_obj, *w_en; /* prediction scratch */
    /* Constraints (scalar.c, model.c): expected improvement over the best
     * feasible trial times the probability of keeping them all (pof: some
     * constraint's surrogate is ready); with nothing feasible yet, that
     * probability alone. */
    int pof, any_feasible;
    double best; /* the incumbent EI improves on */
    double *logp, *w_con;
    /* Two or three objectives (ehvi of them) with a surrogate each:
     * expected hypervolume improvement over the front (ehvi.c) instead of
     * EI of a scalarization; e3 holds the boxes of a front of three. */
    size_t ehvi;
    double *front, ref[3], *cmu, *cvar, *w_col;
    size_t n_front;
    es_ehvi3 e3;
    double *mu, *var, *emu, *esd;
    const double *pts; /* spread: the points to keep away from */
    size_t n_pts;
    const unsigned char *choice; /* spread: the dimensions that one-hot a choice */
    /* The last point COBYLA asked about, so that the constraint reuses
     * the objective's evaluation at the same x. */
    double *last_x, last_acq, last_upper;
    int last_ok;
    /* EI inside the trust region (trust.c): the box, its center (an
     * observed point's x) and how often a categorical leaves the center's
     * choice in the candidates. */
    int local;
    double *box_lb, *box_ub;
    const double *center;
    double p_switch;
} bayes_ctx;

/* One scored candidate. */
typedef struct bayes_cand {
    double acq, upper; /* acquisition (larger is better), log upper energy */
    size_t row;        /* in the candidate matrix */
} bayes_cand;

/* Score n points x: acquisition into acq, log upper energy into upper (-inf
 * when not constrained).  n is at most the scratch size. */
static void bayes_eval(bayes_ctx *c, const double *x, size_t n, double *acq, double *upper)
{
    es_model *m = c->m;
    if (c->mode == BAYES_EI) {
        if (c->ehvi) {
            for (size_t j = 0; j < c->ehvi; j++)
                es_gp_predict(&m->cols[j].gp, x, n, c->cmu + j * n, c->cvar + j * n, c->w_col);
        } else {
            es_model_objective_predict(m, x, n, c->mu, c->var, c->w_obj);
        }
        if (c->pof)
            es_model_constraint_logpof(m, x, n, c->logp, c->w_con);
        for (size_t i = 0; i < n; i++) {
            double a;
            if (c->ehvi) {
                double mu[3], sd[3];
                for (size_t j = 0; j < c->ehvi; j++) {
                    mu[j] = c->cmu[j * n + i];
                    sd[j] = sqrt(c->cvar[j * n + i]);
                }
                a = c->ehvi == 2 ? es_log_ehvi2(c->front, c->n_front, c->ref, mu, sd)
                                 : es_log_ehvi3(&c->e3, mu, sd);
            } else {
                a = es_log_ei(c->mu[i], sqrt(c->var[i]), c->best);
            }
            acq[i] = c->any_feasible || !c->pof ? a : 0.0;
            if (c->pof)
                acq[i] += c->logp[i];
            if (c->pof && c->any_feasible && c->logp[i] < BAYES_LOG_POF_FLOOR)
                acq[i] -= BAYES_BELOW_FLOOR;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            /* The distance to the nearest point or to the nearest mirror
             * image of this one in a numeric face (twice the distance to
             * the face): without it the farthest point of a cube is always
             * one of its corners.  Per joule it is not used: the cheap face
             * is where a cost-effective design belongs (CArBO's, measured
             * with the plain distance). */
            double best = INFINITY;
            for (size_t t = 0; t < c->d && !c->spread_per_joule; t++)
                if (!c->choice[t]) {
                    double f = 2.0 * fmin(x[i * c->d + t], 1.0 - x[i * c->d + t]);
                    best = fmin(best, f * f);
                }
            for (size_t j = 0; j < c->n_pts; j++) {
                double s = 0.0;
                for (size_t t = 0; t < c->d; t++) {
                    double diff = x[i * c->d + t] - c->pts[j * c->d + t];
                    s += diff * diff;
                }
                best = fmin(best, s);
            }
            acq[i] = isfinite(best) ? log(best + 1e-12) : 0.0; /* nothing numeric, no points */
        }
    }
    for (size_t i = 0; i < n; i++)
        upper[i] = -INFINITY;
    if (!c->energy_gp)
        return;
    es_model_energy_predict(m, x, n, c->emu, c->esd, c->w_en);
    for (size_t i = 0; i < n; i++) {
        upper[i] = c->emu[i] + ES_Z95 * c->esd[i];
        if (c->mode == BAYES_EI || c->spread_per_joule)
            acq[i] -= c->alpha * c->emu[i];
    }
}

static int bayes_feasible(const bayes_ctx *c, double upper)
{
    return !c->constrained || upper <= c->log_remaining;
}

/* Scores at one point through the cache of the last point asked. */
static void bayes_eval_one(bayes_ctx *c, const double *x)
{
    if (c->last_ok && memcmp(x, c->last_x, c->d * sizeof *x) == 0)
        return;
    bayes_eval(c, x, 1, &c->last_acq, &c->last_upper);
    memcpy(c->last_x, x, c->d * sizeof *x);
    c->last_ok = 1;
}

static double bayes_neg_acq(unsigned n, const double *x, double *grad, void *data)
{
    (void)n;
    (void)grad;
    bayes_ctx *c = data;
    bayes_eval_one(c, x);
    return isfinite(c->last_acq) ? -c->last_acq : 1e300;
}

static double bayes_energy_con(unsigned n, const double *x, double *grad, void *data)
{
    (void)n;
    (void)grad;
    bayes_ctx *c = data;
    bayes_eval_one(c, x);
    return c->last_upper - c->log_remaining;
}

/* Polish row x (in place) with COBYLA: maximize the acquisition under the
 * budget (for_energy = 0) or minimize the upper energy (for_energy = 1);
 * then project and rescore into *cand when that is better.  0 or -ENOMEM. */
static int bayes_polish(bayes_ctx *c, double *x, bayes_cand *cand, int for_energy, double *lb,
                        double *ub, double *trial)
{
    /* A start inside the bounds (a snapped integer may sit just outside
     * the box), which NLopt requires. */
    for (size_t t = 0; t < c->d; t++)
        trial[t] = fmin(fmax(x[t], lb[t]), ub[t]);
    es_opt o = {.algo = ES_OPT_COBYLA,
                .n = (unsigned)c->d,
                .lb = lb,
                .ub = ub,
                .f = for_energy ? bayes_energy_con : bayes_neg_acq,
                .f_data = c,
                .con = !for_energy && c->constrained ? bayes_energy_con : NULL,
                .con_data = c,
                .maxeval = BAYES_POLISH_EVALS,
                .xtol_rel = 1e-4,
                .step = BAYES_POLISH_STEP};
    double fx;
    c->last_ok = 0;
    int rc = es_opt_minimize(&o, trial, &fx);
    c->last_ok = 0;
    if (rc == -ENOMEM)
        return rc;
    es_enc_project(c->m->enc, trial, trial);
    double acq, upper;
    bayes_eval(c, trial, 1, &acq, &upper);
    int better = for_energy ? upper < cand->upper
                            : bayes_feasible(c, upper) &&
                                  (acq > cand->acq || !bayes_feasible(c, cand->upper));
    if (better && isfinite(acq)) {
        memcpy(x, trial, c->d * sizeof *x);
        cand->acq = acq;
        cand->upper = upper;
    }
    return 0;
}

static int bayes_by_acq(const void *a, const void *b)
{
    const bayes_cand *p = a, *q = b;
    if (p->acq != q->acq)
        return p->acq > q->acq ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* Whether the configuration at x equals one already observed or pending
 * (other than trial `index` itself).  vals: n_params scratch values. */
static int bayes_duplicate(const es_model *m, const double *x, uint64_t index, es_value *vals,
                           int *dup)
{
    size_t np = m->spec->n_params;
    if (es_enc_decode(m->enc, x, vals) != 0)
        return -ENOMEM;
    *dup = 0;
    for (size_t i = 0; i < m->n_obs && !*dup; i++) {
        const es_obs *o = &m->obs[i];
        if (o->index == index && o->status == ES_OBS_PENDING)
            continue;
        size_t j = 0;
        while (j < np && es_value_same(&vals[j], &o->values[j]))
            j++;
        *dup = j == np;
    }
    for (size_t j = 0; j < np; j++)
        es_value_clear(&vals[j]);
    return 0;
}

/* Joules in the budget message: whole joules, or 3 digits below 10 J. */
static void bayes_joules(double j, char *buf, size_t cap)
{
    snprintf(buf, cap, j >= 10.0 ? "%.0f" : "%.3g", j);
}

static int bayes_over_budget(double upper_j, double remaining_j, es_err *err)
{
    char a[64], b[64];
    bayes_joules(upper_j, a, sizeof a);
    bayes_joules(remaining_j, b, sizeof b);
    return es_err_set(err, ES_EBUDGET,
                      "budget would be exceeded: the cheapest candidate is forecast at %s J "
                      "(95%% bound), %s J remain",
                      a, b);
}

/* The number of design trials: max(5, 2k), or with an energy budget the
 * cost-effective max(3, k + 1), at most half of run_cap; but at least the
 * first batch (parallel, at most run_cap): those trials start before any
 * result is back, and a Latin hypercube of them all covers the space better
 * than a small one followed by points placed only to keep away from it. */
static size_t bayes_design_size(const es_model *m, int budget)
{
    size_t k = es_enc_searched(m->enc), n = 2 * k > 5 ? 2 * k : 5;
    if (budget)
        n = k + 1 > BAYES_DESIGN_BUDGET_MIN ? k + 1 : BAYES_DESIGN_BUDGET_MIN;
    size_t warm = es_model_prior_design(m, BAYES_WARM_DESIGN);
    if (warm > 0) {
        /* A warm start: the earlier sweeps' best first, and half the
         * design (prior.c). */
        n = (n + 1) / 2;
        n = n > warm + 1 ? n : warm + 1;
    }
    size_t batch = m->spec->parallel > 1 ? (size_t)m->spec->parallel : 1;
    if (m->spec->run_cap > 0) {
        size_t half = ((size_t)m->spec->run_cap + 1) / 2;
        n = n < half ? n : half;
        batch = batch < (size_t)m->spec->run_cap ? batch : (size_t)m->spec->run_cap;
    }
    return n > batch ? n : batch;
}

/* How observation o ranks as an incumbent, a center or a place to
 * refine (smaller is better): by v (its target or posterior mean) without
 * constraints and among the trials that keep them once there are some;
 * never when it breaks one then; and while nothing is feasible, by how
 * little it breaks them (its penalized objective, scalar.c). */
static double bayes_rank(const bayes_ctx *c, const es_obs *o, double v)
{
    const es_model *m = c->m;
    if (m->n_cons == 0)
        return v;
    if (c->any_feasible)
        return o->feasible ? v : INFINITY;
    return m->spec->goal == ES_GOAL_MAXIMIZE ? -o->objective : o->objective;
}

/* With EHVI, the places to refine are the front's own trials: up to
 * BAYES_LOCAL_TOP rows of the objective's training set on the front
 * (c->front), spread evenly along it.  A front of three objectives is a
 * surface, not the line its sort by the first objective makes of it:
 * there the evenly spaced choice turns with the trial's index, so that
 * successive suggestions refine all of it.  Returns how many went into
 * top. */
static size_t bayes_front_rows(const bayes_ctx *c, uint64_t index, size_t *top)
{
    const es_model *m = c->m;
    const es_surrogate *s = &m->objective;
    size_t n = 0, *at = malloc((c->n_front + 1) * sizeof *at);
    if (at == NULL)
        return 0; /* the cloud alone */
    for (size_t k = 0; k < c->n_front; k++)
        at[k] = SIZE_MAX;
    for (size_t i = 0; i < s->n_real; i++) {
        const es_obs *o = &m->obs[s->row_obs[i]];
        if (o->status != ES_OBS_COMPLETED || (m->n_cons > 0 && !o->feasible))
            continue;
        double y[3];
        size_t q = c->ehvi;
        for (size_t j = 0; j < q; j++)
            y[j] = es_surrogate_forward(&m->cols[j], es_model_column_value(m, o, j));
        for (size_t k = 0; k < c->n_front; k++)
            if (at[k] == SIZE_MAX && memcmp(c->front + q * k, y, q * sizeof *y) == 0)
                at[k] = i;
    }
    size_t members = 0;
    for (size_t k = 0; k < c->n_front; k++)
        if (at[k] != SIZE_MAX)
            at[members++] = at[k];
    for (size_t t = 0; t < BAYES_LOCAL_TOP && t < members; t++) {
        size_t pick = members <= BAYES_LOCAL_TOP ? t
                      : c->ehvi == 3 ? (t * members / BAYES_LOCAL_TOP + (size_t)index) % members
                                     : t * (members - 1) / (BAYES_LOCAL_TOP - 1);
        top[n++] = at[pick];
    }
    free(at);
    return n;
}

/* The candidate matrix: the cloud and, for EI, perturbations of the best
 * training points.  Returns the number of rows written to x. */
static size_t bayes_candidates(const bayes_ctx *c, uint64_t index, double *x, double *u,
                               size_t n_cloud)
{
    const es_model *m = c->m;
    size_t k = es_enc_searched(m->enc), n = 0, d = c->d;
    es_rng rng;

    es_rng_seed_stream(&rng, m->seed, index);
    if (c->local) {
        for (size_t i = 0; i < n_cloud; i++)
            es_enc_sample_box(m->enc, &rng, c->center, c->box_lb, c->box_ub, c->p_switch,
                              x + (n++) * d);
        /* The whole cube too, at half the density: the trust region gives
         * way when EI elsewhere is far larger (bayes_search). */
        es_design_lhs(&rng, n_cloud / 2, k, u);
        for (size_t i = 0; i < n_cloud / 2; i++)
            es_enc_from_u(m->enc, u + i * k, x + (n++) * d);
    } else {
        es_design_lhs(&rng, n_cloud, k, u);
        for (size_t i = 0; i < n_cloud; i++)
            es_enc_from_u(m->enc, u + i * k, x + (n++) * d);
    }
    if (c->mode != BAYES_EI)
        return n;

    /* The best completed training points (the lies that follow them are
     * not observations to refine), kept sorted by rank. */
    const es_surrogate *s = &m->objective;
    size_t top[BAYES_LOCAL_TOP], n_top = c->ehvi ? bayes_front_rows(c, index, top) : 0;
    double key[BAYES_LOCAL_TOP];
    for (size_t i = 0; i < s->n_real && !c->ehvi; i++) {
        double r = bayes_rank(c, &m->obs[s->row_obs[i]], s->yt[i]);
        if (r == INFINITY || (n_top == BAYES_LOCAL_TOP && r >= key[n_top - 1]))
            continue;
        size_t pos = n_top < BAYES_LOCAL_TOP ? n_top++ : n_top - 1;
        top[pos] = i;
        key[pos] = r;
        for (; pos > 0 && key[pos - 1] > key[pos]; pos--) {
            double kt = key[pos - 1];
            key[pos - 1] = key[pos];
            key[pos] = kt;
            size_t tmp = top[pos - 1];
            top[pos - 1] = top[pos];
            top[pos] = tmp;
        }
    }
    for (size_t t = 0; t < n_top; t++)
        for (size_t j = 0; j < BAYES_LOCAL; j++) {
            double *row = x + (n++) * d, sd = j % 2 ? 0.1 : 0.02;
            for (size_t q = 0; q < d; q++)
                row[q] = fmin(fmax(s->xt[top[t] * d + q] + sd * es_rng_normal(&rng), c->box_lb[q]),
                              c->box_ub[q]);
            es_enc_project(m->enc, row, row);
        }
    return n;
}

/* Search the cube under c and decode the winner into values.  ES_EBUDGET
 * when nothing fits. */
static int bayes_search(bayes_ctx *c, uint64_t index, double remaining_j, es_value *values,
                        es_err *err)
{
    es_model *m = c->m;
    size_t d = c->d, k = es_enc_searched(m->enc), np = m->spec->n_params;
    size_t n_cloud = BAYES_CLOUD_PER_DIM * k;
    n_cloud = n_cloud < BAYES_CLOUD_MIN ? BAYES_CLOUD_MIN : n_cloud;
    n_cloud = n_cloud > BAYES_CLOUD_MAX ? BAYES_CLOUD_MAX : n_cloud;
    size_t cap = n_cloud + n_cloud / 2 + BAYES_LOCAL_TOP * BAYES_LOCAL;
    int rc = -ENOMEM;

    double *x = malloc(cap * d * sizeof *x), *u = malloc((n_cloud * k + 1) * sizeof *u);
    double *acq = malloc(cap * sizeof *acq), *upper = malloc(cap * sizeof *upper);
    double *lb = malloc(3 * d * sizeof *lb);
    bayes_cand *cand = malloc(cap * sizeof *cand);
    es_value *vals = calloc(np + 1, sizeof *vals);
    if (!x || !u || !acq || !upper || !lb || !cand || !vals)
        goto out;
    double *ub = lb + d, *trial = lb + 2 * d;
    for (size_t t = 0; t < d; t++) {
        lb[t] = 0.0;
        ub[t] = 1.0;
    }
    if (c->local) {
        memcpy(lb, c->box_lb, d * sizeof *lb);
        memcpy(ub, c->box_ub, d * sizeof *ub);
    } else {
        c->box_lb = lb;
        c->box_ub = ub;
    }

    size_t n = bayes_candidates(c, index, x, u, n_cloud);
    bayes_eval(c, x, n, acq, upper);
    size_t cheapest = 0;
    for (size_t i = 0; i < n; i++) {
        cand[i] = (bayes_cand){isfinite(acq[i]) ? acq[i] : -INFINITY, upper[i], i};
        if (upper[i] < upper[cheapest])
            cheapest = i;
        if (!bayes_feasible(c, upper[i]))
            cand[i].acq = -INFINITY;
    }
    int give_way = 0;
    if (c->local) {
        /* Rows n_cloud .. n_cloud * 3/2 - 1 are the whole cube's. */
        double a_local = -INFINITY, a_global = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (i >= n_cloud && i < n_cloud + n_cloud / 2)
                a_global = fmax(a_global, cand[i].acq);
            else
                a_local = fmax(a_local, cand[i].acq);
        }
        if (a_global > a_local + BAYES_GIVE_WAY) {
            c->local = 0;
            give_way = 1;
            for (size_t t = 0; t < d; t++) {
                lb[t] = 0.0;
                ub[t] = 1.0;
            }
        } else {
            /* Behind every candidate of the box, but before uniform
             * draws when all of those repeat a configuration. */
            for (size_t i = n_cloud; i < n_cloud + n_cloud / 2; i++)
                if (cand[i].acq > -INFINITY)
                    cand[i].acq -= 1e100;
        }
    }
    bayes_cand cheap = cand[cheapest];
    cheap.upper = upper[cheapest];
    qsort(cand, n, sizeof *cand, bayes_by_acq);

    /* Polish the best few distinct feasible candidates. */
    for (size_t i = 0, done = 0;
         i < n && done < (give_way ? 0 : BAYES_POLISH) && cand[i].acq > -INFINITY; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = memcmp(x + cand[j].row * d, x + cand[i].row * d, d * sizeof *x) == 0;
        if (seen)
            continue;
        if ((rc = bayes_polish(c, x + cand[i].row * d, &cand[i], 0, lb, ub, trial)) != 0)
            goto out;
        done++;
    }
    qsort(cand, n, sizeof *cand, bayes_by_acq);

    for (size_t i = 0; i < n && cand[i].acq > -INFINITY; i++) {
        int dup;
        if ((rc = bayes_duplicate(m, x + cand[i].row * d, index, vals, &dup)) != 0)
            goto out;
        if (!dup) {
            rc = es_enc_decode(m->enc, x + cand[i].row * d, values);
            goto out;
        }
    }
    if (n > 0 && cand[0].acq > -INFINITY) {
        /* Every candidate repeats a configuration.  A small discrete space
         * may still hold an unseen one that the cloud missed: try fresh
         * uniform points before repeating the best candidate. */
        es_rng rng;
        es_rng_seed_stream(&rng, m->seed ^ BAYES_RETRY_STREAM, index);
        for (int r = 0; r < BAYES_RETRIES; r++) {
            double a, up;
            int dup;
            for (size_t t = 0; t < k; t++)
                u[t] = es_rng_uniform(&rng);
            es_enc_from_u(m->enc, u, trial);
            bayes_eval(c, trial, 1, &a, &up);
            if (!bayes_feasible(c, up))
                continue;
            if ((rc = bayes_duplicate(m, trial, index, vals, &dup)) != 0)
                goto out;
            if (!dup) {
                rc = es_enc_decode(m->enc, trial, values);
                goto out;
            }
        }
        rc = es_enc_decode(m->enc, x + cand[0].row * d, values);
        goto out;
    }

    /* Nothing fits: look harder for the cheapest configuration, over the
     * whole cube (the box is for EI, not for the budget). */
    for (size_t t = 0; t < d; t++) {
        lb[t] = 0.0;
        ub[t] = 1.0;
    }
    if ((rc = bayes_polish(c, x + cheap.row * d, &cheap, 1, lb, ub, trial)) != 0)
        goto out;
    if (bayes_feasible(c, cheap.upper)) {
        rc = es_enc_decode(m->enc, x + cheap.row * d, values);
        goto out;
    }
    rc = bayes_over_budget(exp(cheap.upper), remaining_j, err);
out:
    free(x);
    free(u);
    free(acq);
    free(upper);
    free(lb);
    free(cand);
    free(vals);
    return rc == -ENOMEM ? es_err_set(err, rc, "out of memory suggesting trial %llu",
                                      (unsigned long long)index)
                         : rc;
}

/* The spread mode keeps away from every encodable observed or pending
 * configuration (trial `index` itself excepted): copied into *pts. */
static int bayes_spread_points(bayes_ctx *c, uint64_t index, double **pts)
{
    const es_model *m = c->m;
    *pts = malloc((m->n_obs * c->d + 1) * sizeof **pts);
    if (*pts == NULL)
        return -ENOMEM;
    c->n_pts = 0;
    for (size_t i = 0; i < m->n_obs; i++) {
        const es_obs *o = &m->obs[i];
        if (!o->x_ok || (o->index == index && o->status == ES_OBS_PENDING))
            continue;
        memcpy(*pts + (c->n_pts++) * c->d, o->x, c->d * sizeof **pts);
    }
    c->pts = *pts;
    return 0;
}

/* Set up EI inside the trust region when its state says so: the box
 * (into *box, 2d doubles the caller frees) around the observed point of
 * the lowest posterior mean (the incumbent, less exposed to noise than
 * the lowest observation).  0 or -ENOMEM. */
static int bayes_trust(bayes_ctx *c, size_t n_design, double **box)
{
    es_model *m = c->m;
    const es_surrogate *s = &m->objective;
    es_trust t;
    size_t d = c->d;
    *box = NULL;
    c->local = 0;
    /* With several objectives each suggestion's scalarization has its own
     * incumbent: EI over the whole cube, which spreads along the front. */
    if (m->spec->n_objectives >= 2)
        return 0;
    es_trust_replay(m, n_design, &t);
    if (!t.local || s->n_real == 0)
        return 0;
    unsigned char *mask = malloc(d + 1);
    *box = malloc((2 * d + 1) * sizeof **box);
    if (mask == NULL || *box == NULL) {
        free(mask);
        return -ENOMEM;
    }
    /* Where the center may be: before any restart the observed rows of
     * the training set (the best MODEL_TRAIN_BEST and the most recent);
     * after one, the latest BAYES_TRUST_SCAN completions since it. */
    size_t n = 0, best = SIZE_MAX;
    double best_mu = INFINITY, *rows = NULL;
    if (t.epoch_seq == 0) {
        n = s->n_real < BAYES_CLOUD_MAX ? s->n_real : BAYES_CLOUD_MAX;
        es_model_objective_predict(m, s->xt, n, c->mu, c->var, c->w_obj);
        for (size_t j = 0; j < n; j++) {
            double r = bayes_rank(c, &m->obs[s->row_obs[j]], c->mu[j]);
            if (r < best_mu && s->yt[j] < 0.0) { /* the worst (imputed) never */
                best_mu = r;
                best = j;
            }
        }
        if (best != SIZE_MAX)
            c->center = s->xt + best * d;
    } else {
        size_t *who = malloc((BAYES_TRUST_SCAN + 1) * sizeof *who);
        rows = malloc((BAYES_TRUST_SCAN * d + 1) * sizeof *rows);
        if (rows == NULL || who == NULL) {
            free(rows);
            free(who);
            free(mask);
            return -ENOMEM;
        }
        for (uint64_t seq = m->next_seq; seq > t.epoch_seq && n < BAYES_TRUST_SCAN; seq--) {
            size_t i = m->by_seq[seq - 1];
            const es_obs *o = i == SIZE_MAX ? NULL : &m->obs[i];
            if (o != NULL && o->x_ok && o->status == ES_OBS_COMPLETED && isfinite(o->objective)) {
                memcpy(rows + n * d, o->x, d * sizeof *rows);
                who[n++] = i;
            }
        }
        if (n > 0)
            es_model_objective_predict(m, rows, n, c->mu, c->var, c->w_obj);
        for (size_t j = 0; j < n; j++) {
            double r = bayes_rank(c, &m->obs[who[j]], c->mu[j]);
            if (r < best_mu) {
                best_mu = r;
                best = who[j];
            }
        }
        if (best != SIZE_MAX)
            c->center = m->obs[best].x;
        free(who);
        free(rows);
    }
    if (best == SIZE_MAX) {
        free(mask);
        free(*box);
        *box = NULL;
        return 0;
    }
    c->box_lb = *box;
    c->box_ub = *box + d;
    es_enc_choice_dims(m->enc, mask);
    es_trust_box(m, &t, c->center, mask, c->box_lb, c->box_ub);
    free(mask);
    c->p_switch = fmin(0.5, 0.5 * t.length);
    c->local = 1;
    return 0;
}

/* 1 when every parameter is a constant, a categorical (a value listed
 * twice counted once), an int_uniform or a bounded quantized law (the
 * values its rounding reaches, es_search_levels: not always a grid's
 * count of steps from min) and each configuration of the space is among
 * the observations (completed, failed or pending) but trial index's own:
 * another suggestion could only repeat one.  Its size into *size. */
static int bayes_exhausted(const es_model *m, uint64_t index, uint64_t *size)
{
    const es_spec *sp = m->spec;
    size_t np = sp->n_params;
    *size = 1;
    for (size_t j = 0; j < np; j++) {
        const es_param *p = &sp->params[j];
        uint64_t n = es_enc_choices(m->enc, j); /* constants, distinct choices */
        if (n == 0 && p->dist == ES_DIST_INT_UNIFORM && ceil(p->min) <= floor(p->max) &&
            floor(p->max) - ceil(p->min) < (double)m->n_obs)
            n = (uint64_t)(floor(p->max) - ceil(p->min)) + 1;
        else if (n == 0 && !es_search_levels(p, m->n_obs, &n))
            return 0; /* continuous, or more values than the trials so far */
        if (n == 0 || n > m->n_obs || *size > m->n_obs / n)
            return 0; /* more configurations than trials so far */
        *size *= n;
    }
    /* The distinct configurations, each the first observation of it. */
    const es_obs **seen = malloc((size_t)*size * sizeof *seen + 1);
    if (seen == NULL)
        return 0;
    size_t n_seen = 0;
    for (size_t i = 0; i < m->n_obs && n_seen < *size; i++) {
        const es_obs *o = &m->obs[i];
        if (o->index == index && o->status == ES_OBS_PENDING)
            continue;
        int dup = 0;
        for (size_t k = 0; k < n_seen && !dup; k++) {
            size_t j = 0;
            while (j < np && es_value_same(&o->values[j], &seen[k]->values[j]))
                j++;
            dup = j == np;
        }
        if (!dup)
            seen[n_seen++] = o;
    }
    free(seen);
    return n_seen >= *size;
}

int es_bayes_suggest(es_model *m, uint64_t index, double remaining_j, double total_j,
                     es_value *values, es_err *err)
{
    uint64_t space;
    if (bayes_exhausted(m, index, &space))
        return es_err_set(err, ES_EEXHAUSTED,
                          "search space exhausted (%llu configurations, every one tried)",
                          (unsigned long long)space);

    size_t d = es_enc_dims(m->enc), k = es_enc_searched(m->enc);
    int budget = isfinite(remaining_j) && remaining_j >= 0.0;
    int warm = es_model_prior_fit(m);
    if (warm < 0)
        return es_err_set(err, warm, "out of memory learning from the earlier sweeps");
    bayes_ctx c = {.m = m, .d = d, .log_remaining = log(fmax(remaining_j, 1e-300))};
    double *scratch = NULL, *pts = NULL, *box = NULL;
    int rc;

    if (budget) {
        /* Energy GP when there are enough energies; else the spread of the
         * observed ones, which does not depend on the configuration. */
        rc = es_model_energy(m);
        if (rc < 0)
            return es_err_set(err, rc, "out of memory forecasting energy");
        c.energy_gp = rc == 1;
        c.constrained = c.energy_gp;
        if (total_j > 0.0 && isfinite(total_j))
            c.alpha = fmin(fmax(remaining_j / total_j, 0.0), 1.0);
        double med, up;
        if (!c.energy_gp && es_model_energy_spread(m, &med, &up) == 0 && up > remaining_j)
            return bayes_over_budget(up, remaining_j, err);
    }

    /* Several objectives or constraints: the one number this suggestion
     * learns (scalar.c). */
    es_model_scalarize(m, index);
    size_t n0 = bayes_design_size(m, budget);
    int ready = 0;
    if (index >= n0 && k > 0) {
        ready = es_model_objective(m, index);
        if (ready < 0)
            return es_err_set(err, ready, "out of memory fitting the surrogate");
    }
    c.mode = ready == 1 ? BAYES_EI : BAYES_SPREAD;
    if (ready == 1) {
        c.best = m->objective.best;
        c.any_feasible = isfinite(c.best);
        int con = m->n_cons > 0 ? es_model_constraints(m) : 0;
        if (con < 0)
            return es_err_set(err, con, "out of memory fitting the constraints' surrogates");
        c.pof = con == 1;
        if (!c.any_feasible) {
            /* Nothing feasible and no constraint's surrogate yet (their
             * values unreported): EI over the best trial of all. */
            c.best = INFINITY;
            for (size_t i = 0; i < m->objective.n_real; i++)
                c.best = fmin(c.best, m->objective.yt[i]);
        }
    }

    size_t n_scratch = BAYES_CLOUD_MAX + BAYES_CLOUD_MAX / 2 + BAYES_LOCAL_TOP * BAYES_LOCAL;
    size_t w1 = ready == 1 ? es_gp_work_size(&m->objective.gp) : 1;
    size_t w2 = c.energy_gp ? es_gp_work_size(&m->energy.gp) : 1;
    size_t w3 = c.pof ? n_scratch + es_model_constraint_work(m, n_scratch) : 0;
    if (ready == 1 && m->n_cols >= 2) {
        int cols = es_model_columns(m, index);
        if (cols < 0 || (cols == 1 && es_ehvi_front(m, index, &c.front, &c.n_front, c.ref) != 0) ||
            (cols == 1 && m->n_cols == 3 && es_ehvi3_init(&c.e3, c.front, c.n_front, c.ref) != 0)) {
            free(c.front);
            return es_err_set(err, -ENOMEM, "out of memory fitting the objectives' surrogates");
        }
        c.ehvi = cols == 1 ? m->n_cols : 0;
    }
    size_t w4 = 0;
    if (c.ehvi) {
        size_t w = 1;
        for (size_t j = 0; j < c.ehvi; j++)
            if (es_gp_work_size(&m->cols[j].gp) > w)
                w = es_gp_work_size(&m->cols[j].gp);
        w4 = 6 * n_scratch + w;
    }
    scratch = malloc((4 * n_scratch + w1 + w2 + w3 + w4 + d + 1) * sizeof *scratch);
    if (scratch == NULL) {
        free(c.front);
        es_ehvi3_free(&c.e3);
        return es_err_set(err, -ENOMEM, "out of memory suggesting trial %llu",
                          (unsigned long long)index);
    }
    c.mu = scratch;
    c.var = c.mu + n_scratch;
    c.emu = c.var + n_scratch;
    c.esd = c.emu + n_scratch;
    c.w_obj = c.esd + n_scratch;
    c.w_en = c.w_obj + w1;
    c.last_x = c.w_en + w2;
    c.logp = c.last_x + d;
    c.w_con = c.logp + n_scratch;
    c.cmu = c.logp + w3; /* past the constraints' scratch */
    c.cvar = c.cmu + 3 * n_scratch;
    c.w_col = c.cvar + 3 * n_scratch;
    unsigned char *choice = malloc(d + 1);
    if (choice == NULL) {
        free(scratch);
        free(c.front);
        es_ehvi3_free(&c.e3);
        return es_err_set(err, -ENOMEM, "out of memory suggesting trial %llu",
                          (unsigned long long)index);
    }
    es_enc_choice_dims(m->enc, choice);
    c.choice = choice;

    if (k == 0) {
        /* Nothing to search: the one configuration, if it fits. */
        rc = es_enc_decode(m->enc, NULL, values);
        if (rc == 0 && c.energy_gp) {
            double none = 0.0; /* no coordinate is read */
            es_model_energy_predict(m, &none, 1, c.emu, c.esd, c.w_en);
            double upper = c.emu[0] + ES_Z95 * c.esd[0];
            if (!bayes_feasible(&c, upper)) {
                for (size_t i = 0; i < m->spec->n_params; i++)
                    es_value_clear(&values[i]);
                rc = bayes_over_budget(exp(upper), remaining_j, err);
            }
        } else if (rc != 0) {
            rc = es_err_set(err, rc, "out of memory suggesting trial %llu",
                            (unsigned long long)index);
        }
        goto out;
    }

    size_t warm_n = es_model_prior_design(m, BAYES_WARM_DESIGN);
    if (index < n0 && c.energy_gp && index >= warm_n) {
        /* Cost-effective design: the spread per joule. */
        c.mode = BAYES_SPREAD;
        c.spread_per_joule = 1;
    } else if (index < n0) {
        /* The design's point, or an earlier sweep's best (a warm start):
         * taken when it fits the budget, else the spread (per joule). */
        c.spread_per_joule = c.energy_gp;
        double *u = malloc((k + d + 1) * sizeof *u);
        if (u == NULL || es_design_point(m->seed, n0, k, (size_t)index, u) != 0) {
            free(u);
            rc = es_err_set(err, -ENOMEM, "out of memory drawing the initial design");
            goto out;
        }
        double *x = u + k, acq, upper;
        es_enc_from_u(m->enc, u, x);
        if (index < warm_n)
            es_model_prior_point(m, (size_t)index, x);
        c.mode = BAYES_SPREAD;
        c.n_pts = 0;
        bayes_eval(&c, x, 1, &acq, &upper);
        es_value *vals = calloc(m->spec->n_params + 1, sizeof *vals);
        int dup = 1;
        rc = vals == NULL ? -ENOMEM : bayes_duplicate(m, x, index, vals, &dup);
        free(vals);
        if (rc == 0 && !dup && bayes_feasible(&c, upper))
            rc = es_enc_decode(m->enc, x, values);
        else if (rc == 0)
            rc = 1; /* search instead */
        free(u);
        if (rc <= 0) {
            if (rc == -ENOMEM)
                es_err_set(err, rc, "out of memory suggesting trial %llu",
                           (unsigned long long)index);
            goto out;
        }
    }
    if (c.mode == BAYES_SPREAD && (rc = bayes_spread_points(&c, index, &pts)) != 0) {
        rc = es_err_set(err, rc, "out of memory suggesting trial %llu", (unsigned long long)index);
        goto out;
    }
    if (c.mode == BAYES_EI && (rc = bayes_trust(&c, n0, &box)) != 0) {
        rc = es_err_set(err, rc, "out of memory suggesting trial %llu", (unsigned long long)index);
        goto out;
    }
    rc = bayes_search(&c, index, remaining_j, values, err);
out:
    free(box);
    free(pts);
    free(choice);
    free(scratch);
    free(c.front);
    es_ehvi3_free(&c.e3);
    return rc;
}
