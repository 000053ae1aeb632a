/*
 * ehvi.c -- expected hypervolume improvement of two objectives, each with
 * a surrogate of its own (model.c's columns).
 *
 * The front and the reference point live in the surrogates' own
 * coordinates (each objective standardized and warped as its GP sees it,
 * es_surrogate_forward), where each posterior is exactly normal.
 * Dominance does not change under these monotone maps, so a point that
 * improves the front there improves it in the objectives' units too; the
 * hypervolume is measured in the warped units, which is what keeps one
 * run that diverged from flattening the others, as for one objective.
 *
 * For a front P sorted by the first objective (y_1 < ... < y_n in it, so
 * decreasing in the second) and the reference r, the region a new point
 * (a, b) adds is, strip by strip between successive first coordinates
 * l_i = y_{i-1,1} .. u_i = y_{i,1} (l_1 = -inf, u_{n+1} = r_1), the part
 * of [max(a, l_i), u_i) x [b, h_i) with h_i = y_{i-1,2} (h_1 = r_2).  With
 * a ~ N(mu_1, s_1^2) and b ~ N(mu_2, s_2^2) independent, and
 * psi_j(t) = E[(t - y_j)^+] = s_j h((t - mu_j) / s_j) (h of acq.c),
 *
 *   EHVI = sum_i (psi_1(u_i) - psi_1(l_i)) psi_2(h_i)
 *
 * (E[(u - max(a, l))^+] = psi(u) - psi(l) for l < u): exact, in O(n) once
 * the front is sorted (Emmerich et al. 2006 give the same decomposition
 * into cells).  It is summed in logs, each psi through es_log_h, so that
 * it stays finite and ordered far from the front, where EHVI itself
 * underflows (as log EI, Ament et al. 2023).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"

/* Without the spec's `ref:`, the reference point lies this share of the
 * values' range beyond the worst value of each objective. */
#define EHVI_REF_MARGIN 0.1

/* log psi(t) for N(mu, sd^2): log E[(t - Y)^+]. */
static double ehvi_log_psi(double t, double mu, double sd)
{
    if (t == -INFINITY)
        return -INFINITY;
    return log(sd) + es_log_h((t - mu) / sd);
}

/* log(exp(a) - exp(b)) for a >= b. */
static double ehvi_log_diff(double a, double b)
{
    if (b == -INFINITY)
        return a;
    if (!(a > b))
        return -INFINITY;
    return a + log1p(-exp(b - a));
}

/* log(exp(a) + exp(b)). */
static double ehvi_log_add(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    double hi = fmax(a, b), lo = fmin(a, b);
    return hi + log1p(exp(lo - hi));
}

double es_log_ehvi2(const double *front, size_t n, const double *ref, const double *mu,
                    const double *sd)
{
    double s0 = fmax(sd[0], 1e-9), s1 = fmax(sd[1], 1e-9), total = -INFINITY;
    for (size_t i = 0; i <= n; i++) {
        double l = i == 0 ? -INFINITY : front[2 * (i - 1)];
        double u = i == n ? ref[0] : front[2 * i];
        double h = i == 0 ? ref[1] : front[2 * (i - 1) + 1];
        double w = ehvi_log_diff(ehvi_log_psi(u, mu[0], s0), ehvi_log_psi(l, mu[0], s0));
        total = ehvi_log_add(total, w + ehvi_log_psi(h, mu[1], s1));
    }
    return total;
}

static int ehvi_by_first(const void *a, const void *b)
{
    const double *p = a, *q = b;
    if (p[0] != q[0])
        return p[0] < q[0] ? -1 : 1;
    return (p[1] > q[1]) - (p[1] < q[1]);
}

