/*
 * fidelity.c -- the objective surrogate's targets, and the level of the
 * early-termination schedule it learns them at (model-based
 * multi-fidelity).
 *
 * With `early_terminate`, most trials stop at a low rung and few run to the
 * end.  Early in a sweep the completed results are too few to learn from
 * while every trial has a value at the first rungs, and those values rank
 * configurations nearly as their final results do: what BOHB (Falkner et
 * al., ICML 2018) builds on.  So while fewer than es_fid_need() trials
 * have completed, the surrogate learns the metric at the highest level
 * (es_pruner_trial_levels: a hyperband bracket, an asha rung, a median
 * step) that at least es_fid_need() finished trials reached, each of them
 * an exact observation there; once enough have completed, it learns their
 * results.  Either way the level is the surrogate's target level L.
 *
 * A finished trial that has no value at L counts as follows:
 *
 *  - stopped below L (pruned): at its value at the highest level j < L it
 *    reached, carried to L by the least-squares line through the trials
 *    that have values at both j and L (the learning curve's drift from j
 *    to L; with fewer than three such trials or a line that does not rise,
 *    the median of their differences; with none, its value at j as it is),
 *    and no better than the median of the exact observations at L: the
 *    rules stop only trials that rank below their peers, so a stopped
 *    trial most likely would not have ended among the better half.  A
 *    pruned trial with no level recorded counts at its last reported value
 *    in place of a carried one, as it did before levels existed;
 *  - completed without a value at L (a result reused from another sweep,
 *    a program shorter than the rung): its result carried down to L by the
 *    line through the trials with both, and not floored;
 *  - failed: imputed as the worst target (W&B's default), by the caller.
 *
 * A pruned trial is not imputed as a failure: the configuration ran, and
 * pruning is the rule's choice, not a fault of the configuration.  Only
 * finished trials' levels are used (a running trial is pending, believed
 * at the posterior mean by model.c), so that the targets depend on the
 * observations and the order of completions only: a resumed sweep that is
 * fed the same trials learns the same.  With several objectives or with
 * constraints, levels are not used (their values are of one metric).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"

#define FID_TOP ES_SEARCH_LEVEL_FINAL
/* Fewest trials a level's line is fitted on; below, the median shift. */
#define FID_LINE_MIN 3

/* The fewest finished trials a level's (or the results') surrogate needs:
 * max(4, k + 2) with k searched parameters (BOHB's model needs k + 1). */
static size_t fid_need(const es_model *m)
{
    size_t k = es_enc_searched(m->enc) + 2;
    return k > 4 ? k : 4;
}

static int fid_pruned_ok(const es_obs *o)
{
    return o->x_ok && o->status == ES_OBS_PRUNED && isfinite(o->objective);
}

/* Levels are of the one metric: with several objectives or constraints
 * the surrogate's target is another number, and levels are not used. */
static int fid_levels_used(const es_model *m)
{
    return m->spec->n_objectives + m->spec->n_constraints == 0;
}

/* Observation o's target at level l (FID_TOP: its result), NAN when
 * unknown.  Failed trials have none. */
static double fid_at(const es_model *m, const es_obs *o, size_t l)
{
    if (o->status == ES_OBS_FAILED)
        return NAN;
    if (l == FID_TOP)
        return es_model_completed_ok(o) ? es_model_target(m, o) : NAN;
    return l < o->n_lv && fid_levels_used(m) ? o->lv[l] : NAN;
}

static int fid_by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int fid_by_seq(const void *a, const void *b)
{
    uint64_t x = ((const model_pt *)a)->seq, y = ((const model_pt *)b)->seq;
    return x < y ? -1 : x > y;
}

/* The median of v[0 .. n-1] (sorted in place), NAN for none. */
static double fid_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, fid_by_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* How a value at level j carries to level l: y = a + b x. */
typedef struct fid_line {
    double a, b;
} fid_line;

/* The line from level j to level l through the points pts[0 .. n-1] that
 * have both (see the file's comment); work holds n doubles. */
