/*
 * gp.c -- the Gaussian process behind the Bayesian search.
 *
 * Everything is dense and small (the model caps its training sets at a few
 * hundred points), so the linear algebra is written out here: a row-wise
 * Cholesky factorization, triangular solves, and the inverse that the
 * likelihood gradient needs.  Matrices are row-major; loops run along rows so
 * that the inner loops are contiguous.
 *
 * The kernel is Matern 5/2 with one length scale per dimension (ARD):
 *   k(x, x') = sf2 (1 + s + s^2 / 3) exp(-s),  s = sqrt(5) r,
 *   r^2 = sum_t (x_t - x'_t)^2 / l_t^2,
 * and observations carry Gaussian noise sn2.  Hyperparameters are fitted
 * by maximizing the log marginal likelihood
 *   L = -y^T K^-1 y / 2 - log|K| / 2 - n log(2 pi) / 2
 * whose gradient is dL/dtheta = tr((a a^T - K^-1) dK/dtheta) / 2, a = K^-1 y,
 * with, per pair, dk/dlog l_t = sf2 (5/3) (1 + s) e^-s (x_t - x'_t)^2 / l_t^2,
 * dk/dlog sf2 = k and dK/dlog sn2 = sn2 I.  Weak log-normal priors on the
 * length scales and the noise keep fits on a handful of points away from
 * the degenerate corners (all noise, or interpolation with tiny length
 * scales); with more data the likelihood dominates them.
 */
#include "gp.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"
#include "rng.h"

#define GP_SQRT5 2.2360679774997896
#define GP_LOG_2PI 1.8378770664093453

/* Points per block of es_gp_predict: the width of the contiguous rows that
 * the blocked triangular solve sweeps. */
#define GP_BLOCK 16

/* Priors (in theta's logs): length scale median 0.5, noise median 1e-3. */
#define GP_PRIOR_LS_MU (-0.6931471805599453)
#define GP_PRIOR_LS_SD 1.5
#define GP_PRIOR_SN2_MU (-6.907755278982137)
#define GP_PRIOR_SN2_SD 3.0

/* Jitter added on top of the noise, relative to sf2 + sn2: first, each
 * escalation's factor, and the last one tried. */
#define GP_JITTER_FIRST 1e-10
#define GP_JITTER_STEP 10.0
#define GP_JITTER_LAST 1e-4

/* ---- Linear algebra --------------------------------------------------------- */

/* sum_k a[k] b[k] over four interleaved partial sums: without them the sum
 * is one chain of dependent additions, and the compiler may not reorder
 * floating-point additions to break it.  The order is fixed, so results are
 * the same on every run. */
static double gp_dot(const double *a, const double *b, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        s0 += a[k] * b[k];
        s1 += a[k + 1] * b[k + 1];
        s2 += a[k + 2] * b[k + 2];
        s3 += a[k + 3] * b[k + 3];
    }
    for (; k < n; k++)
        s0 += a[k] * b[k];
    return (s0 + s1) + (s2 + s3);
}

/* es_chol from row `from` on, rows above it already factored: each row of
 * L depends only on the rows above it. */
static int gp_chol_rows(double *a, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++) {
        double *ri = a + i * n;
        for (size_t j = 0; j <= i; j++) {
            const double *rj = a + j * n;
            double s = ri[j] - gp_dot(ri, rj, j);
            if (j == i) {
                if (!(s > 0.0) || !isfinite(s))
                    return -1;
                ri[i] = sqrt(s);
            } else {
                ri[j] = s / rj[j];
            }
        }
        for (size_t j = i + 1; j < n; j++)
            ri[j] = 0.0;
    }
    return 0;
}

int es_chol(double *a, size_t n)
{
    return gp_chol_rows(a, n, 0);
}

void es_trsv_lower(const double *l, size_t n, double *b)
{
    for (size_t i = 0; i < n; i++) {
        const double *ri = l + i * n;
        b[i] = (b[i] - gp_dot(ri, b, i)) / ri[i];
    }
}

void es_trsv_lower_t(const double *l, size_t n, double *b)
{
    /* Column i of L^T is row i of L: once b[i] is known, its contribution
     * leaves every earlier unknown, along the contiguous row. */
    for (size_t i = n; i-- > 0;) {
        const double *ri = l + i * n;
        b[i] /= ri[i];
        double bi = b[i];
        for (size_t k = 0; k < i; k++)
            b[k] -= ri[k] * bi;
    }
}

