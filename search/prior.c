/*
 * prior.c -- warm start: what earlier sweeps of the same program teach the
 * objective surrogate, before and while this sweep runs.
 *
 * The caller (the coordinator, through es_search_warm) hands over the
 * completed trials of earlier sweeps, each sweep a group, with the
 * parameters of this spec that sweep knew (a sweep that lacked one, or
 * searched one that is a constant here, gives what it can: its rows are
 * placed on the dimensions it knew).  Nothing of them is a result of this
 * sweep: they are prior data.
 *
 *  - Each group gets a GP of its own, on its own dimensions, fitted once
 *    to its targets transformed as the objective's are (es_surrogate_
 *    standardize: robust scale, Yeo-Johnson warp, the worst at 0), so that
 *    a sweep whose values were ten times larger, or offset, is on the
 *    same footing as one that was not.
 *  - The objective surrogate's prior mean is then a + sum_g b_g mu_g(x)
 *    instead of the worst value: its GP learns the residual of this sweep's
 *    targets from it.  a and b are learnt from this sweep's own trials,
 *    every time its training set is built, by ridge regression of its
 *    targets on the groups' predictions at them: b_g shrunk toward 1/G
 *    (the earlier sweeps, taken together, are the same function) with the
 *    weight of PRIOR_RIDGE observations, and never negative.  That is the
 *    guard against negative transfer: when this sweep's results disagree
 *    with what an earlier sweep predicts at them, its b_g falls, to 0 when
 *    they run against it, and the surrogate is the cold one again.
 *  - The energy surrogate (model.c) learns the earlier energies: at most
 *    ES_MODEL_PRIOR_ENERGY rows of the groups that knew every dimension,
 *    by a stride, before its own rows, so that a budget is judged from the
 *    first suggestion (es_model_prior_energy); shifted, once this sweep
 *    has energies of its own, by their mean log distance from what a GP
 *    of the earlier rows predicts there (es_model_prior_energy_shift).
 *    Pooled as they were, a program made 20 times slower since stayed
 *    forecast at its old cost and a 20 J budget was overshot by 43 J.
 *  - The first two trials of the initial design (BAYES_WARM_DESIGN,
 *    bayes.c) are the best configurations of the earlier sweeps (one per
 *    group in turn, on the dimensions each knew; the design's own point
 *    elsewhere), and the design is half as long: the surrogate has
 *    something to go on from the start.
 *
 * Measured (tests/bench/run_warm_bench.sh: 25 problems, 10 seeds, a sweep
 * of 60 after one of 40), as the energy to reach what a cold sweep reached
 * after 10 / 20 / 40 trials, geometric mean of its ratio to the cold
 * sweep's: 0.13 / 0.34 / 0.68 after a related sweep (moved optimum,
 * rescaled values), 0.72 / 0.98 / 1.02 after an unrelated one, 1.14 /
 * 1.22 / 1.17 after a misleading one (-f).  Ridge weights of 1 and 10
 * observations instead of 3, one or four design trials instead of two,
 * the full design, a design of 3, and a trust region starting at a side of
 * 0.2 or 0.4 instead of 0.8 were all within the seeds' noise of these.
 * Everything is deterministic in the search's seed and the rows as
 * given.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"

/* Groups at most (earlier sweeps; the caller picks the most recent). */
#define PRIOR_GROUPS_MAX ES_SEARCH_WARM_GROUPS
/* A group's GP conditions on at most PRIOR_ROWS_TOTAL / groups of its
 * rows (at least PRIOR_ROWS_MIN), and its hyperparameters are fitted on
 * at most PRIOR_FIT_MAX of those: in each case its best 40%, then an even
 * stride through the rest.  Seven earlier sweeps of 1,500 trials took 18 s
 * before the first trial and 0.5 s a suggestion when every row counted. */
#define PRIOR_ROWS_TOTAL 400
#define PRIOR_ROWS_MIN 50
#define PRIOR_FIT_MAX 100
/* The ridge's weight, in observations of this sweep. */
#define PRIOR_RIDGE 3.0
/* Predictions are made in blocks of this many points. */
#define PRIOR_BLOCK 64
/* The stream the groups' fits draw their random starts from. */
#define PRIOR_STREAM (UINT64_C(0x5052494f52) << 24)

