/*
 * bayes_int.h -- what the files of the Bayesian search share: the encoding
 * of parameters into the unit cube (encode.c), space-filling designs
 * (design.c), the normal distribution and log expected improvement (acq.c),
 * the one door to NLopt (optim.c), the observation store and its two
 * surrogates (model.c) and the suggestion driver (bayes.c).  gp.h holds the
 * Gaussian process itself.
 *
 * Internal to search/ and its unit tests.  search.c sees es_model and
 * es_bayes_suggest; no NLopt type appears in any header.
 */
#ifndef ES_BAYES_INT_H
#define ES_BAYES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gp.h"
#include "search.h"

/* ---- Encoding: parameters <-> unit cube (encode.c) ------------------------- */

/* How one searched parameter is laid out in the cube.  "u" is a parameter's
 * own coordinate in [0, 1] (one per parameter: a categorical's u picks
 * choice floor(u * k)); "x" is the surrogate's input, where a categorical
 * takes one dimension per choice (one-hot) and the others one dimension
 * equal to their u. */
typedef struct es_enc es_enc;

/* Build the encoding of spec's parameters (constants and single-choice
 * categoricals are dropped).  0 or -ENOMEM. */
int es_enc_create(const es_spec *spec, es_enc **out);
void es_enc_destroy(es_enc *e);
/* Dimensions of x, and number of searched parameters (dimensions of u). */
size_t es_enc_dims(const es_enc *e);
size_t es_enc_searched(const es_enc *e);
/* The distinct values parameter i can be proposed at when it is a
 * constant (1) or a categorical (its choices of probability > 0, a value
 * listed twice counted once); 0 for the others. */
size_t es_enc_choices(const es_enc *e, size_t i);

/* x of a configuration (values[0 .. n_params-1]).  0, or -EINVAL when a
 * searched value cannot be placed (not a number where one is expected, a
 * choice that is not among the categorical's values); x is then undefined. */
int es_enc_encode(const es_enc *e, const es_value *values, double *x /* OUT */);
/* The configuration at x: exactly the value types random.c draws (ES_V_INT
 * for int_uniform and integral q, tidied floats for fractional q, copies of
 * constants and choices).  Continuous coordinates are used as they are;
 * coordinates of x outside [0, 1] decode to values outside the range, as a
 * round trip of an out-of-range quantized value requires.  0 or -ENOMEM
 * (values left cleared). */
int es_enc_decode(const es_enc *e, const double *x, es_value *values /* OUT */);
/* x snapped to what it decodes to: the argmax choice made one-hot, integers
 * and quantized values moved to their value's coordinate, continuous
 * coordinates clamped to [0, 1].  xp may be x. */
void es_enc_project(const es_enc *e, const double *x, double *xp /* OUT */);
/* x (projected) of the per-parameter coordinates u (es_enc_searched
 * entries in [0, 1]). */
void es_enc_from_u(const es_enc *e, const double *u, double *x /* OUT */);

/* mask[t] = 1 for the dimensions of x that belong to a categorical's
 * one-hot, else 0 (es_enc_dims entries). */
void es_enc_choice_dims(const es_enc *e, unsigned char *mask /* OUT */);
/* A point near `center` (a projected x): each numeric coordinate uniform
 * in [lb[t], ub[t]] (then snapped as es_enc_project does), each
 * categorical kept at center's choice or, with probability p_switch,
 * drawn uniformly among its allowed choices. */
void es_enc_sample_box(const es_enc *e, es_rng *rng, const double *center, const double *lb,
                       const double *ub, double p_switch, double *x /* OUT */);

/* ---- Designs (design.c) ------------------------------------------------------ */

/* A Latin hypercube of n points in k dims into u (n x k, row-major), drawn
 * from rng: each dimension's n strata are hit once, at a uniform place
 * inside the stratum. */
void es_design_lhs(es_rng *rng, size_t n, size_t k, double *u /* OUT */);
/* Point i of the sweep's initial design of n points in k dims: the most
 * spread out (largest smallest distance) of a few Latin hypercubes drawn
 * from (seed, n).  Deterministic in (seed, n, k, i).  0 or -ENOMEM. */
