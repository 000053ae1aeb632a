/*
 * trust.c -- the trust region of the Bayesian search: where, around the
 * incumbent, expected improvement is maximized.
 *
 * After the initial design, EI over the whole cube proposes points at its
 * bounds: away from the data the posterior's variance grows toward the
 * faces and corners of the cube, so on rugged or steep functions a third
 * or more of the proposals put a coordinate at a bound however far the
 * optimum is from it.  Following TuRBO (Eriksson et al. 2019), EI is
 * maximized inside a box around the incumbent instead, whose side grows
 * after repeated improvements and shrinks after repeated failures; when it
 * has shrunk to nothing (the incumbent's basin is exhausted) the search
 * looks over the whole cube for a few trials, with the same surrogate (a
 * restart that keeps what was learnt, unlike TuRBO's fresh design), and
 * then starts a box of the initial size around the best of the trials
 * since the restart (bayes.c), so that a basin the global trials found
 * gets its own box even when it is not yet better than the old one.
 *
 * bayes.c scores candidates over the whole cube beside the box's and
 * lets one suggestion leave the box when the cube's best EI is ten times
 * the box's.
 *
 * The state is replayed from the completions in their order every time it
 * is asked for, so it depends on the history alone (the suggestion stays
 * deterministic for a given seed and history, and a search created anew
 * and fed the same observations is in the same state).  A completion
 * counts as an improvement when its target is below the best before it by
 * more than 1e-3 of that best's magnitude; a failed or pruned trial is a
 * failure.  Counters are per trial, and max(4, k, q) failures in a row
 * halve the side (q: parallel), as TuRBO's tolerance of max(4, k) / q
 * batches, at least one, amounts to: a batch of sixteen proposals that
 * all miss halves the box once, not four times.  Measured on the
 * search-quality suite (25 closed-form problems, 10 seeds) at parallel 16,
 * against max(4, k): geometric mean of median regret 0.87 / 0.68 of it at
 * 40 / 100 trials; counting q completions in a row as one of TuRBO's
 * batches for successes too did as well there but 15% worse at parallel
 * 4, 40 trials (two sets of 10 seeds).
 */
#include <math.h>
#include <string.h>

#include "bayes_int.h"

/* The box's side in the cube: first, largest and smallest (TuRBO's). */
#define TRUST_INIT 0.8
#define TRUST_MAX 1.6
#define TRUST_MIN 0.0078125 /* 0.5^7 */
/* Improvements in a row that double the side. */
#define TRUST_SUCC 3

static double trust_target(const es_model *m, const es_obs *o)
{
    if (o->status != ES_OBS_COMPLETED || !isfinite(o->objective))
        return INFINITY;
    return m->spec->goal == ES_GOAL_MAXIMIZE ? -o->objective : o->objective;
}

void es_trust_replay(const es_model *m, size_t n_design, es_trust *t)
{
    size_t k = es_enc_searched(m->enc), q = m->spec->parallel > 1 ? (size_t)m->spec->parallel : 1;
    size_t fail_tol = k > 4 ? k : 4;
    fail_tol = fail_tol > q ? fail_tol : q;
    double best = INFINITY, length = TRUST_INIT;
    size_t succ = 0, fail = 0, global_left = 0;
    memset(t, 0, sizeof *t);
    for (uint64_t seq = 0; seq < m->next_seq; seq++) {
        size_t i = m->by_seq[seq];
        if (i == SIZE_MAX)
            continue;
        const es_obs *o = &m->obs[i];
        double y = trust_target(m, o);
        if (o->index < n_design) {
            best = fmin(best, y);
            continue;
        }
        int improved = isfinite(y) && (!isfinite(best) || y < best - 1e-3 * fabs(best));
        best = fmin(best, y);
        if (global_left > 0) {
            if (improved || --global_left == 0) {
                global_left = 0;
                length = TRUST_INIT;
                succ = fail = 0;
            }
            continue;
        }
        if (improved) {
            succ++;
            fail = 0;
        } else {
            fail++;
            succ = 0;
        }
        if (succ >= TRUST_SUCC) {
            length = fmin(2.0 * length, TRUST_MAX);
            succ = 0;
        }
        if (fail >= fail_tol) {
            length *= 0.5;
            fail = 0;
        }
        if (length < TRUST_MIN) {
            t->restarts++;
            global_left = fail_tol;
            t->epoch_seq = seq + 1;
        }
    }
    t->local = global_left == 0;
    t->length = length;
}

void es_trust_box(const es_model *m, const es_trust *t, const double *center,
                  const unsigned char *mask, double *lb, double *ub)
{
    size_t d = es_enc_dims(m->enc);
    const double *theta = m->objective.theta;
    /* Each side in proportion to its length scale, the volume that of a
     * cube of side t->length (over the numeric dimensions). */
    double sum = 0.0;
    size_t n = 0;
    for (size_t j = 0; j < d; j++)
        if (!mask[j]) {
            sum += theta[j];
            n++;
        }
    double mean = n ? sum / (double)n : 0.0;
    for (size_t j = 0; j < d; j++) {
        if (mask[j]) {
            lb[j] = 0.0;
            ub[j] = 1.0;
            continue;
        }
        double half = 0.5 * t->length * exp(theta[j] - mean);
        half = fmin(half, 1.0);
        double x = fmin(fmax(center[j], 0.0), 1.0); /* a value recorded out of range */
        lb[j] = fmax(x - half, 0.0);
        ub[j] = fmin(x + half, 1.0);
    }
}