typedef struct prior_group {
    unsigned char *known; /* n_params: the parameters its rows give */
    size_t *dim, dg;      /* the dimensions of x those are, how many */
    double *x, *y, *e;    /* n rows of x (d, unknown dimensions 0), targets and joules */
    size_t n, cap;
    size_t *order; /* rows by target, best first (after the fit) */
    double *theta;
    es_gp gp;
    int ok; /* gp factored */
} prior_group;

struct es_prior {
    size_t d, np;
    prior_group g[PRIOR_GROUPS_MAX];
    size_t n_groups;
    int fitted, active;
    double a, b[PRIOR_GROUPS_MAX]; /* coefficients of the latest training set */
    double *buf;                   /* prediction scratch */
    double *pm, *res;              /* the objective's training rows: prior mean, residual */
    size_t cap_rows;
    /* The energy surrogate's earlier rows (es_model_prior_energy): n_e x d
     * inputs, log joules. */
    double *ex, ey[ES_MODEL_PRIOR_ENERGY];
    size_t n_e;
    /* Their own GP (standardized by e_mean, e_sd), whose mean at this
     * sweep's trials gives the offset they are shifted by. */
    es_gp egp;
    double e_mean, e_sd, *etheta;
    int e_ok;
};

void es_prior_free(es_prior *p)
{
    if (p == NULL)
        return;
    for (size_t g = 0; g < p->n_groups; g++) {
        free(p->g[g].known);
        free(p->g[g].dim);
        free(p->g[g].x);
        free(p->g[g].y);
        free(p->g[g].e);
        free(p->g[g].order);
        free(p->g[g].theta);
        es_gp_free(&p->g[g].gp);
    }
    free(p->buf);
    free(p->pm);
    free(p->res);
    free(p->ex);
    free(p->etheta);
    es_gp_free(&p->egp);
    free(p);
}

static int prior_on(const es_model *m)
{
    return m->prior != NULL && m->prior->active && m->spec->n_objectives < 2;
}

int es_model_prior_add(es_model *m, size_t group, const es_value *values,
                       const unsigned char *known, double objective, double energy_j)
{
    size_t d = es_enc_dims(m->enc), np = m->spec->n_params;
    if (group >= PRIOR_GROUPS_MAX || !isfinite(objective))
        return 1;
    if (m->prior == NULL) {
        if ((m->prior = calloc(1, sizeof *m->prior)) == NULL)
            return -ENOMEM;
        m->prior->d = d;
        m->prior->np = np;
    }
    es_prior *p = m->prior;
    double *x = malloc((d + 1) * sizeof *x);
    unsigned char *dims = malloc(d + 1);
    int rc = x == NULL || dims == NULL ? -ENOMEM : 0;
    if (rc == 0 && es_enc_encode_known(m->enc, values, known, x, dims) != 0)
        rc = 1; /* outside this space, or another constant */
    size_t n_dims = 0;
    for (size_t t = 0; rc == 0 && t < d; t++)
        n_dims += dims[t];
    if (rc == 0 && n_dims == 0)
        rc = 1; /* nothing of this space: the group's parameters are not fixed by it */
    while (rc == 0 && p->n_groups <= group) {
        prior_group *pg = &p->g[p->n_groups];
        pg->known = malloc(np + 1);
        pg->dim = malloc((d + 1) * sizeof *pg->dim);
        if (pg->known == NULL || pg->dim == NULL) {
            free(pg->known);
            free(pg->dim);
            memset(pg, 0, sizeof *pg);
            rc = -ENOMEM;
            break;
        }
        pg->dg = SIZE_MAX; /* set by the group's first row */
        p->n_groups++;
    }
    prior_group *pg = rc == 0 ? &p->g[group] : NULL;
    if (pg != NULL && pg->dg == SIZE_MAX) {
        memcpy(pg->known, known, np);
        pg->dg = 0;
        for (size_t t = 0; t < d; t++)
            if (dims[t])
                pg->dim[pg->dg++] = t;
    } else if (pg != NULL && memcmp(pg->known, known, np) != 0) {
        rc = 1; /* a group's rows know the same parameters */
    }
    if (rc == 0 && pg->n == pg->cap) {
        size_t cap = pg->cap ? 2 * pg->cap : 32;
        double *nx = realloc(pg->x, cap * d * sizeof *nx + 1), *ny = NULL, *ne = NULL;
        if (nx != NULL)
            pg->x = nx;
        ny = nx == NULL ? NULL : realloc(pg->y, cap * sizeof *ny);
        if (ny != NULL)
            pg->y = ny;
        ne = ny == NULL ? NULL : realloc(pg->e, cap * sizeof *ne);
        if (ne == NULL)
            rc = -ENOMEM;
        else {
            pg->e = ne;
            pg->cap = cap;
        }
    }
    if (rc == 0) {
        memcpy(pg->x + pg->n * d, x, d * sizeof *x);
        pg->e[pg->n] = isfinite(energy_j) && energy_j > 0.0 ? energy_j : NAN;
        pg->y[pg->n++] = m->spec->goal == ES_GOAL_MAXIMIZE ? -objective : objective;
        p->fitted = 0;
        p->active = 0;
        m->version++; /* the surrogates are built again */
    }
    free(x);
    free(dims);
    return rc;
}

