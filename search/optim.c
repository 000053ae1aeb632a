/*
 * optim.c -- the one file that includes <nlopt.h>.
 *
 * The Bayesian search optimizes two kinds of things: the Gaussian process's
 * hyperparameters (smooth, with an analytic gradient, bound constraints:
 * NLopt's L-BFGS) and the acquisition function (cheap, evaluated on
 * projected points, with an energy constraint: COBYLA).  Both go through
 * es_opt_minimize(), which builds the NLopt problem, runs it, and converts
 * nlopt_result into the project's codes.  Only hard failures become errors:
 * when NLopt stops on round-off or a stalled line search, the best point it
 * evaluated is still a valid answer for a surrogate fit or an acquisition
 * polish, so it is returned with 0.
 */
#include <errno.h>
#include <math.h>
#include <nlopt.h>

#include "bayes_int.h"

int es_opt_minimize(const es_opt *o, double *x, double *fx)
{
    nlopt_algorithm algo = o->algo == ES_OPT_LBFGS ? NLOPT_LD_LBFGS : NLOPT_LN_COBYLA;
    nlopt_opt opt = nlopt_create(algo, o->n);
    nlopt_result r;
    int rc = 0;

    *fx = INFINITY;
    if (opt == NULL)
        return -ENOMEM;
    r = nlopt_set_min_objective(opt, o->f, o->f_data);
    if (r >= 0 && o->lb != NULL)
        r = nlopt_set_lower_bounds(opt, o->lb);
    if (r >= 0 && o->ub != NULL)
        r = nlopt_set_upper_bounds(opt, o->ub);
    if (r >= 0 && o->con != NULL)
        r = nlopt_add_inequality_constraint(opt, o->con, o->con_data, 0.0);
    if (r >= 0 && o->maxeval > 0)
        r = nlopt_set_maxeval(opt, o->maxeval);
    if (r >= 0 && o->xtol_rel > 0.0)
        r = nlopt_set_xtol_rel(opt, o->xtol_rel);
    if (r >= 0 && o->step > 0.0)
        r = nlopt_set_initial_step1(opt, o->step);
    if (r >= 0) {
        double f = INFINITY;
        r = nlopt_optimize(opt, x, &f);
        *fx = f;
    }
    switch (r) {
    case NLOPT_OUT_OF_MEMORY:
        rc = -ENOMEM;
        break;
    case NLOPT_INVALID_ARGS:
        rc = -EINVAL;
        break;
    default:
        /* Success, a reached limit, or a soft failure (NLOPT_FAILURE from a
         * stalled line search, NLOPT_ROUNDOFF_LIMITED): x holds the best
         * point evaluated, and *fx its value (or INFINITY when none). */
        rc = 0;
        break;
    }
    nlopt_destroy(opt);
    return rc;
}