int es_design_point(uint64_t seed, size_t n, size_t k, size_t i, double *u /* OUT */);

/* ---- The normal law and log expected improvement (acq.c) --------------------- */

double es_norm_pdf(double z);
double es_norm_cdf(double z);
/* Phi^-1(p) for p in (0, 1), accurate to a few ulps; +-INFINITY at 0 and 1. */
double es_norm_quantile(double p);
/* log h(z), h(z) = phi(z) + z Phi(z): finite and accurate for every finite
 * z, from the erfcx form and its asymptotic series for very negative z
 * (Ament et al. 2023). */
double es_log_h(double z);
/* log of the expected improvement below `best` of a normal (mu, sigma^2):
 * log(sigma) + log h((best - mu) / sigma).  sigma is floored at 1e-12. */
double es_log_ei(double mu, double sigma, double best);
/* log Phi(z), finite and accurate for every finite z (-inf only at -inf). */
double es_log_norm_cdf(double z);

/* ---- NLopt, behind one door (optim.c) -------------------------------------------- */

/* Same shape as NLopt's nlopt_func: value at x, gradient into grad when grad
 * is not NULL. */
typedef double (*es_opt_fn)(unsigned n, const double *x, double *grad, void *data);

typedef enum es_opt_algo {
    ES_OPT_LBFGS, /* gradient-based, bound constraints only */
    ES_OPT_COBYLA /* derivative-free, bounds and the inequality constraint */
} es_opt_algo;

typedef struct es_opt {
    es_opt_algo algo;
    unsigned n;
    const double *lb, *ub;
    es_opt_fn f; /* minimized */
    void *f_data;
    es_opt_fn con; /* con(x) <= 0 is required; NULL for none (COBYLA only) */
    void *con_data;
    int maxeval;
    double xtol_rel;
    double step; /* COBYLA's initial step in every coordinate; 0 = NLopt's */
} es_opt;

/* Minimize from x; the best point found is left in x and its value in *fx.
 * NLopt's soft failures (round-off limits, a line search that stalls) still
 * leave its best point.  0, -ENOMEM, or -EINVAL for a problem NLopt
 * refuses. */
int es_opt_minimize(const es_opt *o, double *x /* IN/OUT */, double *fx /* OUT */);

/* ---- Observations and surrogates (model.c) ---------------------------------------- */

typedef struct es_obs {
    uint64_t index;
    es_obs_status status;
    double objective, energy_j;
    double raw; /* the objective as observed (scalar.c rewrites objective) */
    /* With constraints (scalar.c): what the objective surrogate learns --
     * the objective (or scalarization) without the violation penalty that
     * `objective` carries -- and whether the trial keeps every constraint. */
    double free_obj;
    int feasible;
    double *vals;     /* the objectives' then the constraints' values, or NULL */
    es_value *values; /* n_params copies */
    double *x;        /* encoded; meaningful when x_ok */
    int x_ok;
    uint64_t seq; /* completion order (0-based), when has_seq */
    int has_seq;  /* not pending */
    double *lv;   /* targets (minimized) at levels 0 .. n_lv-1, NAN: unknown */
    size_t n_lv;
} es_obs;

/* One surrogate: the objective (with failures imputed and pending trials
 * lied about) or log(energy). */
/* ---- Output warping (warp.c) ---- */

/* The Yeo-Johnson transform of z with power lambda, and its inverse. */
double es_yj(double z, double lambda);
double es_yj_inverse(double w, double lambda);
/* The profile log likelihood of lambda for the n values z (a normal model
 * of the transformed values, with the transform's Jacobian); -INFINITY
 * when a transformed value overflows or all are equal. */
double es_yj_loglik(const double *z, size_t n, double lambda);
/* The lambda in [2 - ES_YJ_LAMBDA_MAX, ES_YJ_LAMBDA_MAX] that maximizes
 * it; 1 (the identity) for fewer than 3 values. */
#define ES_YJ_LAMBDA_MAX 4.0
double es_yj_fit(const double *z, size_t n);