size_t es_ehvi_nondominated(double *pts, size_t n)
{
    qsort(pts, n, 2 * sizeof *pts, ehvi_by_first);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* Sorted by the first coordinate: a point is dominated (or equal)
         * when the last kept one is no worse in the second. */
        if (k > 0 && pts[2 * (k - 1) + 1] <= pts[2 * i + 1])
            continue;
        pts[2 * k] = pts[2 * i];
        pts[2 * k + 1] = pts[2 * i + 1];
        k++;
    }
    return k;
}

int es_ehvi_front(const es_model *m, uint64_t exclude, double **front, size_t *n_front, double *ref)
{
    const es_surrogate *s = m->cols;
    size_t d = es_enc_dims(m->enc), n = 0, np = 0;
    *front = NULL;
    *n_front = 0;
    double *pts = malloc((2 * m->n_obs + 2) * sizeof *pts);
    double *xp = malloc((m->n_obs * d + 1) * sizeof *xp);
    if (pts == NULL || xp == NULL) {
        free(pts);
        free(xp);
        return -ENOMEM;
    }
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t i = 0; i < m->n_obs; i++) {
        const es_obs *o = &m->obs[i];
        if (o->status == ES_OBS_PENDING && o->x_ok && o->index != exclude) {
            memcpy(xp + np++ * d, o->x, d * sizeof *xp);
            continue;
        }
        if (o->status != ES_OBS_COMPLETED)
            continue;
        double y[2];
        for (size_t j = 0; j < 2; j++) {
            double v = es_model_column_value(m, o, j);
            y[j] = isnan(v) ? NAN : es_surrogate_forward(&s[j], v);
        }
        if (isnan(y[0]) || isnan(y[1]))
            continue;
        for (size_t j = 0; j < 2; j++) {
            lo[j] = fmin(lo[j], y[j]);
            hi[j] = fmax(hi[j], y[j]);
        }
        if (m->n_cons == 0 || o->feasible) {
            pts[2 * n] = y[0];
            pts[2 * n + 1] = y[1];
            n++;
        }
    }
    /* The spec's reference where it gives one (the hypervolume the report
     * measures), oriented and carried into the surrogate's coordinates. */
    for (size_t j = 0; j < 2; j++) {
        const es_objective *ob = &m->spec->objectives[j];
        if (ob->has_ref)
            ref[j] = es_surrogate_forward(&s[j], ob->goal == ES_GOAL_MAXIMIZE ? -ob->ref : ob->ref);
        else
            ref[j] = hi[j] > lo[j]     ? hi[j] + EHVI_REF_MARGIN * (hi[j] - lo[j])
                     : isfinite(hi[j]) ? hi[j] + 1.0
                                       : 1.0;
    }
    /* Pending trials as believed (the kriging believer): at their
     * posterior means, on the front like observations, so that a batch
     * does not crowd one gap of it. */
    if (np > 0) {
        size_t w = es_gp_work_size(&s[0].gp) > es_gp_work_size(&s[1].gp)
                       ? es_gp_work_size(&s[0].gp)
                       : es_gp_work_size(&s[1].gp);
        double *mu = malloc((2 * np + w) * sizeof *mu);
        double *grown = realloc(pts, (2 * (n + np) + 2) * sizeof *pts);
        if (mu == NULL || grown == NULL) {
            free(mu);
            free(grown != NULL ? grown : pts);
            free(xp);
            return -ENOMEM;
        }
        pts = grown;
        for (size_t j = 0; j < 2; j++) {
            es_gp_predict(&s[j].gp, xp, np, mu, mu + np, mu + 2 * np);
            for (size_t k = 0; k < np; k++)
                pts[2 * (n + k) + j] = mu[k];
        }
        n += np;
        free(mu);
    }
    free(xp);
    /* Only what lies below the reference counts. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[2 * i] < ref[0] && pts[2 * i + 1] < ref[1]) {
            pts[2 * kept] = pts[2 * i];
            pts[2 * kept + 1] = pts[2 * i + 1];
            kept++;
        }
    *n_front = es_ehvi_nondominated(pts, kept);
    *front = pts;
    return 0;
}