/* ---- Kernel ------------------------------------------------------------------- */

double es_matern52(double r)
{
    double s = GP_SQRT5 * r;
    return (1.0 + s + s * s / 3.0) * exp(-s);
}

static double gp_dist2(const double *a, const double *b, size_t d)
{
    double r2 = 0.0;
    for (size_t t = 0; t < d; t++) {
        double diff = a[t] - b[t];
        r2 += diff * diff;
    }
    return r2;
}

/* Scale x (n x d) by the inverse length scales into xs. */
static void gp_scale(const double *x, size_t n, size_t d, const double *inv_ls, double *xs)
{
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < d; t++)
            xs[i * d + t] = x[i * d + t] * inv_ls[t];
}

/* Fill the lower triangle of kmat with sf2 * matern(xs_i, xs_j) plus `diag`
 * on the diagonal, and factor it, escalating the jitter on failure.  The
 * jitter used goes to *jitter.  0 or -EDOM. */
static int gp_factor_kernel(const double *kf, size_t n, double sn2, double sf2, double *kmat,
                            double *jitter)
{
    for (double j = GP_JITTER_FIRST; j <= GP_JITTER_LAST * 1.0001; j *= GP_JITTER_STEP) {
        double add = sn2 + j * (sf2 + sn2);
        for (size_t r = 0; r < n; r++) {
            memcpy(kmat + r * n, kf + r * n, (r + 1) * sizeof *kmat);
            kmat[r * n + r] = sf2 + add;
        }
        if (es_chol(kmat, n) == 0) {
            *jitter = j * (sf2 + sn2);
            return 0;
        }
    }
    return -EDOM;
}

/* The kernel sf2 matern(|a - b|) of two scaled points; *deriv gets the
 * length-scale derivative factor sf2 (5/3) (1 + s) e^-s. */
static double gp_kernel(const double *a, const double *b, size_t d, double sf2, double *deriv)
{
    double r = sqrt(gp_dist2(a, b, d));
    double s = GP_SQRT5 * r, e = exp(-s);
    *deriv = sf2 * (5.0 / 3.0) * (1.0 + s) * e;
    return sf2 * (1.0 + s + s * s / 3.0) * e;
}

/* The noise-free kernel matrix into the lower triangle of kf, and the
 * length-scale derivative factor of each pair into its strict upper
 * triangle (the likelihood gradient reads it there). */
static void gp_kernel_matrix(const double *xs, size_t n, size_t d, double sf2, double *kf)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            kf[i * n + j] = gp_kernel(xs + i * d, xs + j * d, d, sf2, &kf[j * n + i]);
        kf[i * n + i] = sf2;
    }
}

/* ---- Conditioning and prediction ------------------------------------------------ */

static int gp_reserve(es_gp *gp, size_t n, size_t d)
{
    if (n <= gp->cap_n && d <= gp->cap_d)
        return 0;
    /* A margin, so that a training set growing by one point at a time does
     * not reallocate at every suggestion. */
    size_t cn = n > gp->cap_n ? n + n / 4 + 8 : gp->cap_n, cd = d > gp->cap_d ? d : gp->cap_d;
    double *xs = malloc((cn * cd + 1) * sizeof *xs), *inv = malloc((cd + 1) * sizeof *inv);
    double *l = malloc((cn * cn + 1) * sizeof *l), *a = malloc((cn + 1) * sizeof *a);
    double *kf = malloc((cn * cn + 1) * sizeof *kf);
    if (xs == NULL || inv == NULL || l == NULL || a == NULL || kf == NULL) {
        free(kf);
        free(xs);
        free(inv);
        free(l);
        free(a);
        return -ENOMEM;
    }
    es_gp_free(gp);
    gp->xs = xs;
    gp->inv_ls = inv;
    gp->l = l;
    gp->alpha = a;
    gp->kf = kf;
    gp->cap_n = cn;
    gp->cap_d = cd;
    return 0;
}

void es_gp_free(es_gp *gp)
{
    if (gp == NULL)
        return;
    free(gp->xs);
    free(gp->inv_ls);
    free(gp->l);
    free(gp->alpha);
    free(gp->kf);
    memset(gp, 0, sizeof *gp);
}

