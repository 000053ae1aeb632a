/*
 * ehvi.c -- expected hypervolume improvement of two or three objectives,
 * each with a surrogate of its own (model.c's columns).
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
 *
 * Three objectives: the region the front leaves undominated below r is cut
 * into boxes on the grid of the front's first two coordinates.  The cell
 * [c1_i, c1_{i+1}) x [c2_j, c2_{j+1}) is undominated below
 * h_ij = min {y_3 : y_1 <= c1_i, y_2 <= c2_j} (r_3 if none), so with the
 * cells of one strip i that share h merged into [c2_j0, c2_j1),
 *
 *   EHVI = sum_boxes (psi_1(c1_{i+1}) - psi_1(c1_i))
 *                    (psi_2(c2_j1) - psi_2(c2_j0)) psi_3(h)
 *
 * (the three factors of the box's volume above the point are independent).
 * There are O(n^2) boxes; es_ehvi3_init builds them once per front, and
 * each evaluation takes one log psi per grid coordinate and one sum per
 * box.
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

/* Points of 2 compare lexicographically. */
static int ehvi_by_first2(const void *a, const void *b)
{
    const double *p = a, *q = b;
    for (size_t j = 0; j < 2; j++)
        if (p[j] != q[j])
            return p[j] < q[j] ? -1 : 1;
    return 0;
}

/* Points of 3 compare lexicographically. */
static int ehvi_by_first3(const void *a, const void *b)
{
    const double *p = a, *q = b;
    for (size_t j = 0; j < 3; j++)
        if (p[j] != q[j])
            return p[j] < q[j] ? -1 : 1;
    return 0;
}

size_t es_ehvi_nondominated(double *pts, size_t n, size_t k)
{
    qsort(pts, n, k * sizeof *pts, k == 2 ? ehvi_by_first2 : ehvi_by_first3);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = pts + k * i;
        int beaten = 0;
        if (k == 2) {
            /* Sorted by the first coordinate: a point is dominated (or
             * equal) when the last kept one is no worse in the second. */
            beaten = kept > 0 && pts[2 * (kept - 1) + 1] <= p[1];
        } else {
            /* Lexicographic order: only a kept point can beat a later
             * one, and it does when no worse in the last two. */
            for (size_t q = 0; q < kept && !beaten; q++)
                beaten = pts[3 * q + 1] <= p[1] && pts[3 * q + 2] <= p[2];
        }
        if (beaten)
            continue;
        memmove(pts + k * kept, p, k * sizeof *pts);
        kept++;
    }
    return kept;
}

static int ehvi_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct values v[0..n) of coordinate j of the n points of 3,
 * written to out; returns how many. */
static size_t ehvi_coords(const double *front, size_t n, size_t j, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = front[3 * i + j];
    qsort(out, n, sizeof *out, ehvi_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[k - 1] != out[i])
            out[k++] = out[i];
    return k;
}

