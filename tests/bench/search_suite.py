#!/usr/bin/python3
"""The Optuna side of the search-quality suite (run_search_suite.sh).

The same problems as bf_suite() in tests/search/bench_functions.h -- the
same functions, written operation for operation as there, the same spaces
and known minima -- run in-process with Optuna (Debian's python3-optuna):

  run      one problem, one sampler, a range of seeds: one JSON line per
           seed, in the format of search_suite.c's.  Samplers:
             tpe      TPESampler(seed=s), Optuna's defaults (10 random
                      start-up trials, independent sampling)
             tpe_mv   TPESampler(seed=s, multivariate=True)
             random   RandomSampler(seed=s)
             qmc      QMCSampler(qmc_type="sobol", scramble=True, seed=s)
           With --parallel Q > 1 both TPEs get constant_liar=True, and
           trials are asked Q at a time (study.ask() Q times, then Q tells),
           as an ecosweep sweep with parallel: Q launches them.
  check    per problem, one JSON line: its space, f at fixed points and at
           its known minimizer; with --against FILE (search_suite.c
           check's output) compare the two and exit 1 unless they agree to
           1e-9 and f at each minimizer is within 1e-8 of the minimum.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import argparse
import json
import math
import random
import sys
import time
import warnings

EDGE = 0.005  # a coordinate this close to 0 or 1 (unit cube) is "at a bound"
CHECK_POINTS = 6
PI = 3.14159265358979323846


# ---- The functions (as in bench_functions.h) -----------------------------------

def branin(x):
    x1, x2 = x[0], x[1]
    b = 5.1 / (4.0 * PI * PI)
    c = 5.0 / PI
    t = 1.0 / (8.0 * PI)
    u = x2 - b * x1 * x1 + c * x1 - 6.0
    return u * u + 10.0 * (1.0 - t) * math.cos(x1) + 10.0


def camel(x):
    a = x[0] * x[0]
    b = x[1] * x[1]
    return (4.0 - 2.1 * a + a * a / 3.0) * a + x[0] * x[1] + (-4.0 + 4.0 * b) * b


def _hartmann(x, alpha, a, p):
    f = 0.0
    for i in range(4):
        s = 0.0
        for j in range(len(x)):
            dx = x[j] - 1e-4 * p[i][j]
            s += a[i][j] * dx * dx
        f -= alpha[i] * math.exp(-s)
    return f


def hartmann3(x):
    return _hartmann(x, [1.0, 1.2, 3.0, 3.2],
                     [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]],
                     [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                      [381, 5743, 8828]])


def hartmann6(x):
    return _hartmann(x, [1.0, 1.2, 3.0, 3.2],
                     [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                      [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]],
                     [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                      [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def levy(x):
    d = len(x)
    w1 = 1.0 + (x[0] - 1.0) / 4.0
    wd = 1.0 + (x[d - 1] - 1.0) / 4.0
    s = math.sin(PI * w1)
    f = s * s
    for i in range(d - 1):
        w = 1.0 + (x[i] - 1.0) / 4.0
        t = math.sin(PI * w + 1.0)
        f += (w - 1.0) * (w - 1.0) * (1.0 + 10.0 * t * t)
    t = math.sin(2.0 * PI * wd)
    return f + (wd - 1.0) * (wd - 1.0) * (1.0 + t * t)


def rastrigin(x):
    f = 10.0 * len(x)
    for v in x:
        f += v * v - 10.0 * math.cos(2.0 * PI * v)
    return f


def ackley(x):
    sq = 0.0
    cs = 0.0
    for v in x:
        sq += v * v
        cs += math.cos(2.0 * PI * v)
    n = float(len(x))
    return -20.0 * math.exp(-0.2 * math.sqrt(sq / n)) - math.exp(cs / n) + 20.0 + math.exp(1.0)


def griewank(x):
    s = 0.0
    p = 1.0
    for i, v in enumerate(x):
        s += v * v / 4000.0
        p *= math.cos(v / math.sqrt(float(i + 1)))
    return s - p + 1.0


def michalewicz(x):
    f = 0.0
    for i, v in enumerate(x):
        f -= math.sin(v) * math.pow(math.sin(float(i + 1) * v * v / PI), 20.0)
    return f


def rosenbrock(x):
    f = 0.0
    for i in range(len(x) - 1):
        a = x[i + 1] - x[i] * x[i]
        b = x[i] - 1.0
        f += 100.0 * a * a + b * b
    return f


def styblinski_tang(x):
    f = 0.0
    for v in x:
        a = v * v
        f += a * a - 16.0 * a + 5.0 * v
    return 0.5 * f


def goldstein_price(x):
    x1, x2 = x[0], x[1]
    a = x1 + x2 + 1.0
    b = 2.0 * x1 - 3.0 * x2
    p = 19.0 - 14.0 * x1 + 3.0 * x1 * x1 - 14.0 * x2 + 6.0 * x1 * x2 + 3.0 * x2 * x2
    q = 18.0 - 32.0 * x1 + 12.0 * x1 * x1 + 48.0 * x2 - 36.0 * x1 * x2 + 27.0 * x2 * x2
    return (1.0 + a * a * p) * (30.0 + b * b * q)


def schwefel(x):
    f = 418.9828872724338 * float(len(x))
    for v in x:
        f -= v * math.sin(math.sqrt(abs(v)))
    return f


def mixed3(x):
    center = [-1.5, -3.2, -2.6]
    bias = [0.3, 0.0, 0.1]
    c = int(x[2])
    a = math.log10(x[0]) - (center[c] - 0.2 * (x[1] - 4.0))
    l = x[1] - 4.0
    return a * a + 0.08 * l * l + bias[c]


def mixed5(x):
    d0 = [0.3, 0.1, 0.5, 0.6]
    bias = [0.2, 0.0, 0.05, 0.4]
    c = int(x[3])
    a = math.log10(x[0]) + 3.0 - 0.3 * (x[2] - 5.0)
    b = math.log10(x[1]) + 4.0
    k = x[2] - 5.0
    dd = x[4] - d0[c]
    return a * a + 0.5 * b * b * (1.0 + x[4]) + 2.0 * dd * dd + 0.03 * k * k + bias[c]


def shekel10(x):
    c = [[4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6],
         [4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6]]
    beta = [1, 2, 2, 4, 4, 6, 3, 7, 5, 5]
    f = 0.0
    for i in range(10):
        s = 0.1 * beta[i]
        for j in range(4):
            s += (x[j] - c[j][i]) * (x[j] - c[j][i])
        f -= 1.0 / s
    return f


def powell4(x):
    a = x[0] + 10.0 * x[1]
    b = x[2] - x[3]
    c = x[1] - 2.0 * x[2]
    e = x[0] - x[3]
    return a * a + 5.0 * b * b + c * c * c * c + 10.0 * e * e * e * e


def dixon_price(x):
    f = (x[0] - 1.0) * (x[0] - 1.0)
    for i in range(1, len(x)):
        t = 2.0 * x[i] * x[i] - x[i - 1]
        f += float(i + 1) * t * t
    return f


def zakharov(x):
    s = 0.0
    t = 0.0
    for i, v in enumerate(x):
        s += v * v
        t += 0.5 * float(i + 1) * v
    return s + t * t + t * t * t * t


def bukin6(x):
    return 100.0 * math.sqrt(abs(x[1] - 0.01 * x[0] * x[0])) + 0.01 * abs(x[0] + 10.0)


def eggholder(x):
    a = x[1] + 47.0
    return -a * math.sin(math.sqrt(abs(a + 0.5 * x[0]))) - x[0] * math.sin(math.sqrt(abs(x[0] - a)))


def cat8(x):
    center = [-1.5, -3.3, -3.0, -3.6, -4.2]
    base = [0.25, 0.05, 0.0, 0.12, 0.03]
    sched = [0.15, 0.0, 0.06, 0.03]
    sched_sgd = [0.10, 0.04, 0.0, 0.05]
    act = [0.04, 0.0, 0.12, 0.01]
    norm = [0.10, 0.0, 0.02]
    aug = [0.06, 0.0, 0.03]
    o, sc, ac, nm, init, ag = (int(v) for v in x[:6])
    w = x[7]
    a = math.log10(x[6]) - (center[o] - 0.15 * (w - 5.0))
    f = 0.5 * a * a + base[o] + (sched_sgd[sc] if o == 0 else sched[sc]) + act[ac] + norm[nm]
    f += 0.05 if (ac == 2) != (init == 0) else 0.0
    f += aug[ag] + (0.08 if ag == 2 and w < 4.0 else 0.0)
    return f + 0.01 * (w - 6.0) * (w - 6.0)


# ---- The problems (as bf_suite()) ------------------------------------------------

_SVC_DATA = None
# The best 3-fold error found by a 36 x 36 grid over log C and log gamma (18 x
# 18 for sigmoid) refined by 400 local draws, and where (as in
# bench_functions.h).
SVC_FMIN = 0.08833333333333337
SVC_XSTAR = [5.1284141715515625, 0.05136954855424034, 0]


def svc_digits(x):
    """3-fold cross-validated error of scikit-learn's SVC on the first 600
    images of its bundled digits (pixels scaled to [0, 1]): C and gamma
    log-scale, the kernel rbf or sigmoid.  Deterministic (unshuffled
    folds); about 0.04 s an evaluation."""
    global _SVC_DATA
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.svm import SVC
    if _SVC_DATA is None:
        from sklearn.datasets import load_digits
        X, y = load_digits(return_X_y=True)
        _SVC_DATA = (X[:600] / 16.0, y[:600])
    X, y = _SVC_DATA
    m = SVC(C=x[0], gamma=x[1], kernel=["rbf", "sigmoid"][int(x[2])])
    return 1.0 - float(cross_val_score(m, X, y, cv=StratifiedKFold(3)).mean())


def U(name, lo, hi):
    return (name, "uniform", float(lo), float(hi), "")


H6_STAR = [0.20168951185013023, 0.15001069290624647, 0.4768739753854737, 0.27533242908385863,
           0.31165161795254603, 0.6573005331434522]
H6_SPACE = [U(f"x{i}", 0, 1) for i in range(1, 7)]

# name: (function, space, minimum, a minimizer, noise sd)
PROBLEMS = {
    "branin": (branin, [U("x1", -5, 10), U("x2", 0, 15)], 0.39788735772973816,
               [3.141592653589793, 2.275], 0.0),
    "camel": (camel, [U("x1", -3, 3), U("x2", -2, 2)], -1.0316284534898774,
              [0.08984200893527233, -0.712656403019058], 0.0),
    "hartmann3": (hartmann3, [U(f"x{i}", 0, 1) for i in range(1, 4)], -3.862779787332663,
                  [0.11458888122541287, 0.5556488954739371, 0.8525469842172746], 0.0),
    "hartmann6": (hartmann6, H6_SPACE, -3.322368011415515, H6_STAR, 0.0),
    "levy2": (levy, [U(f"x{i}", -10, 10) for i in range(1, 3)], 0.0, [1.0] * 2, 0.0),
    "levy4": (levy, [U(f"x{i}", -10, 10) for i in range(1, 5)], 0.0, [1.0] * 4, 0.0),
    "rastrigin3": (rastrigin, [U(f"x{i}", -5.12, 5.12) for i in range(1, 4)], 0.0, [0.0] * 3,
                   0.0),
    "ackley5": (ackley, [U(f"x{i}", -32.768, 32.768) for i in range(1, 6)], 0.0, [0.0] * 5, 0.0),
    "griewank4": (griewank, [U(f"x{i}", -600, 600) for i in range(1, 5)], 0.0, [0.0] * 4, 0.0),
    "michalewicz5": (michalewicz, [U(f"x{i}", 0, 3.141592653589793) for i in range(1, 6)],
                     -4.687658179088149,
                     [2.2029055197344682, 1.5707963293125675, 1.2849915708780884,
                      1.9230584691306654, 1.7204697710078967], 0.0),
    "rosenbrock4": (rosenbrock, [U(f"x{i}", -5, 10) for i in range(1, 5)], 0.0, [1.0] * 4, 0.0),
    "styblinski_tang4": (styblinski_tang, [U(f"x{i}", -5, 5) for i in range(1, 5)],
                         -156.66466281508568, [-2.903534027771178] * 4, 0.0),
    "goldstein_price": (goldstein_price, [U("x1", -2, 2), U("x2", -2, 2)], 3.0, [0.0, -1.0], 0.0),
    "schwefel2": (schwefel, [U("x1", -500, 500), U("x2", -500, 500)], 0.0,
                  [420.9687464823754, 420.96874635317454], 0.0),
    "mixed3": (mixed3, [("lr", "log_uniform_values", 1e-5, 1.0, ""),
                        ("layers", "int_uniform", 1.0, 8.0, ""),
                        ("optimizer", "categorical", 0.0, 0.0, "sgd,adam,rmsprop")],
               0.0, [6.309573444801929e-04, 4, 1], 0.0),
    "mixed5": (mixed5, [("lr", "log_uniform_values", 1e-5, 1e-1, ""),
                        ("wd", "log_uniform_values", 1e-6, 1e-2, ""),
                        ("batch", "int_uniform", 1.0, 9.0, ""),
                        ("activation", "categorical", 0.0, 0.0, "relu,gelu,tanh,sigmoid"),
                        U("dropout", 0, 0.8)],
               0.0, [1e-3, 1e-4, 5, 1, 0.1], 0.0),
    "hartmann6_noisy": (hartmann6, H6_SPACE, -3.322368011415515, H6_STAR, 0.1),
    "rosenbrock4_corner": (rosenbrock, [U(f"x{i}", -2, 1) for i in range(1, 5)], 0.0, [1.0] * 4,
                           0.0),
    "shekel10": (shekel10, [U(f"x{i}", 0, 10) for i in range(1, 5)], -10.53644315348353,
                 [4.000746868082919, 3.9995094808558473, 4.000746870027695, 3.9995094805528253],
                 0.0),
    "powell4": (powell4, [U(f"x{i}", -4, 5) for i in range(1, 5)], 0.0, [0.0] * 4, 0.0),
    "dixon_price4": (dixon_price, [U(f"x{i}", -10, 10) for i in range(1, 5)], 0.0,
                     [1.0, 0.7071067811865476, 0.5946035575013605, 0.5452538663326288], 0.0),
    "zakharov5": (zakharov, [U(f"x{i}", -5, 10) for i in range(1, 6)], 0.0, [0.0] * 5, 0.0),
    "bukin6": (bukin6, [U("x1", -15, -5), U("x2", -3, 3)], 0.0, [-10.0, 1.0], 0.0),
    "eggholder": (eggholder, [U("x1", -512, 512), U("x2", -512, 512)], -959.6406627208509,
                  [512.0, 404.23180499385165], 0.0),
    "cat8": (cat8, [("optimizer", "categorical", 0.0, 0.0, "sgd,adam,adamw,rmsprop,lion"),
                    ("schedule", "categorical", 0.0, 0.0, "constant,cosine,step,linear"),
                    ("activation", "categorical", 0.0, 0.0, "relu,gelu,tanh,silu"),
                    ("norm", "categorical", 0.0, 0.0, "none,batch,layer"),
                    ("init", "categorical", 0.0, 0.0, "xavier,kaiming"),
                    ("augment", "categorical", 0.0, 0.0, "none,light,heavy"),
                    ("lr", "log_uniform_values", 1e-5, 1e-1, ""),
                    ("width", "int_uniform", 1.0, 8.0, "")],
             0.0, [2, 1, 1, 1, 1, 1, 7.079457843841373e-04, 6], 0.0),
    "svc_digits": (svc_digits, [("C", "log_uniform_values", 1e-2, 1e4, ""),
                                ("gamma", "log_uniform_values", 1e-5, 1.0, ""),
                                ("kernel", "categorical", 0.0, 0.0, "rbf,sigmoid")],
                   SVC_FMIN, SVC_XSTAR, 0.0),
}


def check_point(space, k):
    x = []
    for j, (_, kind, lo, hi, choices) in enumerate(space):
        v = 0.1234 + 0.6180339887498949 * (k + 1) + 0.7548776662466927 * float(j + 1)
        u = v - math.floor(v)
        if kind == "uniform":
            x.append(lo + u * (hi - lo))
        elif kind == "log_uniform_values":
            x.append(math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))))
        elif kind == "int_uniform":
            x.append(min(hi, lo + math.floor(u * (hi - lo + 1.0))))
        else:
            x.append(float(math.floor(u * len(choices.split(",")))))
    return x


def check_lines():
    for name, (f, space, fmin, xstar, sd) in PROBLEMS.items():
        pts = [check_point(space, k) for k in range(CHECK_POINTS)]
        yield {"problem": name, "fmin": fmin, "noise_sd": sd, "space": [list(p) for p in space],
               "points": pts, "f": [f(p) for p in pts], "f_star": f(xstar)}


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def cmd_check(a):
    mine = list(check_lines())
    if not a.against:
        for line in mine:
            print(json.dumps(line))
        return 0
    with open(a.against) as fh:
        theirs = {d["problem"]: d for d in map(json.loads, filter(str.strip, fh))}
    bad = []
    for m in mine:
        name = m["problem"]
        t = theirs.pop(name, None)
        if t is None:
            bad.append(f"{name}: not in the C suite")
            continue
        if (not close(m["fmin"], t["fmin"], 1e-15) or m["noise_sd"] != t["noise_sd"]):
            bad.append(f"{name}: minimum or noise differ")
        for pm, pt in zip(m["space"], t["space"]):
            if pm[0] != pt[0] or pm[1] != pt[1] or pm[4] != pt[4] or \
                    not close(pm[2], pt[2], 1e-15) or not close(pm[3], pt[3], 1e-15):
                bad.append(f"{name}: parameter {pm} != {pt}")
        if len(m["space"]) != len(t["space"]):
            bad.append(f"{name}: {len(m['space'])} parameters here, {len(t['space'])} in C")
        for k, (xm, xt, fm, ft) in enumerate(zip(m["points"], t["points"], m["f"], t["f"])):
            if not all(close(u, v) for u, v in zip(xm, xt)) or not close(fm, ft):
                bad.append(f"{name}: point {k}: f({xm}) = {fm!r} here, f({xt}) = {ft!r} in C")
        for side, d in (("Python", m), ("C", t)):
            if not close(d["f_star"], d["fmin"], 1e-8):
                bad.append(f"{name}: {side}: f at the minimizer {d['f_star']!r} != minimum "
                           f"{d['fmin']!r}")
    bad += [f"{name}: only in the C suite" for name in theirs]
    for b in bad:
        print("search_suite.py check:", b, file=sys.stderr)
    if not bad:
        print(f"search_suite.py check: C and Python agree on {len(mine)} problems "
              f"({CHECK_POINTS} points each, to 1e-9) and on every minimum")
    return 1 if bad else 0


# ---- One sweep ----------------------------------------------------------------------

def distributions(space):
    from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                      IntDistribution)
    d = {}
    for name, kind, lo, hi, choices in space:
        if kind == "uniform":
            d[name] = FloatDistribution(lo, hi)
        elif kind == "log_uniform_values":
            d[name] = FloatDistribution(lo, hi, log=True)
        elif kind == "int_uniform":
            d[name] = IntDistribution(int(lo), int(hi))
        else:
            d[name] = CategoricalDistribution(choices.split(","))
    return d


def make_sampler(name, seed, parallel):
    import optuna
    liar = parallel > 1
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constant_liar=liar), 10
    if name == "tpe_mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=liar), 10
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed), 0
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed), 0
    raise SystemExit(f"unknown sampler {name!r}")


def at_edge(space, x):
    for (_, kind, lo, hi, _), v in zip(space, x):
        if kind == "uniform":
            u = (v - lo) / (hi - lo)
        elif kind == "log_uniform_values":
            u = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        else:
            continue
        if u < EDGE or u > 1.0 - EDGE:
            return True
    return False


def horizons(trials):
    h = [n for n in (20, 40, 100) if n <= trials]
    if not h or h[-1] != trials:
        h.append(trials)
    return h


def run_one(problem, sampler_name, seed, trials, parallel):
    import optuna
    f, space, fmin, _, sd = PROBLEMS[problem]
    dists = distributions(space)
    sampler, n_init = make_sampler(sampler_name, seed, parallel)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    noise = random.Random(seed * 1000003 + 12345)
    times, regret = [], []
    near = 0
    best_obs = best_true = math.inf
    wall = time.perf_counter()
    i = 0
    while i < trials:
        batch = []
        for _ in range(min(parallel, trials - i)):
            t0 = time.process_time()
            batch.append(study.ask(dists))
            times.append(time.process_time() - t0)
        for t in batch:
            x = []
            for name, kind, _, _, choices in space:
                v = t.params[name]
                x.append(float(choices.split(",").index(v)) if kind == "categorical" else float(v))
            y_true = f(x)
            y = y_true + sd * noise.gauss(0.0, 1.0) if sd > 0 else y_true
            if i >= n_init and at_edge(space, x):
                near += 1
            if y < best_obs:
                best_obs, best_true = y, y_true
            regret.append(max(best_true - fmin, 0.0))
            study.tell(t, y)
            i += 1
    wall = time.perf_counter() - wall
    after = trials - n_init
    st = sorted(times)
    return {"problem": problem, "method": "optuna_" + sampler_name, "seed": seed,
            "trials": trials, "parallel": parallel, "n_init": n_init,
            "regret": {str(h): regret[h - 1] for h in horizons(trials)},
            "boundary": {"after_init": after, "near": near,
                         "frac": near / after if after > 0 else 0.0},
            "suggest_ms": {"median": 1e3 * st[len(st) // 2], "mean": 1e3 * sum(st) / len(st),
                           "max": 1e3 * st[-1]},
            "wall_s": wall}


def cmd_run(a):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")  # ExperimentalWarning (multivariate, constant_liar, QMC)
    lo, _, hi = a.seeds.partition("-")
    for seed in range(int(lo), int(hi or lo) + 1):
        print(json.dumps(run_one(a.problem, a.sampler, seed, a.trials, a.parallel)), flush=True)
    return 0


def cmd_serve(a):
    """The evaluator search_suite.c runs for an external problem: one point
    a line (categorical values as their index), its value a line."""
    f = PROBLEMS[a.problem][0]
    for line in sys.stdin:
        x = [float(v) for v in line.split()]
        print(repr(f(x)), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("problem", choices=list(PROBLEMS))
    sv.set_defaults(fn=cmd_serve)
    r = sub.add_parser("run")
    r.add_argument("--problem", required=True, choices=list(PROBLEMS))
    r.add_argument("--sampler", required=True, choices=["tpe", "tpe_mv", "random", "qmc"])
    r.add_argument("--seeds", default="0-9", help="A-B: seeds A..B (default 0-9)")
    r.add_argument("--trials", type=int, default=100)
    r.add_argument("--parallel", type=int, default=1)
    r.set_defaults(fn=cmd_run)
    c = sub.add_parser("check")
    c.add_argument("--against", help="search_suite.c check's output, to compare with")
    c.set_defaults(fn=cmd_check)
    sub.add_parser("list").set_defaults(fn=lambda a: print("\n".join(PROBLEMS)) or 0)
    a = ap.parse_args()
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