/* alpha = (K + noise)^-1 y from the factor. */
static void gp_solve_alpha(es_gp *gp, const double *y)
{
    memcpy(gp->alpha, y, gp->n * sizeof *y);
    es_trsv_lower(gp->l, gp->n, gp->alpha);
    es_trsv_lower_t(gp->l, gp->n, gp->alpha);
}

int es_gp_factor(es_gp *gp, const double *x, const double *y, size_t n, size_t d,
                 const double *theta)
{
    int rc = gp_reserve(gp, n, d);
    if (rc != 0)
        return rc;
    gp->ok = 0;
    gp->n = n;
    gp->d = d;
    for (size_t t = 0; t < d; t++)
        gp->inv_ls[t] = exp(-theta[t]);
    gp->sf2 = exp(theta[d]);
    gp->sn2 = exp(theta[d + 1]);
    gp_scale(x, n, d, gp->inv_ls, gp->xs);

    gp_kernel_matrix(gp->xs, n, d, gp->sf2, gp->kf);
    rc = gp_factor_kernel(gp->kf, n, gp->sn2, gp->sf2, gp->l, &gp->jitter);
    if (rc != 0)
        return rc;
    gp_solve_alpha(gp, y);
    gp->ok = 1;
    return 0;
}

/* gp holds a factorization under theta whose scaled rows are those of the
 * first gp->n rows of x. */
static int gp_prefix_same(const es_gp *gp, const double *x, size_t n, size_t d, const double *theta)
{
    if (!gp->ok || gp->n == 0 || gp->n > n || n > gp->cap_n || d != gp->d ||
        gp->sf2 != exp(theta[d]) || gp->sn2 != exp(theta[d + 1]))
        return 0;
    for (size_t t = 0; t < d; t++)
        if (gp->inv_ls[t] != exp(-theta[t]))
            return 0;
    for (size_t i = 0; i < gp->n * d; i++)
        if (x[i] * gp->inv_ls[i % d] != gp->xs[i])
            return 0;
    return 1;
}

int es_gp_refactor(es_gp *gp, const double *x, const double *y, size_t n, size_t d,
                   const double *theta)
{
    if (!gp_prefix_same(gp, x, n, d, theta))
        return es_gp_factor(gp, x, y, n, d, theta);
    size_t k = gp->n;
    /* The factor's rows at the new stride (the last first: they move
     * furthest), their strict upper part zero as es_chol leaves it. */
    for (size_t i = k; i-- > 1;)
        memmove(gp->l + i * n, gp->l + i * k, (i + 1) * sizeof *gp->l);
    for (size_t i = 0; i < k; i++)
        memset(gp->l + i * n + i + 1, 0, (n - i - 1) * sizeof *gp->l);
    /* The new rows as es_gp_factor builds them, with the jitter the first
     * rows took (any smaller one failed on those rows already). */
    double add = gp->sn2 + gp->jitter, deriv;
    for (size_t i = k; i < n; i++) {
        for (size_t t = 0; t < d; t++)
            gp->xs[i * d + t] = x[i * d + t] * gp->inv_ls[t];
        for (size_t j = 0; j < i; j++)
            gp->l[i * n + j] = gp_kernel(gp->xs + i * d, gp->xs + j * d, d, gp->sf2, &deriv);
        gp->l[i * n + i] = gp->sf2 + add;
    }
    gp->n = n;
    if (gp_chol_rows(gp->l, n, k) != 0) /* the new rows need more: start over, escalating */
        return es_gp_factor(gp, x, y, n, d, theta);
    gp_solve_alpha(gp, y);
    return 0;
}

size_t es_gp_work_size(const es_gp *gp)
{
    return gp->n * GP_BLOCK + gp->d + 1;
}

/* The posterior mean at one point xs (already divided by the length
 * scales): k(X, x)^T alpha, each k(X_i, x) into v[i * stride] when v is
 * not NULL. */
static double gp_row(const es_gp *gp, const double *xs, double *v, size_t stride)
{
    size_t n = gp->n, d = gp->d;
    double mu = 0.0;
    for (size_t i = 0; i < n; i++) {
        double k = gp->sf2 * es_matern52(sqrt(gp_dist2(gp->xs + i * d, xs, d)));
        if (v != NULL)
            v[i * stride] = k;
        mu += k * gp->alpha[i];
    }
    return mu;
}