size_t es_model_prior_count(const es_model *m, size_t group)
{
    if (m->prior == NULL || group >= m->prior->n_groups || m->prior->g[group].dg == SIZE_MAX)
        return 0;
    return m->prior->g[group].n;
}

double es_model_prior_weight(const es_model *m, size_t group)
{
    if (!prior_on(m) || group >= m->prior->n_groups)
        return 0.0;
    return m->prior->b[group];
}

typedef struct prior_rank {
    double y;
    size_t row;
} prior_rank;

static int prior_by_y(const void *a, const void *b)
{
    const prior_rank *u = a, *v = b;
    if (u->y != v->y)
        return u->y < v->y ? -1 : 1;
    return u->row < v->row ? -1 : u->row > v->row; /* ties by row: the same order everywhere */
}

/* Row k of `cap` taken from n rows in `order` (best first; NULL: rows 0
 * to n - 1 are in that order): the best 40% of cap, then an even stride
 * through the rest. */
static size_t prior_pick(const size_t *order, size_t n, size_t cap, size_t k)
{
    size_t best = 2 * cap / 5;
    size_t i = n <= cap || k < best ? k : best + (k - best) * (n - best) / (cap - best);
    return order != NULL ? order[i] : i;
}

/* Fit group g's GP: its hyperparameters on at most PRIOR_FIT_MAX rows,
 * its posterior on at most `cap`.  0 or -ENOMEM. */
