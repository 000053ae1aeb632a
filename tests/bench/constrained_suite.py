#!/usr/bin/env python3
"""The Optuna side of the constrained suite (run_constrained_suite.sh), and
its report.

  constrained_suite.py run PROBLEM SEED TRIALS SAMPLER [Q]
      one Optuna sweep (tpe | tpe-mv | random | nsga2), Q trials asked and
      then told at a time (TPE with constant liar when Q > 1); one JSON line
      like constrained_suite's
  constrained_suite.py report RUNS.jsonl OUT_PREFIX
      regret of the best feasible trial (one objective) or hypervolume of
      the feasible trials (two) at 20/40/100 trials: OUT_PREFIX.json, .md

The problems are those of tests/bench/constrained_suite.c, written again
here; the report recomputes every run's values from its points and refuses a
run whose values differ by more than 1e-9 (the two sides agree).  Every
constraint is feasible at or below 0; Optuna gets the same values through
`constraints_func`.  The optimum of each single-objective problem is found
here (SciPy's SLSQP from the 64 best feasible of 20,000 uniform points and
from the published optimum where there is one), so a regret is against the
best point either method could have found.
"""
import json
import math
import random
import statistics
import sys

import search_suite
from mo_suite import hypervolume


def gardner(x):
    return [math.cos(2 * x[0]) * math.cos(x[1]) + math.sin(x[0])], [
        math.cos(x[0]) * math.cos(x[1]) - math.sin(x[0]) * math.sin(x[1]) - 0.5]


def branin_disc(x):
    a, b = x
    t = b - 5.1 / (4 * math.pi ** 2) * a * a + 5 / math.pi * a - 6
    return [t * t + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a) + 10], [
        (a - 2.5) ** 2 + (b - 7.5) ** 2 - 50]


def gramacy(x):
    return [x[0] + x[1]], [
        1.5 - x[0] - 2 * x[1] - 0.5 * math.sin(2 * math.pi * (x[0] ** 2 - 2 * x[1])),
        x[0] ** 2 + x[1] ** 2 - 1.5]


def hartmann6_simplex(x):
    return [search_suite.hartmann6(x)], [sum(x) - 1.5]


def spring(x):
    d, D, N = x
    return [(N + 2) * D * d * d], [
        1 - D ** 3 * N / (71785 * d ** 4),
        (4 * D * D - d * D) / (12566 * (D * d ** 3 - d ** 4)) + 1 / (5108 * d * d) - 1,
        1 - 140.45 * d / (D * D * N),
        (D + d) / 1.5 - 1]


def pressure_vessel(x):
    ts, th, r, l = x
    return [0.6224 * ts * r * l + 1.7781 * th * r * r + 3.1661 * ts * ts * l +
            19.84 * ts * ts * r], [
        -ts + 0.0193 * r, -th + 0.00954 * r,
        -math.pi * r * r * l - 4 / 3 * math.pi * r ** 3 + 1296000]


def srn(x):
    return [2 + (x[0] - 2) ** 2 + (x[1] - 1) ** 2, 9 * x[0] - (x[1] - 1) ** 2], [
        x[0] ** 2 + x[1] ** 2 - 225, x[0] - 3 * x[1] + 10]


def tnk(x):
    return [x[0], x[1]], [
        -(x[0] ** 2 + x[1] ** 2 - 1 - 0.1 * math.cos(16 * math.atan2(x[0], x[1]))),
        (x[0] - 0.5) ** 2 + (x[1] - 0.5) ** 2 - 0.5]


# name: (bounds, function, published optimum (point) or None, reference point for 2 objectives)
PROBLEMS = {
    "gardner": ([(0, 6), (0, 6)], gardner, None, None),
    "branin_disc": ([(-5, 10), (0, 15)], branin_disc, [math.pi, 2.275], None),
    "gramacy": ([(0, 1), (0, 1)], gramacy, [0.1954, 0.4044], None),
    "hartmann6_simplex": ([(0, 1)] * 6, hartmann6_simplex, None, None),
    "spring": ([(0.05, 2), (0.25, 1.3), (2, 15)], spring, [0.051690, 0.356750, 11.287126], None),
    "pressure_vessel": ([(0.1, 10), (0.1, 10), (10, 200), (10, 200)], pressure_vessel,
                        [0.7782, 0.3846, 40.3196, 200.0], None),
    "srn": ([(-20, 20), (-20, 20)], srn, None, (250.0, 50.0)),
    "tnk": ([(1e-9, math.pi), (1e-9, math.pi)], tnk, None, (1.2, 1.2)),
}
HORIZONS = (20, 40, 100)