void es_gp_predict_mean(const es_gp *gp, const double *xstar, size_t m, double *mean, double *work)
{
    for (size_t p = 0; p < m; p++) {
        for (size_t t = 0; t < gp->d; t++)
            work[t] = xstar[p * gp->d + t] * gp->inv_ls[t];
        mean[p] = gp_row(gp, work, NULL, 0);
    }
}

void es_gp_predict(const es_gp *gp, const double *xstar, size_t m, double *mean, double *var,
                   double *work)
{
    size_t n = gp->n, d = gp->d;
    double *v = work, *xs = work + n * GP_BLOCK;

    if (m == 1) {
        /* One point (the polishing optimizers ask one at a time): a plain
         * triangular solve, without a block's worth of empty columns. */
        for (size_t t = 0; t < d; t++)
            xs[t] = xstar[t] * gp->inv_ls[t];
        double mu = gp_row(gp, xs, v, 1), s = 0.0;
        es_trsv_lower(gp->l, n, v);
        for (size_t i = 0; i < n; i++)
            s += v[i] * v[i];
        mean[0] = mu;
        var[0] = gp->sf2 - s > 1e-12 * gp->sf2 ? gp->sf2 - s : 1e-12 * gp->sf2;
        return;
    }
    for (size_t b0 = 0; b0 < m; b0 += GP_BLOCK) {
        size_t nb = m - b0 < GP_BLOCK ? m - b0 : GP_BLOCK;
        /* Column p of v: k(X, x*_p); unused columns are zero. */
        for (size_t p = 0; p < GP_BLOCK; p++) {
            if (p >= nb) {
                for (size_t i = 0; i < n; i++)
                    v[i * GP_BLOCK + p] = 0.0;
                continue;
            }
            const double *xp = xstar + (b0 + p) * d;
            for (size_t t = 0; t < d; t++)
                xs[t] = xp[t] * gp->inv_ls[t];
            mean[b0 + p] = gp_row(gp, xs, v + p, GP_BLOCK);
        }
        /* v <- L^-1 v, one row of GP_BLOCK columns at a time. */
        for (size_t i = 0; i < n; i++) {
            const double *li = gp->l + i * n;
            double *vi = v + i * GP_BLOCK;
            for (size_t k = 0; k < i; k++) {
                const double lik = li[k], *vk = v + k * GP_BLOCK;
                for (size_t p = 0; p < GP_BLOCK; p++)
                    vi[p] -= lik * vk[p];
            }
            double inv = 1.0 / li[i];
            for (size_t p = 0; p < GP_BLOCK; p++)
                vi[p] *= inv;
        }
        for (size_t p = 0; p < nb; p++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += v[i * GP_BLOCK + p] * v[i * GP_BLOCK + p];
            double q = gp->sf2 - s;
            var[b0 + p] = q > 1e-12 * gp->sf2 ? q : 1e-12 * gp->sf2;
        }
    }
}

/* ---- Likelihood ------------------------------------------------------------------ */

/* Scratch for one likelihood evaluation of n points in d dims. */
typedef struct gp_work {
    size_t n, d;
    double *xs, *kf, *l, *m, *kinv, *a, *inv_ls;
} gp_work;

static void gp_work_free(gp_work *w)
{
    free(w->xs);
    free(w->kf);
    free(w->l);
    free(w->m);
    free(w->kinv);
    free(w->a);
    free(w->inv_ls);
    memset(w, 0, sizeof *w);
}

static int gp_work_init(gp_work *w, size_t n, size_t d)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->d = d;
    w->xs = malloc((n * d + 1) * sizeof *w->xs);
    w->kf = malloc((n * n + 1) * sizeof *w->kf);
    w->l = malloc((n * n + 1) * sizeof *w->l);
    w->m = malloc((n * n + 1) * sizeof *w->m);
    w->kinv = malloc((n * n + 1) * sizeof *w->kinv);
    w->a = malloc((n + 1) * sizeof *w->a);
    w->inv_ls = malloc((d + 1) * sizeof *w->inv_ls);
    if (!w->xs || !w->kf || !w->l || !w->m || !w->kinv || !w->a || !w->inv_ls) {
        gp_work_free(w);
        return -ENOMEM;
    }
    return 0;
}