struct es_surrogate;
/* The target (negated when maximizing) of a training value yt of s: its
 * standardization and warping undone. */
double es_surrogate_target(const struct es_surrogate *s, double yt);
/* Its inverse: a target value as s's GP sees it. */
double es_surrogate_forward(const struct es_surrogate *s, double y);

typedef struct es_surrogate {
    double *theta;         /* hyperparameters (d + 2) */
    uint64_t fitted_point; /* the schedule point theta was fitted at; 0 = none */
    uint64_t rewrites;     /* the store's rewrite count when the chain was built */
    es_gp gp;
    int ready;                 /* gp is factored for the key below */
    uint64_t key_version;      /* store version ... */
    uint64_t key_exclude;      /* ... and excluded pending index the gp was built for */
    double mean, sd;           /* targets were standardized with these ... */
    double warp_lambda;        /* ... then warped (the objective's, model_warp: 1 = none) ... */
    double warp_mean, warp_sd; /* ... standardized again ... */
    double warp_shift;         /* ... and shifted by minus this (the worst) */
    double best;               /* smallest standardized completed target */
    size_t n_train;            /* rows of xt / yt ... */
    size_t n_real;             /* ... of which the first n_real are observed (the rest are lies) */
    double *xt, *yt;           /* training set (n_train x d, n_train) */
    size_t cap_train;
    size_t *row_obs; /* the observation (position in obs) behind each observed row */
} es_surrogate;

typedef struct es_prior es_prior; /* warm start (prior.c) */

typedef struct es_model {
    const es_spec *spec; /* borrowed */
    uint64_t seed;
    es_enc *enc;
    es_obs *obs; /* in order of first observation */
    size_t n_obs, cap_obs;
    size_t *slot;   /* index -> position in obs + 1 (model.c's table) */
    size_t n_slots; /* 2^slot_bits, at most half full; 0: none yet */
    unsigned slot_bits;
    size_t *by_seq; /* seq -> position in obs; SIZE_MAX once superseded */
    size_t cap_seq;
    uint64_t examined; /* observations the lookups and the energy gathers
                          looked at: the work of a step, for the tests */
    uint64_t next_seq; /* completions so far */
    size_t n_energies; /* finished observations with a usable energy */
    uint64_t rewrites; /* times a finished observation was replaced */
    uint64_t version;  /* bumped by every observation */
    es_surrogate objective, energy;
    es_surrogate *cons; /* one per constraint of the spec (none without) */
    size_t n_cons;
    double *con_scale;    /* each constraint's scale of violation (scalar.c) */
    es_surrogate cols[3]; /* with several objectives, one per objective */
    size_t n_cols;
    es_prior *prior; /* earlier sweeps' trials (es_search_warm); NULL: none */
    int fid_level;   /* es_search_fidelity_level */
} es_model;

/* Surrogates need at least this many points (else forecasts fall back to the
 * observed spread, and suggestions to the design). */
#define ES_MODEL_MIN_OBJECTIVE 2
#define ES_MODEL_MIN_ENERGY 3

int es_model_create(const es_spec *spec, uint64_t seed, es_model **out);
void es_model_destroy(es_model *m);
/* Record (or replace) trial `index`; see es_search_observe.  0 or -ENOMEM. */
int es_model_observe(es_model *m, uint64_t index, const es_value *values, es_obs_status status,
                     double objective, double energy_j);
/* Completed trials with a finite objective, and ones with a usable energy. */
size_t es_model_completed(const es_model *m);

/* Make m->objective ready for suggesting trial `exclude`: hyperparameters
 * brought up to date, the training set built (pending trials other than
 * `exclude` included at the constant lie), the GP factored.  1 when ready,
 * 0 when there are too few completed trials, or a negative code. */
int es_model_objective(es_model *m, uint64_t exclude);
/* The same for the energy surrogate.  1 ready, 0 too few energies, < 0. */
int es_model_energy(es_model *m);
/* The same for every constraint's surrogate: 1 when at least one is
 * ready (each needs ES_MODEL_MIN_OBJECTIVE reported values), 0 none, < 0
 * error. */