static int prior_fit_group(const es_model *m, prior_group *pg, size_t g, size_t cap)
{
    size_t d = m->prior->d, n = pg->n, dg = pg->dg;
    size_t nc = n < cap ? n : cap, nf = nc < PRIOR_FIT_MAX ? nc : PRIOR_FIT_MAX;
    pg->order = malloc((n + 1) * sizeof *pg->order);
    pg->theta = malloc((dg + 2) * sizeof *pg->theta);
    double *xc = malloc((nc * dg + 1) * sizeof *xc), *yc = malloc((nc + 1) * sizeof *yc);
    double *ys = malloc((n + 1) * sizeof *ys); /* the targets transformed (pg->y stays raw) */
    double *xf = malloc((nf * dg + 1) * sizeof *xf), *yf = malloc((nf + 1) * sizeof *yf);
    prior_rank *rk = malloc((n + 1) * sizeof *rk);
    int rc = -ENOMEM;
    if (pg->order == NULL || pg->theta == NULL || xc == NULL || yc == NULL || ys == NULL ||
        xf == NULL || yf == NULL || rk == NULL)
        goto out;
    es_surrogate t;
    memset(&t, 0, sizeof t);
    memcpy(ys, pg->y, n * sizeof *ys);
    if ((rc = es_surrogate_standardize(&t, ys, n)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        rk[i] = (prior_rank){pg->y[i], i};
    qsort(rk, n, sizeof *rk, prior_by_y);
    for (size_t i = 0; i < n; i++)
        pg->order[i] = rk[i].row;
    /* The posterior's rows, best first; the fit's among them. */
    for (size_t k = 0; k < nc; k++) {
        size_t r = prior_pick(pg->order, n, nc, k);
        for (size_t j = 0; j < dg; j++)
            xc[k * dg + j] = pg->x[r * d + pg->dim[j]];
        yc[k] = ys[r];
    }
    for (size_t k = 0; k < nf; k++) {
        size_t r = prior_pick(NULL, nc, nf, k);
        memcpy(xf + k * dg, xc + r * dg, dg * sizeof *xf);
        yf[k] = yc[r];
    }
    es_gp_theta_default(dg, pg->theta);
    if (nf >= ES_MODEL_MIN_OBJECTIVE) {
        rc = es_gp_fit(xf, yf, nf, dg, pg->theta, m->seed, PRIOR_STREAM + g, 1, 3, 60);
        if (rc != 0)
            goto out;
    }
    rc = es_gp_factor(&pg->gp, xc, yc, nc, dg, pg->theta);
    pg->ok = rc == 0;
    rc = rc == -EDOM ? 0 : rc;
out:
    free(xc);
    free(yc);
    free(ys);
    free(xf);
    free(yf);
    free(rk);
    return rc;
}

/* The energy surrogate's earlier rows: those of groups that knew every
 * dimension with a measured energy, at most ES_MODEL_PRIOR_ENERGY, by an
 * even stride through them all in group order.  0 or -ENOMEM. */
static int prior_energies(const es_model *m)
{
    es_prior *p = m->prior;
    size_t d = p->d, total = 0;
    p->n_e = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t i = 0; p->g[g].dg == d && i < p->g[g].n; i++)
            total += isfinite(p->g[g].e[i]);
    if (p->ex == NULL && (p->ex = malloc((ES_MODEL_PRIOR_ENERGY * d + 1) * sizeof *p->ex)) == NULL)
        return -ENOMEM;
    size_t want = total < ES_MODEL_PRIOR_ENERGY ? total : ES_MODEL_PRIOR_ENERGY, k = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t i = 0; p->g[g].dg == d && i < p->g[g].n && p->n_e < want; i++) {
            if (!isfinite(p->g[g].e[i]))
                continue;
            /* Row k of total is taken when it is the next of the stride. */
            if (p->n_e * total / want == k) {
                memcpy(p->ex + p->n_e * d, p->g[g].x + i * d, d * sizeof *p->ex);
                p->ey[p->n_e++] = log(p->g[g].e[i]);
            }
            k++;
        }
    /* Their GP, for the offset (es_model_prior_energy_shift). */
    p->e_ok = 0;
    if (p->n_e < ES_MODEL_MIN_ENERGY)
        return 0;
    double y[ES_MODEL_PRIOR_ENERGY], sum = 0.0, sum2 = 0.0;
    for (size_t j = 0; j < p->n_e; j++)
        sum += p->ey[j];
    p->e_mean = sum / (double)p->n_e;
    for (size_t j = 0; j < p->n_e; j++)
        sum2 += (p->ey[j] - p->e_mean) * (p->ey[j] - p->e_mean);
    p->e_sd = sqrt(sum2 / (double)(p->n_e - 1));
    p->e_sd = p->e_sd > 1e-12 ? p->e_sd : 1.0;
    for (size_t j = 0; j < p->n_e; j++)
        y[j] = (p->ey[j] - p->e_mean) / p->e_sd;
    if (p->etheta == NULL && (p->etheta = malloc((d + 2) * sizeof *p->etheta)) == NULL)
        return -ENOMEM;
    es_gp_theta_default(d, p->etheta);
    int rc = es_gp_fit(p->ex, y, p->n_e, d, p->etheta, m->seed, PRIOR_STREAM + 999, 1, 3, 60);
    if (rc == 0 && (rc = es_gp_factor(&p->egp, p->ex, y, p->n_e, d, p->etheta)) == 0)
        p->e_ok = 1;
    return rc == -EDOM ? 0 : rc;
}