/* K^-1 from its Cholesky factor l: m = L^-1 row by row, then
 * K^-1 = m^T m accumulated one row of m at a time (lower triangle). */
static void gp_chol_inverse(const double *l, size_t n, double *m, double *kinv)
{
    for (size_t i = 0; i < n; i++) {
        double *mi = m + i * n;
        const double *li = l + i * n;
        memset(mi, 0, n * sizeof *mi);
        mi[i] = 1.0;
        for (size_t k = 0; k < i; k++) {
            const double lik = li[k], *mk = m + k * n;
            for (size_t j = 0; j <= k; j++)
                mi[j] -= lik * mk[j];
        }
        double inv = 1.0 / li[i];
        for (size_t j = 0; j <= i; j++)
            mi[j] *= inv;
    }
    memset(kinv, 0, n * n * sizeof *kinv);
    for (size_t k = 0; k < n; k++) {
        const double *mk = m + k * n;
        for (size_t i = 0; i <= k; i++) {
            double mki = mk[i];
            double *ki = kinv + i * n;
            for (size_t j = 0; j <= i; j++)
                ki[j] += mki * mk[j];
        }
    }
}

static double gp_lml_work(gp_work *w, const double *x, const double *y, const double *theta,
                          double *grad)
{
    size_t n = w->n, d = w->d;
    double sf2 = exp(theta[d]), sn2 = exp(theta[d + 1]), jitter;

    if (grad != NULL)
        memset(grad, 0, (d + 2) * sizeof *grad);
    for (size_t t = 0; t < d; t++)
        w->inv_ls[t] = exp(-theta[t]);
    gp_scale(x, n, d, w->inv_ls, w->xs);
    gp_kernel_matrix(w->xs, n, d, sf2, w->kf);
    if (gp_factor_kernel(w->kf, n, sn2, sf2, w->l, &jitter) != 0)
        return -INFINITY;

    memcpy(w->a, y, n * sizeof *y);
    es_trsv_lower(w->l, n, w->a);
    double fit = 0.0, logdet = 0.0;
    for (size_t i = 0; i < n; i++) {
        fit += w->a[i] * w->a[i]; /* y^T K^-1 y = |L^-1 y|^2 */
        logdet += log(w->l[i * n + i]);
    }
    es_trsv_lower_t(w->l, n, w->a);
    double lml = -0.5 * fit - logdet - 0.5 * (double)n * GP_LOG_2PI;
    if (grad == NULL)
        return lml;

    gp_chol_inverse(w->l, n, w->m, w->kinv);
    double trace_w = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *xi = w->xs + i * d;
        for (size_t j = 0; j < i; j++) {
            double wij = w->a[i] * w->a[j] - w->kinv[i * n + j];
            double g = wij * w->kf[j * n + i];
            const double *xj = w->xs + j * d;
            for (size_t t = 0; t < d; t++) {
                double diff = xi[t] - xj[t];
                grad[t] += g * diff * diff;
            }
            grad[d] += wij * w->kf[i * n + j];
        }
        trace_w += w->a[i] * w->a[i] - w->kinv[i * n + i];
    }
    /* Off-diagonal pairs were summed once each: the factor 1/2 of the trace
     * formula and the factor 2 of symmetry cancel.  The diagonal of dK/dlog
     * sf2 is sf2 (the jitter is held fixed). */
    grad[d] += 0.5 * sf2 * trace_w;
    grad[d + 1] = 0.5 * sn2 * trace_w;
    return lml;
}

double es_gp_lml(const double *x, const double *y, size_t n, size_t d, const double *theta,
                 double *grad)
{
    gp_work w;
    if (gp_work_init(&w, n, d) != 0) {
        if (grad != NULL)
            memset(grad, 0, (d + 2) * sizeof *grad);
        return -INFINITY;
    }
    double lml = gp_lml_work(&w, x, y, theta, grad);
    gp_work_free(&w);
    return lml;
}

/* ---- Fitting ------------------------------------------------------------------------ */

void es_gp_theta_default(size_t d, double *theta)
{
    for (size_t t = 0; t < d; t++)
        theta[t] = GP_PRIOR_LS_MU;
    theta[d] = 0.0;
    theta[d + 1] = GP_PRIOR_SN2_MU;
}