int es_model_constraints(es_model *m);
/* log of the probability that every constraint holds at the n points x
 * (those whose surrogate is ready; 0 when none is), into logp.  work holds
 * es_model_constraint_work(m) doubles. */
void es_model_constraint_logpof(const es_model *m, const double *x, size_t n,
                                double *logp /* OUT */, double *work);
size_t es_model_constraint_work(const es_model *m, size_t n);
/* With several objectives, each objective's surrogate (m->cols) made ready
 * as es_model_objective (pending trials but `exclude` believed at their
 * posterior mean): 1 when all are, 0 not yet, < 0 error. */
int es_model_columns(es_model *m, uint64_t exclude);
/* Objective j's value of o oriented to be minimized, NAN when unknown. */
double es_model_column_value(const es_model *m, const es_obs *o, size_t j);
/* Posterior of log(energy) at m points x (in log joules): mean and the
 * predictive standard deviation (noise included).  es_model_energy() must
 * have returned 1.  work: es_gp_work_size doubles. */
void es_model_energy_predict(const es_model *m, const double *x, size_t n, double *mu /* OUT */,
                             double *sd /* OUT */, double *work);
/* The spread of the observed energies (every finished trial with a finite
 * energy >= 0), which forecasts stand on while there are too few for the
 * surrogate: the median, and 1.5 times the largest as the upper bound (with
 * one or two observations there is no spread to fit a law to; half again
 * the worst seen covers run-to-run noise of tens of percent).  0, -ENODATA
 * when there is none, or -ENOMEM. */
int es_model_energy_spread(const es_model *m, double *median_j /* OUT */,
                           double *upper_j /* OUT */);
/* Forecast for one configuration; see es_search_forecast.  0 or -ENODATA,
 * -ENOMEM. */
int es_model_forecast(es_model *m, const es_value *values, double *median_j /* OUT */,
                      double *upper_j /* OUT */);

/* The objective's transform of n target values y, in place, as the
 * objective surrogate's training targets are made (robust centre and
 * scale, clamping, the Yeo-Johnson warp, the worst at 0), its parameters
 * written to s.  0 or -ENOMEM. */
int es_surrogate_standardize(es_surrogate *s, double *y /* IN/OUT */, size_t n);

/* The posterior of the objective surrogate (ready) at n points x: mean
 * (the warm start's prior mean included) and latent variance. */
void es_model_objective_predict(const es_model *m, const double *x, size_t n, double *mu /* OUT */,
                                double *var /* OUT */, double *work);

/* ---- Warm start from earlier sweeps (prior.c) ------------------------------------------ */

/* x of a configuration whose parameters are known only where known[i]:
 * those placed (the dimensions they take marked in dims), the others' 0.
 * -EINVAL when a known value lies outside the space, or differs from a
 * constant of the spec. */
int es_enc_encode_known(const es_enc *e, const es_value *values, const unsigned char *known,
                        double *x /* OUT */, unsigned char *dims /* OUT */);

/* Add a completed trial of earlier sweep `group` (0-based, at most 16):
 * values[i] where known[i] (every row of a group knows the same
 * parameters), the objective as it measured it.  0 added, 1 not usable in
 * this space (a value outside it, another constant, nothing known, a
 * non-finite objective), -ENOMEM. */
int es_model_prior_add(es_model *m, size_t group, const es_value *values,
                       const unsigned char *known, double objective, double energy_j);
/* The earlier trials the energy surrogate learns as they are (fitted by
 * es_model_prior_fit): those of sweeps that knew every parameter, with a
 * measured energy, at most ES_MODEL_PRIOR_ENERGY of them; their x (n x
 * dims) and log joules into *x and *logj.  Returns n (0 without). */
#define ES_MODEL_PRIOR_ENERGY 50
size_t es_model_prior_energy(const es_model *m, const double **x, const double **logj);
/* What those rows are shifted by in log joules: the mean, over this
 * sweep's n energies (inputs x, n x dims; logj), of how far each lies from
 * what the earlier rows' own GP predicts there -- a program made 20 times
 * slower, or priced at other watts, since the earlier sweep is one level
 * away, learnt from this sweep's first trial.  0 without them. */