double es_model_prior_energy_shift(const es_model *m, const double *x, const double *logj, size_t n)
{
    const es_prior *p = m->prior;
    if (!prior_on(m) || !p->e_ok || n == 0)
        return 0.0;
    double sum = 0.0, mu, work[64], *w = p->d <= 64 ? work : malloc(p->d * sizeof *w);
    if (w == NULL)
        return 0.0;
    for (size_t i = 0; i < n; i++) {
        es_gp_predict_mean(&p->egp, x + i * p->d, 1, &mu, w);
        sum += logj[i] - (p->e_mean + p->e_sd * mu);
    }
    if (w != work)
        free(w);
    return sum / (double)n;
}

size_t es_model_prior_energy(const es_model *m, const double **x, const double **logj)
{
    /* Only those a GP of their own can shift to this sweep's level (three
     * at least): unshifted they would outweigh its own. */
    if (!prior_on(m) || !m->prior->e_ok)
        return 0;
    *x = m->prior->ex;
    *logj = m->prior->ey;
    return m->prior->n_e;
}

int es_model_prior_fit(es_model *m)
{
    es_prior *p = m->prior;
    if (p == NULL || m->spec->n_objectives >= 2)
        return 0;
    if (p->fitted)
        return p->active;
    size_t dmax = 1, live = 0;
    int any = 0; /* in use once everything below is in place */
    p->active = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        live += p->g[g].dg != SIZE_MAX && p->g[g].n > 0;
    size_t cap = live > 0 ? PRIOR_ROWS_TOTAL / live : PRIOR_ROWS_TOTAL;
    cap = cap > PRIOR_ROWS_MIN ? cap : PRIOR_ROWS_MIN;
    for (size_t g = 0; g < p->n_groups; g++) {
        prior_group *pg = &p->g[g];
        free(pg->order);
        free(pg->theta);
        pg->order = NULL;
        pg->theta = NULL;
        pg->ok = 0;
        if (pg->dg == SIZE_MAX || pg->n == 0)
            continue;
        int rc = prior_fit_group(m, pg, g, cap);
        if (rc != 0)
            return rc;
        if (pg->ok) {
            any = 1;
            dmax = pg->dg > dmax ? pg->dg : dmax;
        }
    }
    free(p->buf);
    /* A block's points on the group's dimensions, their means, and the
     * mean's scratch (one point's scaled coordinates). */
    p->buf = malloc((PRIOR_BLOCK * dmax + PRIOR_BLOCK + dmax) * sizeof *p->buf);
    if (p->buf == NULL) {
        p->active = 0;
        return -ENOMEM;
    }
    int rc = prior_energies(m);
    if (rc != 0)
        return rc;
    size_t ng = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        ng += p->g[g].ok;
    p->a = 0.0;
    for (size_t g = 0; g < p->n_groups; g++)
        p->b[g] = p->g[g].ok ? 1.0 / (double)ng : 0.0;
    p->active = any;
    p->fitted = 1;
    return p->active;
}

/* Group g's posterior mean at the n points x (d each) into mu. */
static void prior_group_mean(es_prior *p, size_t g, const double *x, size_t n, double *mu)
{
    prior_group *pg = &p->g[g];
    double *xc = p->buf, *mb = xc + PRIOR_BLOCK * pg->dg, *work = mb + PRIOR_BLOCK;
    for (size_t i0 = 0; i0 < n; i0 += PRIOR_BLOCK) {
        size_t nb = n - i0 < PRIOR_BLOCK ? n - i0 : PRIOR_BLOCK;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = 0; j < pg->dg; j++)
                xc[i * pg->dg + j] = x[(i0 + i) * p->d + pg->dim[j]];
        es_gp_predict_mean(&pg->gp, xc, nb, mb, work);
        memcpy(mu + i0, mb, nb * sizeof *mu);
    }
}

/* The prior mean a + sum_g b_g mu_g at the n points x, into pm. */
static void prior_mean(es_prior *p, const double *x, size_t n, double *pm, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        pm[i] = p->a;
    for (size_t g = 0; g < p->n_groups; g++) {
        if (!p->g[g].ok || p->b[g] == 0.0)
            continue;
        prior_group_mean(p, g, x, n, scratch);
        for (size_t i = 0; i < n; i++)
            pm[i] += p->b[g] * scratch[i];
    }
}

