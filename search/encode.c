/*
 * encode.c -- parameters to the unit cube and back, for the Bayesian search.
 *
 * Each searched parameter gets a coordinate u in [0, 1] in which its law, as
 * random.c draws it, is spread evenly or (normal family) by probability:
 *
 *   uniform, q_uniform          value = min + u (max - min)
 *   beta, q_beta                value = u (the support [0, 1])
 *   log_uniform(_values),       log(value) = lo + u (hi - lo), with [lo, hi]
 *   q_log_uniform(_values),       the range of log(value) that random.c
 *   inv_log_uniform(_values)      draws from (for inv_log_uniform [-max,-min])
 *   int_uniform                 value = floor(min + u (max - min + 1)),
 *                                 every integer owning an equal slice
 *   normal, q_normal            value = mu + sigma z,        z = Phi^-1(p)
 *   log_normal, q_log_normal    log(value) = mu + sigma z,   p = Phi(-3) +
 *                                 u (Phi(3) - Phi(-3))
 *   categorical                 one dimension per choice (one-hot); decoding
 *                                 takes the largest (first on ties)
 *   constant                    no dimension
 *
 * Normal-family parameters go through the quantiles of their own law, cut
 * at +-3 sigma (99.7% of the mass): equal volumes of the cube hold equal
 * prior probability, so the initial design samples the prior as a random
 * search would, and the surrogate's resolution is finest where the user
 * expects good values.  A value beyond 3 sigma (observed from elsewhere)
 * encodes just outside [0, 1]; the surrogate accepts it there.
 *
 * q_* values are quantized after decoding with random.c's own rule
 * (es_search_quantize), so a suggestion has exactly the type a random draw
 * would have.  Categorical choices with probability 0 are never proposed;
 * a categorical with a single possible choice is treated as a constant.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_int.h"
#include "search_int.h"

typedef enum enc_kind {
    ENC_CONSTANT,    /* no dimension: constant, or a categorical with one choice */
    ENC_LINEAR,      /* value = lo + u (hi - lo) */
    ENC_LOG,         /* log(value) = lo + u (hi - lo) */
    ENC_INT,         /* value = floor(lo + u (hi - lo + 1)) */
    ENC_NORMAL,      /* value = mu + sigma z(u) */
    ENC_LOG_NORMAL,  /* log(value) = mu + sigma z(u) */
    ENC_CATEGORICAL, /* one-hot */
} enc_kind;

typedef struct enc_param {
    enc_kind kind;
    int quantized;
    size_t offset, width; /* x[offset .. offset + width - 1] */
    double lo, hi;        /* range of the transformed value */
    size_t n_allowed;     /* categorical: choices that may be proposed ... */
    size_t *allowed;      /* ... and their indices */
    size_t only;          /* ENC_CONSTANT categorical: the one choice */
} enc_param;

struct es_enc {
    const es_spec *spec;
    enc_param *p; /* one per spec parameter */
    size_t dims, searched;
};

/* Phi(-3) and Phi(3): the normal family's cut. */
#define ENC_P3_LO 0.0013498980316300946
#define ENC_P3_HI 0.9986501019683699

static void enc_setup_numeric(enc_param *e, const es_param *p)
{
    e->width = 1;
    switch (p->dist) {
    case ES_DIST_Q_UNIFORM:
    case ES_DIST_Q_BETA:
    case ES_DIST_Q_LOG_UNIFORM:
    case ES_DIST_Q_LOG_UNIFORM_VALUES:
    case ES_DIST_Q_NORMAL:
    case ES_DIST_Q_LOG_NORMAL:
        e->quantized = 1;
        break;
    default:
        break;
    }
    switch (p->dist) {
    case ES_DIST_INT_UNIFORM:
        e->kind = ENC_INT;
        e->lo = ceil(p->min);
        e->hi = fmax(floor(p->max), e->lo);
        break;
    case ES_DIST_UNIFORM:
    case ES_DIST_Q_UNIFORM:
        e->kind = ENC_LINEAR;
        e->lo = p->min;
        e->hi = p->max;
        break;
    case ES_DIST_BETA:
    case ES_DIST_Q_BETA:
        e->kind = ENC_LINEAR;
        e->lo = 0.0;
        e->hi = 1.0;
        break;
    case ES_DIST_LOG_UNIFORM:
    case ES_DIST_Q_LOG_UNIFORM:
        e->kind = ENC_LOG;
        e->lo = p->min;
        e->hi = p->max;
        break;
    case ES_DIST_LOG_UNIFORM_VALUES:
    case ES_DIST_Q_LOG_UNIFORM_VALUES:
    case ES_DIST_INV_LOG_UNIFORM_VALUES:
        e->kind = ENC_LOG;
        e->lo = log(p->min);
        e->hi = log(p->max);
        break;
    case ES_DIST_INV_LOG_UNIFORM:
        e->kind = ENC_LOG;
        e->lo = -p->max;
        e->hi = -p->min;
        break;
    case ES_DIST_NORMAL:
    case ES_DIST_Q_NORMAL:
        e->kind = ENC_NORMAL;
        e->lo = p->mu;
        e->hi = p->sigma;
        break;
    default: /* log_normal, q_log_normal */
        e->kind = ENC_LOG_NORMAL;
        e->lo = p->mu;
        e->hi = p->sigma;
        break;
    }
}