static fid_line fid_fit(const es_model *m, const model_pt *pts, size_t n, size_t j, size_t l,
                        double *work)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t c = 0;
    for (size_t k = 0; k < n; k++) {
        const es_obs *o = &m->obs[pts[k].obs];
        double x = fid_at(m, o, j), y = fid_at(m, o, l);
        if (isnan(x) || isnan(y))
            continue;
        work[c++] = y - x;
        sx += x;
        sy += y;
    }
    fid_line line = {0, 1};
    if (c == 0)
        return line;
    double mx = sx / (double)c, my = sy / (double)c;
    for (size_t k = 0; k < n; k++) {
        const es_obs *o = &m->obs[pts[k].obs];
        double x = fid_at(m, o, j), y = fid_at(m, o, l);
        if (!isnan(x) && !isnan(y)) {
            sxx += (x - mx) * (x - mx);
            sxy += (x - mx) * (y - my);
        }
    }
    if (c >= FID_LINE_MIN && sxx > 0 && sxy > 0 && isfinite(sxy / sxx)) {
        line.b = sxy / sxx;
        line.a = my - line.b * mx;
        return line;
    }
    line.a = fid_median(work, c);
    return line;
}

/* The level the targets are taken at: the results once fid_need() trials
 * have completed (or levels are not in use), else the highest level that
 * many finished trials reached, else the results. */
static size_t fid_level(const es_model *m, const model_pt *pts, size_t n)
{
    size_t need = fid_need(m), done = 0, count[ES_SEARCH_LEVELS_MAX] = {0}, top = 0;
    if (!fid_levels_used(m))
        return FID_TOP;
    for (size_t k = 0; k < n; k++) {
        const es_obs *o = &m->obs[pts[k].obs];
        done += es_model_completed_ok(o);
        for (size_t l = 0; l < o->n_lv; l++)
            if (!isnan(fid_at(m, o, l))) {
                count[l]++;
                top = l + 1 > top ? l + 1 : top;
            }
    }
    if (done >= need)
        return FID_TOP;
    for (size_t l = top; l-- > 0;)
        if (count[l] >= need)
            return l;
    return FID_TOP;
}

size_t es_fid_points(es_model *m, uint64_t upto, model_pt *pts, size_t *n_completed)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_obs; i++) {
        const es_obs *o = &m->obs[i];
        if (o->has_seq && o->seq < upto && o->x_ok)
            pts[n++] = (model_pt){i, NAN, o->seq};
    }
    /* In completion order, so that the lines' sums do not depend on the
     * order trials were observed in. */
    qsort(pts, n, sizeof *pts, fid_by_seq);
    size_t l = fid_level(m, pts, n);
    m->fid_level = (int)l;
    double *work = malloc((n + 1) * sizeof *work);
    fid_line line[ES_SEARCH_LEVELS_MAX + 1];
    unsigned char fitted[ES_SEARCH_LEVELS_MAX + 1] = {0};
    size_t n_exact = 0;
    *n_completed = 0;
    if (work == NULL)
        return 0;
    for (size_t k = 0; k < n; k++) {
        double y = fid_at(m, &m->obs[pts[k].obs], l);
        pts[k].y = y;
        if (!isnan(y))
            work[n_exact++] = y;
    }
    double floor = fid_median(work, n_exact);
    for (size_t k = 0; k < n; k++) {
        const es_obs *o = &m->obs[pts[k].obs];
        /* Failed, or with no finite result (a run that diverged, a
         * pruned trial stopped on NaN): imputed as the worst below. */
        if (!isnan(pts[k].y) || o->status == ES_OBS_FAILED || !isfinite(o->objective))
            continue;
        /* The level it is carried from: the highest below l it reached,
         * else (completed, ran past l without a value there) its result. */
        size_t j = FID_TOP;
        for (size_t q = o->n_lv < l ? o->n_lv : l; q-- > 0;)
            if (!isnan(o->lv[q])) {
                j = q;
                break;
            }
        double x = fid_at(m, o, j);
        if (isnan(x)) {
            if (fid_pruned_ok(o))
                pts[k].y =
                    isnan(floor) ? es_model_target(m, o) : fmax(es_model_target(m, o), floor);
            continue;
        }
        size_t slot = j == FID_TOP ? ES_SEARCH_LEVELS_MAX : j;
        if (!fitted[slot]) {
            line[slot] = fid_fit(m, pts, n, j, l, work);
            fitted[slot] = 1;
        }
        double y = line[slot].a + line[slot].b * x;
        if (o->status == ES_OBS_PRUNED && !isnan(floor))
            y = fmax(y, floor);
        pts[k].y = isfinite(y) ? y : NAN;
    }
    free(work);
    double worst = -INFINITY;
    size_t nc = 0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(pts[k].y)) {
            worst = fmax(worst, pts[k].y);
            nc++;
        }
    for (size_t k = 0; k < n; k++)
        if (isnan(pts[k].y))
            pts[k].y = worst;
    *n_completed = nc;
    return nc == 0 ? 0 : n;
}