/* Solve the G x G system A b = r (A symmetric positive definite, row
 * major) in place by Cholesky; 0, or -EDOM. */
static int prior_solve(double *A, double *r, size_t G)
{
    for (size_t j = 0; j < G; j++) {
        double s = A[j * G + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * G + k] * A[j * G + k];
        if (!(s > 0.0))
            return -EDOM;
        A[j * G + j] = sqrt(s);
        for (size_t i = j + 1; i < G; i++) {
            double t = A[i * G + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * G + k] * A[j * G + k];
            A[i * G + j] = t / A[j * G + j];
        }
    }
    for (size_t i = 0; i < G; i++) {
        for (size_t k = 0; k < i; k++)
            r[i] -= A[i * G + k] * r[k];
        r[i] /= A[i * G + i];
    }
    for (size_t i = G; i-- > 0;) {
        for (size_t k = i + 1; k < G; k++)
            r[i] -= A[k * G + i] * r[k];
        r[i] /= A[i * G + i];
    }
    return 0;
}

/* Learn a and b from the n training rows (x, z): ridge toward 1/G, no
 * coefficient below 0 (one that would be is fixed at 0 and the rest
 * solved again).  F: n x n_groups features. */
static void prior_regress(es_prior *p, const double *F, const double *z, size_t n)
{
    size_t G = p->n_groups, ng = 0;
    int fixed[PRIOR_GROUPS_MAX];
    for (size_t g = 0; g < G; g++) {
        fixed[g] = !p->g[g].ok;
        ng += p->g[g].ok;
    }
    double zbar = 0.0, fbar[PRIOR_GROUPS_MAX] = {0};
    for (size_t k = 0; k < n; k++) {
        zbar += z[k] / (double)n;
        for (size_t g = 0; g < G; g++)
            fbar[g] += F[k * G + g] / (double)n;
    }
    for (int round = 0; round <= (int)G; round++) {
        size_t idx[PRIOR_GROUPS_MAX], nf = 0;
        for (size_t g = 0; g < G; g++)
            if (!fixed[g])
                idx[nf++] = g;
        double A[PRIOR_GROUPS_MAX * PRIOR_GROUPS_MAX], r[PRIOR_GROUPS_MAX];
        for (size_t i = 0; i < nf; i++) {
            for (size_t j = 0; j < nf; j++) {
                double s = i == j ? PRIOR_RIDGE : 0.0;
                for (size_t k = 0; k < n; k++)
                    s += (F[k * G + idx[i]] - fbar[idx[i]]) * (F[k * G + idx[j]] - fbar[idx[j]]);
                A[i * nf + j] = s;
            }
            double s = PRIOR_RIDGE / (double)ng;
            for (size_t k = 0; k < n; k++)
                s += (F[k * G + idx[i]] - fbar[idx[i]]) * (z[k] - zbar);
            r[i] = s;
        }
        for (size_t g = 0; g < G; g++)
            p->b[g] = 0.0;
        if (nf > 0 && prior_solve(A, r, nf) != 0)
            break; /* all 0: the cold surrogate */
        int neg = 0;
        for (size_t i = 0; i < nf; i++) {
            p->b[idx[i]] = r[i];
            if (r[i] < 0.0) {
                fixed[idx[i]] = 1;
                neg = 1;
            }
        }
        if (!neg)
            break;
    }
    for (size_t g = 0; g < G; g++)
        p->b[g] = fmax(p->b[g], 0.0);
    p->a = zbar;
    for (size_t g = 0; g < G; g++)
        p->a -= p->b[g] * fbar[g];
}

static int prior_room(es_prior *p, size_t rows)
{
    if (rows <= p->cap_rows)
        return 0;
    size_t cap = rows + rows / 4 + 8;
    double *pm = malloc(cap * sizeof *pm), *res = malloc(cap * sizeof *res);
    if (pm == NULL || res == NULL) {
        free(pm);
        free(res);
        return -ENOMEM;
    }
    free(p->pm);
    free(p->res);
    p->pm = pm;
    p->res = res;
    p->cap_rows = cap;
    return 0;
}