static int enc_setup_categorical(enc_param *e, const es_param *p)
{
    e->allowed = malloc((p->n_values + 1) * sizeof *e->allowed);
    if (e->allowed == NULL)
        return -ENOMEM;
    for (size_t k = 0; k < p->n_values; k++) {
        /* A value listed twice is one choice: its second dimension would
         * never be observed (an observation encodes at the first), so its
         * corner would look unexplored to the search for ever. */
        size_t a = 0;
        while (a < e->n_allowed && !es_value_same(&p->values[e->allowed[a]], &p->values[k]))
            a++;
        if (a == e->n_allowed && (p->probabilities == NULL || p->probabilities[k] > 0.0))
            e->allowed[e->n_allowed++] = k;
    }
    if (e->n_allowed < 2) {
        e->kind = ENC_CONSTANT;
        e->only = e->n_allowed == 1 ? e->allowed[0] : 0;
        return 0;
    }
    e->kind = ENC_CATEGORICAL;
    e->width = p->n_values;
    return 0;
}

int es_enc_create(const es_spec *spec, es_enc **out)
{
    es_enc *e = calloc(1, sizeof *e);
    *out = NULL;
    if (e == NULL)
        return -ENOMEM;
    e->spec = spec;
    e->p = calloc(spec->n_params + 1, sizeof *e->p);
    if (e->p == NULL) {
        es_enc_destroy(e);
        return -ENOMEM;
    }
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_param *p = &spec->params[i];
        enc_param *ep = &e->p[i];
        if (p->dist == ES_DIST_CONSTANT || p->dist >= ES_DIST__COUNT) {
            ep->kind = ENC_CONSTANT;
        } else if (p->dist == ES_DIST_CATEGORICAL) {
            if (enc_setup_categorical(ep, p) != 0) {
                es_enc_destroy(e);
                return -ENOMEM;
            }
        } else {
            enc_setup_numeric(ep, p);
        }
        ep->offset = e->dims;
        e->dims += ep->width;
        e->searched += ep->kind != ENC_CONSTANT;
    }
    *out = e;
    return 0;
}

void es_enc_destroy(es_enc *e)
{
    if (e == NULL)
        return;
    if (e->p != NULL)
        for (size_t i = 0; i < e->spec->n_params; i++)
            free(e->p[i].allowed);
    free(e->p);
    free(e);
}

size_t es_enc_dims(const es_enc *e)
{
    return e->dims;
}

size_t es_enc_searched(const es_enc *e)
{
    return e->searched;
}

size_t es_enc_choices(const es_enc *e, size_t i)
{
    const enc_param *ep = &e->p[i];
    if (ep->kind == ENC_CATEGORICAL)
        return ep->n_allowed;
    return ep->kind == ENC_CONSTANT ? 1 : 0;
}

/* ---- One numeric coordinate --------------------------------------------------- */

/* The number (before quantization) at coordinate u. */
static double enc_number(const enc_param *e, double u)
{
    switch (e->kind) {
    case ENC_LINEAR:
        return e->lo + u * (e->hi - e->lo);
    case ENC_LOG:
        return exp(e->lo + u * (e->hi - e->lo));
    case ENC_INT: {
        double v = floor(e->lo + u * (e->hi - e->lo + 1.0));
        return fmin(fmax(v, e->lo), e->hi);
    }
    case ENC_NORMAL:
    case ENC_LOG_NORMAL: {
        double p = ENC_P3_LO + u * (ENC_P3_HI - ENC_P3_LO);
        p = fmin(fmax(p, 1e-300), 1.0 - 0x1.0p-53);
        double t = e->lo + e->hi * es_norm_quantile(p);
        return e->kind == ENC_NORMAL ? t : exp(t);
    }
    default:
        return 0.0;
    }
}