typedef struct gp_fit_ctx {
    gp_work w;
    const double *x, *y;
} gp_fit_ctx;

/* What L-BFGS minimizes: minus (log likelihood + log prior). */
static double gp_fit_objective(unsigned nt, const double *theta, double *grad, void *data)
{
    gp_fit_ctx *c = data;
    size_t d = c->w.d;
    double lml = gp_lml_work(&c->w, c->x, c->y, theta, grad);
    if (!isfinite(lml)) {
        if (grad != NULL)
            memset(grad, 0, nt * sizeof *grad);
        return 1e300;
    }
    double lp = 0.0;
    for (size_t t = 0; t < d; t++) {
        double z = (theta[t] - GP_PRIOR_LS_MU) / GP_PRIOR_LS_SD;
        lp -= 0.5 * z * z;
        if (grad != NULL)
            grad[t] -= z / GP_PRIOR_LS_SD;
    }
    double z = (theta[d + 1] - GP_PRIOR_SN2_MU) / GP_PRIOR_SN2_SD;
    lp -= 0.5 * z * z;
    if (grad != NULL) {
        grad[d + 1] -= z / GP_PRIOR_SN2_SD;
        for (unsigned t = 0; t < nt; t++)
            grad[t] = -grad[t];
    }
    return -(lml + lp);
}

static void gp_bounds(size_t d, double *lb, double *ub)
{
    for (size_t t = 0; t < d; t++) {
        lb[t] = ES_GP_LOG_LS_MIN;
        ub[t] = ES_GP_LOG_LS_MAX;
    }
    lb[d] = ES_GP_LOG_SF2_MIN;
    ub[d] = ES_GP_LOG_SF2_MAX;
    lb[d + 1] = ES_GP_LOG_SN2_MIN;
    ub[d + 1] = ES_GP_LOG_SN2_MAX;
}

int es_gp_fit(const double *x, const double *y, size_t n, size_t d, double *theta, uint64_t seed,
              uint64_t stream, int from_default, int n_random, int maxeval)
{
    size_t nt = d + 2;
    gp_fit_ctx c = {.x = x, .y = y};
    double *buf = malloc(4 * nt * sizeof *buf);
    if (buf == NULL || gp_work_init(&c.w, n, d) != 0) {
        free(buf);
        return -ENOMEM;
    }
    double *lb = buf, *ub = buf + nt, *start = buf + 2 * nt, *best = buf + 3 * nt;
    gp_bounds(d, lb, ub);
    es_rng rng;
    es_rng_seed_stream(&rng, seed, stream);

    double best_f = INFINITY;
    memcpy(best, theta, nt * sizeof *best);
    int rc = 0;
    for (int s = 0; s < 2 + n_random; s++) {
        if (s == 1 && !from_default)
            continue;
        if (s == 0) {
            memcpy(start, theta, nt * sizeof *start);
        } else if (s == 1) {
            es_gp_theta_default(d, start);
        } else {
            for (size_t t = 0; t < d; t++)
                start[t] = log(0.05) + (log(2.0) - log(0.05)) * es_rng_uniform(&rng);
            start[d] = log(0.3) + (log(3.0) - log(0.3)) * es_rng_uniform(&rng);
            start[d + 1] = log(1e-6) + (log(1e-1) - log(1e-6)) * es_rng_uniform(&rng);
        }
        for (size_t t = 0; t < nt; t++)
            start[t] = fmin(fmax(start[t], lb[t]), ub[t]);
        es_opt o = {.algo = ES_OPT_LBFGS,
                    .n = (unsigned)nt,
                    .lb = lb,
                    .ub = ub,
                    .f = gp_fit_objective,
                    .f_data = &c,
                    .maxeval = maxeval,
                    .xtol_rel = 1e-4};
        double fx;
        rc = es_opt_minimize(&o, start, &fx);
        if (rc == -ENOMEM)
            break;
        rc = 0;
        if (fx < best_f) {
            best_f = fx;
            memcpy(best, start, nt * sizeof *best);
        }
    }
    if (rc == 0 && isfinite(best_f) && best_f < 1e300)
        memcpy(theta, best, nt * sizeof *theta);
    gp_work_free(&c.w);
    free(buf);
    return rc;
}