def feasible(c):
    return all(v <= 0 for v in c)


def optimum(name):
    """The best feasible value found by SLSQP from many starts."""
    import numpy as np
    from scipy.optimize import minimize
    bounds, f, known, _ = PROBLEMS[name]
    rng = random.Random(12345)
    pts = [[rng.uniform(a, b) for a, b in bounds] for _ in range(20000)]
    feas = sorted((f(p)[0][0], p) for p in pts if feasible(f(p)[1]))
    starts = [p for _, p in feas[:64]] + ([known] if known else [])
    best = min((v for v, _ in feas), default=math.inf)
    if known and feasible(f(known)[1]):
        best = min(best, f(known)[0][0])
    cons = [{"type": "ineq", "fun": (lambda x, k=k: -f(list(x))[1][k])}
            for k in range(len(f(starts[0])[1]))]
    for s in starts:
        try:
            r = minimize(lambda x: f(list(x))[0][0], np.array(s), method="SLSQP",
                         bounds=bounds, constraints=cons, options={"maxiter": 500, "ftol": 1e-12})
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        x = [min(max(v, a), b) for v, (a, b) in zip(r.x, bounds)]
        y, c = f(x)
        if feasible(c) and y[0] < best:
            best = y[0]
    return best


def run(problem, seed, trials, sampler_name, q):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bounds, f, _, ref = PROBLEMS[problem]

    def cons(t):
        return t.user_attrs["c"]
    if sampler_name == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cons)
    elif sampler_name == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=cons,
                                             multivariate=sampler_name == "tpe-mv",
                                             constant_liar=q > 1)
    study = optuna.create_study(directions=["minimize"] * (2 if ref else 1), sampler=sampler)
    xs, ys, cs = [], [], []
    while len(xs) < trials:
        batch = [study.ask() for _ in range(min(q, trials - len(xs)))]
        for t in batch:
            x = [t.suggest_float("x%d" % j, a, b) for j, (a, b) in enumerate(bounds)]
            y, c = f(x)
            t.set_user_attr("c", c)
            xs.append(x)
            ys.append(y)
            cs.append(c)
        for t, y in zip(batch, ys[-len(batch):]):
            study.tell(t, y if ref else y[0])
    print(json.dumps({"problem": problem, "method": "optuna-" + sampler_name, "seed": seed,
                      "parallel": q, "x": xs, "y": ys, "c": cs}))


def score(r, h, fstar):
    """Regret of the best feasible trial among the first h (inf: none), or
    the feasible trials' hypervolume."""
    ref = PROBLEMS[r["problem"]][3]
    pairs = [(y, c) for y, c in zip(r["y"][:h], r["c"][:h]) if feasible(c)]
    if ref:
        return hypervolume([y for y, _ in pairs], ref)
    return min((y[0] for y, _ in pairs), default=math.inf) - fstar


def first_feasible(r):
    return next((i + 1 for i, c in enumerate(r["c"]) if feasible(c)), math.inf)


def infeasible_share(r):
    """The share of the trials that break a constraint: what the search
    spends outside the feasible region."""
    return sum(not feasible(c) for c in r["c"]) / len(r["c"])


def fmt(v):
    return "none" if v == math.inf else "%.3g" % v


def finite(v):
    """v with every infinity or NaN as null, which JSON can carry."""
    if isinstance(v, dict):
        return {k: finite(e) for k, e in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite(e) for e in v]
    return None if isinstance(v, float) and not math.isfinite(v) else v