double es_model_prior_energy_shift(const es_model *m, const double *x, const double *logj,
                                   size_t n);
/* Rows group holds, and its weight b_g (0 when not in use). */
size_t es_model_prior_count(const es_model *m, size_t group);
double es_model_prior_weight(const es_model *m, size_t group);
/* Fit the groups' surrogates once (again after a row is added): 1 when the
 * warm start is in use, 0 not (no rows, several objectives), < 0 error. */
int es_model_prior_fit(es_model *m);
/* The objective's training rows' prior means and residuals, and a and b,
 * learnt from s's observed rows (s->n_train of them, targets in s->yt);
 * nothing for another surrogate or without a warm start.  0 or -ENOMEM. */
int es_model_prior_train(es_model *m, es_surrogate *s);
/* What s's GP learns: the residuals from the prior mean for the objective
 * under a warm start, else s->yt. */
const double *es_model_prior_y(const es_model *m, const es_surrogate *s);
/* Rows first .. s->n_train - 1 believed at the GP's mean mu (residuals
 * for the objective under a warm start): their targets (and residuals).
 * 0 or -ENOMEM. */
int es_model_prior_believe(es_model *m, es_surrogate *s, size_t first, const double *mu);
/* How many of the initial design's first trials (at most want) are the
 * earlier sweeps' best configurations, and the j-th of them written onto
 * x (the dimensions its sweep knew; 1 when written). */
size_t es_model_prior_design(const es_model *m, size_t want);
int es_model_prior_point(const es_model *m, size_t j, double *x /* IN/OUT */);
void es_prior_free(es_prior *p);

/* ---- Several objectives and constraints (scalar.c) ------------------------------------ */

/* Whether m's spec has several objectives or constraints: the objective
 * surrogate then learns one number made of them (es_model_scalarize). */
int es_model_scalarizes(const es_model *m);
/* Record trial index's values of the spec's objectives then constraints
 * (see es_search_observe_values).  0, -ENOENT when index was never
 * observed, or -ENOMEM. */
int es_model_observe_values(es_model *m, uint64_t index, const double *vals);
/* es_search_observe_levels.  0, -ENOENT or -ENOMEM. */
int es_model_observe_levels(es_model *m, uint64_t index, const double *vals, size_t n);

/* ---- Multi-fidelity targets (fidelity.c) ---- */

/* One candidate point of a training set. */
typedef struct model_pt {
    size_t obs;
    double y;
    uint64_t seq;
} model_pt;

/* Completed with a finite objective and an encodable configuration. */
int es_model_completed_ok(const es_obs *o);
/* The objective surrogate's target of a completed observation (it
 * minimizes). */
double es_model_target(const es_model *m, const es_obs *o);
int es_model_by_y(const void *a, const void *b);
/* The finished observations with seq < upto that the objective surrogate
 * learns from, with their targets, into pts (in no particular order);
 * returns how many, *n_completed the number that are not imputed
 * failures, and sets m->fid_level (see fidelity.c). */
size_t es_fid_points(es_model *m, uint64_t upto, model_pt *pts, size_t *n_completed);
/* Rewrite each observation's objective as what the surrogate learns when
 * suggesting trial `index`: ParEGO's augmented Chebyshev scalarization of
 * the normalized objectives with weights drawn for this index, or with one
 * objective the objective itself; a trial that breaks a constraint above
 * every one that keeps them all, by how far it breaks them.  Bumps
 * m->version when anything changed. */
void es_model_scalarize(es_model *m, uint64_t index);
/* The ParEGO weights of trial index: n positive numbers summing to 1. */
void es_model_weights(const es_model *m, uint64_t index, double *w /* OUT */, size_t n);

/* The one-sided 95% quantile of the standard normal, for upper bounds. */
#define ES_Z95 1.6448536269514722

/* ---- Expected hypervolume improvement (ehvi.c) ---------------------------------------- */

