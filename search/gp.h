/*
 * gp.h -- the Gaussian-process surrogate of the Bayesian search: a small
 * dense linear algebra kit (Cholesky with escalating jitter, triangular
 * solves), a zero-mean GP with a Matern 5/2 ARD kernel, its exact log
 * marginal likelihood with the analytic gradient, and the fit of its
 * hyperparameters (several L-BFGS starts through optim.c).
 *
 * Inputs live in the unit cube of encode.c and targets are standardized by
 * the caller (mean 0, sd 1), so the bounds and priors below are in those
 * units.  Hyperparameters travel as one vector theta of d + 2 logs:
 *   theta[0 .. d-1]  log length scale of each input dimension
 *   theta[d]         log signal variance  (sf2)
 *   theta[d + 1]     log noise variance   (sn2)
 *
 * Internal to search/ (and its unit tests); nothing here is in search.h.
 * Ownership: an es_gp is embedded by its user, starts zeroed, is freed with
 * es_gp_free(); es_gp_factor() may be called on it again and again and
 * reuses its buffers.
 */
#ifndef ES_GP_H
#define ES_GP_H

#include <stddef.h>
#include <stdint.h>

/* Bounds of theta, in natural logs of the quantities named. */
#define ES_GP_LOG_LS_MIN (-4.605170185988091) /* length scale 0.01 */
#define ES_GP_LOG_LS_MAX (4.605170185988091)  /* length scale 100 */
#define ES_GP_LOG_SF2_MIN (-4.605170185988091)
#define ES_GP_LOG_SF2_MAX (4.605170185988091)
#define ES_GP_LOG_SN2_MIN (-13.815510557964274) /* noise variance 1e-6 */
#define ES_GP_LOG_SN2_MAX (0.0)

/* ---- Linear algebra (row-major n x n, lower triangle used) --------------- */

/* In-place Cholesky factorization A = L L^T of a symmetric matrix whose lower
 * triangle is filled; the strict upper triangle is zeroed.  0, or -1 when A is
 * not numerically positive definite (A is then garbage). */
int es_chol(double *a, size_t n);
/* Solve L x = b in place (b becomes x). */
void es_trsv_lower(const double *l, size_t n, double *b);
/* Solve L^T x = b in place. */
void es_trsv_lower_t(const double *l, size_t n, double *b);

/* ---- The surrogate -------------------------------------------------------- */

typedef struct es_gp {
    size_t n, d;
    double sf2, sn2, jitter; /* jitter: what the Cholesky needed on top of sn2 */
    double *xs;              /* n x d training inputs divided by the length scales */
    double *inv_ls;          /* d inverse length scales */
    double *l;               /* n x n Cholesky factor of K + (sn2 + jitter) I */
    double *alpha;           /* (K + (sn2 + jitter) I)^-1 y */
    double *kf;              /* scratch: the noise-free kernel matrix */
    size_t cap_n, cap_d;     /* what the buffers hold */
    int ok;                  /* l and alpha hold a factorization of n rows */
} es_gp;

/* The Matern 5/2 correlation at scaled distance r: (1 + s + s^2/3) e^-s,
 * s = sqrt(5) r. */
double es_matern52(double r);

/* Condition gp on n points x (n x d, row-major) with targets y under theta.
 * Tries jitter 1e-10 (relative to sf2 + sn2), ten times more at each failure
 * up to 1e-4.  0, -ENOMEM, or -EDOM when even the largest jitter fails. */
int es_gp_factor(es_gp *gp, const double *x, const double *y, size_t n, size_t d,
                 const double *theta);

/* The same as es_gp_factor, to the bit, in O(n^2) per new row when gp was
 * last factored under the same theta on points that are the first rows of
 * x: only the new rows of the kernel and of its Cholesky factor are
 * computed (a row of the factor depends only on the rows above it).
 * Otherwise (other points first, another theta, buffers too small) it is
 * es_gp_factor.  The targets y may all differ. */
int es_gp_refactor(es_gp *gp, const double *x, const double *y, size_t n, size_t d,
                   const double *theta);

/* Posterior of the latent function at m points xstar (m x d): mean[i] and
 * var[i] (without the noise; add gp->sn2 for a new observation).  work
 * holds at least es_gp_work_size(gp) doubles.  Points are processed in
 * blocks so that the triangular solves run over contiguous rows. */
void es_gp_predict(const es_gp *gp, const double *xstar, size_t m, double *mean /* OUT */,
                   double *var /* OUT */, double *work);
size_t es_gp_work_size(const es_gp *gp);
/* The posterior mean alone (the same numbers as es_gp_predict's), in O(n)
 * a point rather than O(n^2); work holds d doubles. */
void es_gp_predict_mean(const es_gp *gp, const double *xstar, size_t m, double *mean /* OUT */,
                        double *work);

void es_gp_free(es_gp *gp);

/* The exact log marginal likelihood of y (n points in d dims) under theta,
 * log p(y | X, theta) = -y^T a / 2 - sum log L_ii - n log(2 pi) / 2, and
 * its gradient with respect to theta in grad (d + 2 entries; NULL when not
 * wanted).  -INFINITY when the kernel matrix cannot be factored, or on
 * -ENOMEM (grad then zero). */
double es_gp_lml(const double *x, const double *y, size_t n, size_t d, const double *theta,
                 double *grad /* OUT */);

/* The theta every fit starts from when nothing better is known: length
 * scales 0.5, signal variance 1, noise variance 1e-3. */
void es_gp_theta_default(size_t d, double *theta /* OUT */);

/* Fit theta by maximizing the log marginal likelihood plus weak log-normal
 * priors (length scales around 0.5, noise around 1e-3, both wide) with
 * NLopt's L-BFGS on theta within the bounds above.  Starts: theta as passed
 * (a warm start), the default when from_default is set, and n_random draws
 * from a stream seeded by (seed, stream).  Each start gets maxeval
 * evaluations; the best end point is written back to theta.  0 or -ENOMEM
 * (theta unchanged). */
int es_gp_fit(const double *x, const double *y, size_t n, size_t d, double *theta /* IN/OUT */,
              uint64_t seed, uint64_t stream, int from_default, int n_random, int maxeval);

#endif