/* The coordinate of number v (NAN when v is not a number). */
static double enc_coord(const enc_param *e, double v)
{
    if (isnan(v))
        return NAN;
    switch (e->kind) {
    case ENC_LINEAR:
        return e->hi > e->lo ? (v - e->lo) / (e->hi - e->lo) : 0.5;
    case ENC_LOG:
        if (!(v > 0.0))
            return 0.0; /* a quantized value rounded down to 0 */
        return e->hi > e->lo ? (log(v) - e->lo) / (e->hi - e->lo) : 0.5;
    case ENC_INT:
        return (v - e->lo + 0.5) / (e->hi - e->lo + 1.0);
    case ENC_NORMAL:
    case ENC_LOG_NORMAL: {
        double t = v;
        if (e->kind == ENC_LOG_NORMAL) {
            if (!(v > 0.0))
                return 0.0;
            t = log(v);
        }
        if (!(e->hi > 0.0))
            return 0.5;
        return (es_norm_cdf((t - e->lo) / e->hi) - ENC_P3_LO) / (ENC_P3_HI - ENC_P3_LO);
    }
    default:
        return NAN;
    }
}

/* The coordinate that u decodes to (u clamped to [0, 1] first). */
static double enc_snap(const enc_param *e, const es_param *p, double u)
{
    u = fmin(fmax(u, 0.0), 1.0);
    if (e->kind == ENC_INT)
        return enc_coord(e, enc_number(e, u));
    if (!e->quantized)
        return u;
    double q = es_search_step(p);
    return enc_coord(e, rint(enc_number(e, u) / q) * q);
}

/* ---- Whole configurations --------------------------------------------------------- */

/* Place parameter i's value v into x: its one-hot, or its coordinate
 * (outside [0, 1] when v is out of range).  0, or -EINVAL for a choice
 * that is not among the values or a non-number. */
static int enc_place(const es_enc *e, size_t i, const es_value *v, double *x)
{
    const enc_param *ep = &e->p[i];
    const es_param *p = &e->spec->params[i];
    if (ep->kind == ENC_CATEGORICAL) {
        size_t k = 0;
        while (k < p->n_values && !es_value_same(v, &p->values[k]))
            k++;
        if (k == p->n_values)
            return -EINVAL;
        for (size_t j = 0; j < ep->width; j++)
            x[ep->offset + j] = j == k ? 1.0 : 0.0;
        return 0;
    }
    double u = enc_coord(ep, es_value_number(v));
    if (!isfinite(u))
        return -EINVAL;
    x[ep->offset] = u;
    return 0;
}

int es_enc_encode(const es_enc *e, const es_value *values, double *x)
{
    for (size_t i = 0; i < e->spec->n_params; i++)
        if (e->p[i].kind != ENC_CONSTANT && enc_place(e, i, &values[i], x) != 0)
            return -EINVAL;
    return 0;
}

int es_enc_encode_known(const es_enc *e, const es_value *values, const unsigned char *known,
                        double *x, unsigned char *dims)
{
    for (size_t t = 0; t < e->dims; t++) {
        x[t] = 0.0;
        dims[t] = 0;
    }
    for (size_t i = 0; i < e->spec->n_params; i++) {
        const enc_param *ep = &e->p[i];
        const es_param *p = &e->spec->params[i];
        if (ep->kind == ENC_CONSTANT) {
            /* A constant of this spec, where the earlier trial ran
             * another value, is another program. */
            const es_value *only = p->dist == ES_DIST_CATEGORICAL ? &p->values[ep->only]
                                   : p->dist == ES_DIST_CONSTANT  ? &p->value
                                                                  : NULL;
            if (known[i] && only != NULL && !es_value_same(&values[i], only))
                return -EINVAL;
            continue;
        }
        if (!known[i])
            continue;
        for (size_t j = 0; j < ep->width; j++)
            dims[ep->offset + j] = 1;
        if (enc_place(e, i, &values[i], x) != 0)
            return -EINVAL;
        if (ep->kind != ENC_CATEGORICAL) {
            /* Out of this range: not a point of this space. */
            double u = x[ep->offset];
            if (!(u >= -1e-9 && u <= 1.0 + 1e-9))
                return -EINVAL;
            x[ep->offset] = fmin(fmax(u, 0.0), 1.0);
        }
    }
    return 0;
}