/* The index of v in the sorted distinct c[0..n). */
static size_t ehvi_find(const double *c, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int es_ehvi3_init(es_ehvi3 *e, const double *front, size_t n, const double *ref)
{
    memset(e, 0, sizeof *e);
    /* Boundaries: c1[0] = -inf, the distinct first coordinates, r_1. */
    double *c = malloc((3 * (n + 2)) * sizeof *c);
    if (c == NULL)
        return -ENOMEM;
    e->c1 = c;
    e->c2 = c + n + 2;
    e->c3 = c + 2 * (n + 2);
    size_t u1 = ehvi_coords(front, n, 0, e->c1 + 1), u2 = ehvi_coords(front, n, 1, e->c2 + 1);
    size_t u3 = ehvi_coords(front, n, 2, e->c3);
    e->c1[0] = e->c2[0] = -INFINITY;
    e->c1[u1 + 1] = ref[0];
    e->c2[u2 + 1] = ref[1];
    e->c3[u3] = ref[2];
    e->n1 = u1 + 1;
    e->n2 = u2 + 1;
    e->n3 = u3 + 1;
    /* h over the cells (indices into c3), row by row: the points with
     * y_1 <= c1_i, y_2 <= c2_j are those of the cell's left and lower
     * neighbours and those at exactly (c1_i, c2_j). */
    size_t cells = e->n1 * e->n2;
    size_t *h = malloc((cells + 1) * sizeof *h);
    e->box = malloc((cells + 1) * sizeof *e->box);
    e->work = malloc((e->n1 + 1 + e->n2 + 1 + e->n3 + e->n1) * sizeof *e->work);
    if (h == NULL || e->box == NULL || e->work == NULL) {
        free(h);
        es_ehvi3_free(e);
        return -ENOMEM;
    }
    for (size_t q = 0; q < cells; q++)
        h[q] = u3; /* r_3 */
    for (size_t p = 0; p < n; p++) {
        size_t i = ehvi_find(e->c1, e->n1, front[3 * p]);
        size_t j = ehvi_find(e->c2, e->n2, front[3 * p + 1]);
        size_t z = ehvi_find(e->c3, u3, front[3 * p + 2]);
        if (z < h[i * e->n2 + j])
            h[i * e->n2 + j] = z;
    }
    for (size_t i = 1; i < e->n1; i++)
        for (size_t j = 1; j < e->n2; j++) {
            size_t *v = &h[i * e->n2 + j], l = h[(i - 1) * e->n2 + j], d = h[i * e->n2 + j - 1];
            *v = *v < l ? (*v < d ? *v : d) : (l < d ? l : d);
        }
    for (size_t i = 0; i < e->n1; i++)
        for (size_t j = 0; j < e->n2;) {
            size_t j1 = j + 1;
            while (j1 < e->n2 && h[i * e->n2 + j1] == h[i * e->n2 + j])
                j1++;
            e->box[e->n_box++] = (es_ehvi_box){.i = i, .j0 = j, .j1 = j1, .h = h[i * e->n2 + j]};
            j = j1;
        }
    free(h);
    return 0;
}

void es_ehvi3_free(es_ehvi3 *e)
{
    free(e->c1);
    free(e->box);
    free(e->work);
    memset(e, 0, sizeof *e);
}

double es_log_ehvi3(es_ehvi3 *e, const double *mu, const double *sd)
{
    double s0 = fmax(sd[0], 1e-9), s1 = fmax(sd[1], 1e-9), s2 = fmax(sd[2], 1e-9);
    double *p2 = e->work, *p3 = p2 + e->n2 + 1, *d1 = p3 + e->n3;
    double prev = ehvi_log_psi(e->c1[0], mu[0], s0);
    for (size_t i = 0; i < e->n1; i++) {
        double next = ehvi_log_psi(e->c1[i + 1], mu[0], s0);
        d1[i] = ehvi_log_diff(next, prev);
        prev = next;
    }
    for (size_t j = 0; j <= e->n2; j++)
        p2[j] = ehvi_log_psi(e->c2[j], mu[1], s1);
    for (size_t z = 0; z < e->n3; z++)
        p3[z] = ehvi_log_psi(e->c3[z], mu[2], s2);
    double total = -INFINITY;
    for (size_t b = 0; b < e->n_box; b++) {
        const es_ehvi_box *x = &e->box[b];
        if (d1[x->i] == -INFINITY)
            continue;
        double w = d1[x->i] + ehvi_log_diff(p2[x->j1], p2[x->j0]) + p3[x->h];
        total = ehvi_log_add(total, w);
    }
    return total;
}

int es_ehvi_front(const es_model *m, uint64_t exclude, double **front, size_t *n_front, double *ref)
{
    const es_surrogate *s = m->cols;
    size_t d = es_enc_dims(m->enc), n = 0, np = 0, k = m->n_cols;
    *front = NULL;
    *n_front = 0;
    double *pts = malloc((k * m->n_obs + k) * sizeof *pts);
    double *xp = malloc((m->n_obs * d + 1) * sizeof *xp);
    if (pts == NULL || xp == NULL) {
        free(pts);
        free(xp);
        return -ENOMEM;
    }
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < m->n_obs; i++) {
        const es_obs *o = &m->obs[i];
        if (o->status == ES_OBS_PENDING && o->x_ok && o->index != exclude) {
            memcpy(xp + np++ * d, o->x, d * sizeof *xp);
            continue;
        }
        if (o->status != ES_OBS_COMPLETED)
            continue;
        double y[3];
        int ok = 1;
        for (size_t j = 0; j < k; j++) {
            double v = es_model_column_value(m, o, j);
            y[j] = isnan(v) ? NAN : es_surrogate_forward(&s[j], v);
            ok &= !isnan(y[j]);
        }
        if (!ok)
            continue;
        for (size_t j = 0; j < k; j++) {
            lo[j] = fmin(lo[j], y[j]);
            hi[j] = fmax(hi[j], y[j]);
        }
        if (m->n_cons == 0 || o->feasible) {
            memcpy(pts + k * n, y, k * sizeof *pts);
            n++;
        }
    }
    /* The spec's reference where it gives one (the hypervolume the report
     * measures), oriented and carried into the surrogate's coordinates. */
    for (size_t j = 0; j < k; j++) {
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
        size_t w = 1;
        for (size_t j = 0; j < k; j++)
            if (es_gp_work_size(&s[j].gp) > w)
                w = es_gp_work_size(&s[j].gp);
        double *mu = malloc((2 * np + w) * sizeof *mu);
        double *grown = realloc(pts, (k * (n + np) + k) * sizeof *pts);
        if (mu == NULL || grown == NULL) {
            free(mu);
            free(grown != NULL ? grown : pts);
            free(xp);
            return -ENOMEM;
        }
        pts = grown;
        for (size_t j = 0; j < k; j++) {
            es_gp_predict(&s[j].gp, xp, np, mu, mu + np, mu + 2 * np);
            for (size_t q = 0; q < np; q++)
                pts[k * (n + q) + j] = mu[q];
        }
        n += np;
        free(mu);
    }
    free(xp);
    /* Only what lies below the reference counts. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int below = 1;
        for (size_t j = 0; j < k; j++)
            below &= pts[k * i + j] < ref[j];
        if (below)
            memmove(pts + k * kept++, pts + k * i, k * sizeof *pts);
    }
    *n_front = es_ehvi_nondominated(pts, kept, k);
    *front = pts;
    return 0;
}