int es_model_prior_train(es_model *m, es_surrogate *s)
{
    if (s != &m->objective || !prior_on(m))
        return 0;
    es_prior *p = m->prior;
    size_t n = s->n_train, G = p->n_groups, d = p->d;
    if (prior_room(p, s->cap_train) != 0)
        return -ENOMEM;
    double *F = malloc((n * G + n + 1) * sizeof *F);
    if (F == NULL)
        return -ENOMEM;
    double *col = F + n * G;
    for (size_t g = 0; g < G; g++) {
        if (!p->g[g].ok)
            continue;
        prior_group_mean(p, g, s->xt, n, col);
        for (size_t k = 0; k < n; k++)
            F[k * G + g] = col[k];
    }
    for (size_t k = 0; k < n * G; k++)
        if (!p->g[k % G].ok)
            F[k] = 0.0;
    prior_regress(p, F, s->yt, n);
    for (size_t k = 0; k < n; k++) {
        double v = p->a;
        for (size_t g = 0; g < G; g++)
            v += p->b[g] * F[k * G + g];
        p->pm[k] = v;
        p->res[k] = s->yt[k] - v;
    }
    free(F);
    (void)d;
    return 0;
}

const double *es_model_prior_y(const es_model *m, const es_surrogate *s)
{
    return s == &m->objective && prior_on(m) ? m->prior->res : s->yt;
}

int es_model_prior_believe(es_model *m, es_surrogate *s, size_t first, const double *mu)
{
    if (s != &m->objective || !prior_on(m)) {
        for (size_t j = first; j < s->n_train; j++)
            s->yt[j] = mu[j - first];
        return 0;
    }
    es_prior *p = m->prior;
    size_t np = s->n_train - first;
    if (prior_room(p, s->n_train) != 0)
        return -ENOMEM;
    double *scratch = malloc((np + 1) * sizeof *scratch);
    if (scratch == NULL)
        return -ENOMEM;
    prior_mean(p, s->xt + first * p->d, np, p->pm + first, scratch);
    free(scratch);
    for (size_t j = first; j < s->n_train; j++) {
        p->res[j] = mu[j - first];
        s->yt[j] = p->pm[j] + mu[j - first];
    }
    return 0;
}

void es_model_objective_predict(const es_model *m, const double *x, size_t n, double *mu,
                                double *var, double *work)
{
    es_gp_predict(&m->objective.gp, x, n, mu, var, work);
    if (!prior_on(m))
        return;
    es_prior *p = m->prior;
    for (size_t i0 = 0; i0 < n; i0 += PRIOR_BLOCK) {
        size_t nb = n - i0 < PRIOR_BLOCK ? n - i0 : PRIOR_BLOCK;
        double pm[PRIOR_BLOCK], sc[PRIOR_BLOCK];
        prior_mean(p, x + i0 * p->d, nb, pm, sc);
        for (size_t i = 0; i < nb; i++)
            mu[i0 + i] += pm[i];
    }
}

size_t es_model_prior_design(const es_model *m, size_t want)
{
    if (!prior_on(m))
        return 0;
    size_t n = 0;
    for (size_t g = 0; g < m->prior->n_groups; g++)
        n += m->prior->g[g].ok ? m->prior->g[g].n : 0;
    return n < want ? n : want;
}

int es_model_prior_point(const es_model *m, size_t j, double *x)
{
    const es_prior *p = m->prior;
    if (!prior_on(m))
        return 0;
    /* The groups that have rows, in turn: j's group and its rank there. */
    size_t live[PRIOR_GROUPS_MAX], nl = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        if (p->g[g].ok)
            live[nl++] = g;
    for (size_t round = 0, seen = 0; nl > 0; round++) {
        int any = 0;
        for (size_t i = 0; i < nl; i++) {
            const prior_group *pg = &p->g[live[i]];
            if (round >= pg->n)
                continue;
            any = 1;
            if (seen++ == j) {
                const double *row = pg->x + pg->order[round] * p->d;
                for (size_t t = 0; t < pg->dg; t++)
                    x[pg->dim[t]] = row[pg->dim[t]];
                return 1;
            }
        }
        if (!any)
            break;
    }
    return 0;
}