/* log EHVI of a point whose two objectives are independent normals (mu[j],
 * sd[j]^2), over `front` (n points of 2, minimized, non-dominated, sorted
 * by the first) and the reference point ref: finite far from the front,
 * -inf only where nothing can improve it. */
double es_log_ehvi2(const double *front, size_t n, const double *ref, const double *mu,
                    const double *sd);
/* Sort the n points of k (2 or 3; in place) lexicographically and keep
 * the non-dominated ones (one of equal points); returns how many. */
size_t es_ehvi_nondominated(double *pts, size_t n, size_t k);

/* Three objectives: the boxes of the region a front leaves undominated
 * below the reference point (ehvi.c).  Box i, j0, j1, h: the strip
 * [c1[i], c1[i+1]) x [c2[j0], c2[j1]) x (-inf, c3[h]). */
typedef struct es_ehvi_box {
    size_t i, j0, j1, h;
} es_ehvi_box;
typedef struct es_ehvi3 {
    double *c1, *c2, *c3; /* grid boundaries: n1 + 1, n2 + 1 and n3 values */
    size_t n1, n2, n3;
    es_ehvi_box *box;
    size_t n_box;
    double *work; /* es_log_ehvi3's scratch: one evaluation at a time */
} es_ehvi3;
/* Build e for `front` (n points of 3, minimized, non-dominated, all below
 * ref).  0 or -ENOMEM (e then holds nothing to free). */
int es_ehvi3_init(es_ehvi3 *e /* OUT */, const double *front, size_t n, const double *ref);
void es_ehvi3_free(es_ehvi3 *e);
/* log EHVI over e's front of a point whose three objectives are
 * independent normals (mu[j], sd[j]^2); as es_log_ehvi2. */
double es_log_ehvi3(es_ehvi3 *e, const double *mu, const double *sd);

/* The front of m's k = m->n_cols (2 or 3) objective surrogates (m->cols,
 * ready) in their own coordinates: the completed feasible trials and the
 * pending ones but `exclude` at their posterior means, below the
 * reference point (the spec's `ref:`, else each objective's worst
 * completed value plus a tenth of its range) written to ref, sorted and
 * non-dominated (es_ehvi_nondominated).  *front (k * *n_front doubles) is
 * the caller's to free.  0 or -ENOMEM. */
int es_ehvi_front(const es_model *m, uint64_t exclude, double **front /* OUT */,
                  size_t *n_front /* OUT */, double *ref /* OUT, m->n_cols */);

/* ---- The trust region (trust.c) ------------------------------------------------------ */

typedef struct es_trust {
    int local;          /* 1: maximize EI in the box; 0: over the whole cube */
    double length;      /* the box's side (cube units), before length-scale weighting */
    size_t restarts;    /* times the box shrank to nothing */
    uint64_t epoch_seq; /* the completions since the last restart (seq >= this)
                           hold the box's center */
} es_trust;

/* The trust region's state after m's completions so far, the trials with
 * an index below n_design (the initial design) setting the first
 * incumbent. */
void es_trust_replay(const es_model *m, size_t n_design, es_trust *t /* OUT */);
/* The box of t around center (d = es_enc_dims entries): numeric
 * dimensions get sides in proportion to the objective's length scales
 * (m->objective.theta), the volume of a cube of side t->length, clipped to
 * [0, 1]; the dimensions with mask[j] set (es_enc_choice_dims) the whole
 * [0, 1]. */
void es_trust_box(const es_model *m, const es_trust *t, const double *center,
                  const unsigned char *mask, double *lb /* OUT */, double *ub /* OUT */);

/* ---- The Bayesian suggestion (bayes.c) ------------------------------------------------ */

/* Suggest trial `index` (see es_search_suggest).  remaining_j / total_j as
 * set by es_search_set_energy_budget (remaining NAN or negative: none).  0,
 * ES_EBUDGET with the message, or -ENOMEM. */
int es_bayes_suggest(es_model *m, uint64_t index, double remaining_j, double total_j,
                     es_value *values /* OUT */, es_err *err);

#endif