/* The allowed choice whose coordinate is largest (first on ties). */
static size_t enc_argmax(const enc_param *ep, const double *x)
{
    size_t best = ep->allowed[0];
    for (size_t a = 1; a < ep->n_allowed; a++)
        if (x[ep->offset + ep->allowed[a]] > x[ep->offset + best])
            best = ep->allowed[a];
    return best;
}

int es_enc_decode(const es_enc *e, const double *x, es_value *values)
{
    for (size_t i = 0; i < e->spec->n_params; i++) {
        const enc_param *ep = &e->p[i];
        const es_param *p = &e->spec->params[i];
        const es_value *copy = NULL;
        memset(&values[i], 0, sizeof values[i]);
        if (ep->kind == ENC_CONSTANT) {
            if (p->dist == ES_DIST_CONSTANT)
                copy = &p->value;
            else if (p->dist == ES_DIST_CATEGORICAL && ep->n_allowed == 1)
                copy = &p->values[ep->only];
        } else if (ep->kind == ENC_CATEGORICAL) {
            copy = &p->values[enc_argmax(ep, x)];
        } else {
            double v = enc_number(ep, x[ep->offset]);
            if (ep->kind == ENC_INT)
                es_search_number(v, 1, &values[i]);
            else if (ep->quantized)
                es_search_quantize(v, p, &values[i]);
            else
                es_search_number(es_search_clamp(p, v), 0, &values[i]);
        }
        if (copy != NULL && es_value_copy(&values[i], copy) != 0) {
            for (size_t j = 0; j <= i; j++)
                es_value_clear(&values[j]);
            return -ENOMEM;
        }
    }
    return 0;
}

void es_enc_project(const es_enc *e, const double *x, double *xp)
{
    for (size_t i = 0; i < e->spec->n_params; i++) {
        const enc_param *ep = &e->p[i];
        if (ep->kind == ENC_CONSTANT)
            continue;
        if (ep->kind == ENC_CATEGORICAL) {
            size_t k = enc_argmax(ep, x);
            for (size_t j = 0; j < ep->width; j++)
                xp[ep->offset + j] = j == k ? 1.0 : 0.0;
        } else {
            xp[ep->offset] = enc_snap(ep, &e->spec->params[i], x[ep->offset]);
        }
    }
}

void es_enc_from_u(const es_enc *e, const double *u, double *x)
{
    size_t s = 0;
    for (size_t i = 0; i < e->spec->n_params; i++) {
        const enc_param *ep = &e->p[i];
        if (ep->kind == ENC_CONSTANT)
            continue;
        double ui = fmin(fmax(u[s++], 0.0), 1.0);
        if (ep->kind == ENC_CATEGORICAL) {
            size_t a = (size_t)(ui * (double)ep->n_allowed);
            size_t k = ep->allowed[a < ep->n_allowed ? a : ep->n_allowed - 1];
            for (size_t j = 0; j < ep->width; j++)
                x[ep->offset + j] = j == k ? 1.0 : 0.0;
        } else {
            x[ep->offset] = enc_snap(ep, &e->spec->params[i], ui);
        }
    }
}

void es_enc_choice_dims(const es_enc *e, unsigned char *mask)
{
    memset(mask, 0, e->dims);
    for (size_t i = 0; i < e->spec->n_params; i++)
        if (e->p[i].kind == ENC_CATEGORICAL)
            memset(mask + e->p[i].offset, 1, e->p[i].width);
}

void es_enc_sample_box(const es_enc *e, es_rng *rng, const double *center, const double *lb,
                       const double *ub, double p_switch, double *x)
{
    for (size_t i = 0; i < e->spec->n_params; i++) {
        const enc_param *ep = &e->p[i];
        if (ep->kind == ENC_CONSTANT)
            continue;
        if (ep->kind == ENC_CATEGORICAL) {
            size_t k = enc_argmax(ep, center);
            if (es_rng_uniform(rng) < p_switch) {
                size_t a = (size_t)(es_rng_uniform(rng) * (double)ep->n_allowed);
                k = ep->allowed[a < ep->n_allowed ? a : ep->n_allowed - 1];
            }
            for (size_t j = 0; j < ep->width; j++)
                x[ep->offset + j] = j == k ? 1.0 : 0.0;
        } else {
            size_t t = ep->offset;
            double u = lb[t] + es_rng_uniform(rng) * (ub[t] - lb[t]);
            x[t] = enc_snap(ep, &e->spec->params[i], fmin(fmax(u, 0.0), 1.0));
        }
    }
}