def report(path, prefix):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    for r in runs:
        f = PROBLEMS[r["problem"]][1]
        for x, y, c in zip(r["x"], r["y"], r["c"]):
            z, d = f(x)
            if any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(y + c, z + d)):
                sys.exit("constrained_suite.py: %s %s seed %s: the two sides disagree at %r"
                         % (r["problem"], r["method"], r["seed"], x))
    fstar = {p: optimum(p) for p, v in PROBLEMS.items() if v[3] is None}
    table, feas, waste = {}, {}, {}
    for r in runs:
        key = (r["problem"], r["method"], r.get("parallel", 1))
        table.setdefault(key, []).append([score(r, h, fstar.get(r["problem"]))
                                          for h in HORIZONS])
        feas.setdefault(key, []).append(first_feasible(r))
        waste.setdefault(key, []).append(infeasible_share(r))
    n_seeds = max(len(v) for v in table.values())
    out = {"horizons": HORIZONS, "optimum": fstar, "median": {}, "first_feasible": {},
           "infeasible_share": {}}
    lines = ["# Constrained suite", "",
             "Every constraint is feasible at or below 0; one objective: median regret of the "
             "best feasible trial (`none`: most seeds found nothing feasible), lower is better; "
             "two objectives (srn, tnk): median hypervolume of the feasible trials, higher is "
             "better (reference points %s). Medians over %d seeds. Optimum of each problem: %s."
             % (", ".join("%s %s" % (k, v[3]) for k, v in PROBLEMS.items() if v[3]), n_seeds,
                ", ".join("%s %.6g" % kv for kv in fstar.items())), "",
             "| problem | method | parallel | " + " | ".join("@%d" % h for h in HORIZONS) +
             " | first feasible trial (median) | trials breaking a constraint (median share) |",
             "|---|---|---|" + "---|" * len(HORIZONS) + "---|---|"]
    for key in sorted(table):
        med = [statistics.median(col) for col in zip(*table[key])]
        ff = statistics.median(feas[key])
        out["median"]["%s/%s/q%d" % key] = med
        ws = statistics.median(waste[key])
        out["first_feasible"]["%s/%s/q%d" % key] = ff
        out["infeasible_share"]["%s/%s/q%d" % key] = ws
        lines.append("| %s | %s | %d | " % key + " | ".join(fmt(m) for m in med) +
                     " | %s | %.2f |" % (fmt(ff), ws))
    # ecosweep bayes against the better peer at the same parallelism.
    lines += ["", "ecosweep bayes over the better Optuna peer at the same parallelism "
              "(one objective: regret ratio, below 1 is better; two: hypervolume ratio, "
              "above 1 is better).", "",
              "| problem | parallel | " + " | ".join("@%d" % h for h in HORIZONS) + " |",
              "|---|---|" + "---|" * len(HORIZONS)]
    ratios = {}
    for (p, m, q) in sorted(table):
        if m != "ecosweep-bayes":
            continue
        mo = PROBLEMS[p][3] is not None
        peers = [out["median"][k] for k in ("%s/%s/q%d" % (p, o, q) for o in (
            "optuna-tpe", "optuna-tpe-mv", "optuna-nsga2")) if k in out["median"]]
        if not peers:
            continue
        best = [(max if mo else min)(col) for col in zip(*peers)]
        eco = out["median"]["%s/%s/q%d" % (p, m, q)]
        r = []
        for e, b in zip(eco, best):
            if mo:
                r.append(e / b if b > 0 else math.inf)
            elif b == math.inf:
                r.append(0.0 if e < math.inf else math.nan)
            else:
                r.append(e / b if b > 1e-12 else (1.0 if e <= 1e-12 else math.inf))
        ratios["%s/q%d" % (p, q)] = r
        lines.append("| %s | %d | " % (p, q) + " | ".join("%.3g" % v for v in r) + " |")
    out["ecosweep_over_best_peer"] = ratios
    json.dump(finite(out), open(prefix + ".json", "w"), indent=1, sort_keys=True)
    open(prefix + ".md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) in (6, 7) and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
            int(sys.argv[6]) if len(sys.argv) == 7 else 1)
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
