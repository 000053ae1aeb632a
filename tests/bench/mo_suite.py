#!/usr/bin/env python3
"""The Optuna side of the multi-objective suite (run_mo_suite.sh), and its
report.

  mo_suite.py run PROBLEM SEED TRIALS SAMPLER   one Optuna sweep (nsga2|motpe),
                                                one JSON line like mo_suite's
  mo_suite.py report RUNS.jsonl OUT_PREFIX      hypervolumes at 20/40/100
                                                trials: OUT_PREFIX.json, .md

The problems are those of tests/bench/mo_suite.c, written again here; the
report recomputes every run's objectives from its points and refuses a run
whose values differ by more than 1e-9 (the two sides agree).  Hypervolume:
exact in 2-D, against a fixed reference point per problem.
"""
import json
import math
import statistics
import sys


def _g(x):
    return 1.0 + 9.0 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = _g(x)
    return [x[0], g * (1.0 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = _g(x)
    return [x[0], g * (1.0 - (x[0] / g) ** 2)]


def zdt3(x):
    g = _g(x)
    return [x[0], g * (1.0 - math.sqrt(x[0] / g) - x[0] / g * math.sin(10 * math.pi * x[0]))]


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[1:])
    return [(1 + g) * math.cos(x[0] * math.pi / 2), (1 + g) * math.sin(x[0] * math.pi / 2)]


def dtlz2_3(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a)]


def dtlz7_3(x):
    g = 1.0 + 9.0 * sum(x[2:]) / (len(x) - 2)
    h = 3.0 - sum(v / (1 + g) * (1 + math.sin(3 * math.pi * v)) for v in x[:2])
    return [x[0], x[1], (1 + g) * h]


def branin_currin(x):
    a, b = 15 * x[0] - 5, 15 * x[1]
    t = b - 5.1 / (4 * math.pi ** 2) * a * a + 5 / math.pi * a - 6
    f1 = t * t + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a) + 10
    u, v = x[0], max(x[1], 1e-12)
    f2 = (1 - math.exp(-1 / (2 * v))) * (2300 * u ** 3 + 1900 * u ** 2 + 2092 * u + 60) / (
        100 * u ** 3 + 500 * u ** 2 + 4 * u + 20)
    return [f1, f2]


# name: (dimensions, function, reference point)
PROBLEMS = {
    "zdt1": (6, zdt1, (1.1, 4.0)),
    "zdt2": (6, zdt2, (1.1, 4.0)),
    "zdt3": (4, zdt3, (1.1, 4.0)),
    "dtlz2": (5, dtlz2, (1.5, 1.5)),
    "branin_currin": (2, branin_currin, (18.0, 6.0)),
    "dtlz2_3d": (6, dtlz2_3, (1.5, 1.5, 1.5)),
    "dtlz7_3d": (6, dtlz7_3, (1.1, 1.1, 20.0)),
}
HORIZONS = (20, 40, 100)


def hypervolume(ys, ref):
    if len(ref) == 3:
        return hypervolume3(ys, ref)
    pts = sorted((p for p in ys if p[0] < ref[0] and p[1] < ref[1]), key=lambda p: (p[0], p[1]))
    hv, best = 0.0, ref[1]
    for p in pts:
        if p[1] < best:
            hv += (ref[0] - p[0]) * (best - p[1])
            best = p[1]
    return hv


def hypervolume3(ys, ref):
    """Exact: slabs between successive third coordinates, each the 2-D
    hypervolume of the points at or below it."""
    pts = sorted((p for p in ys if all(a < r for a, r in zip(p, ref))), key=lambda p: p[2])
    hv = 0.0
    for k, p in enumerate(pts):
        top = pts[k + 1][2] if k + 1 < len(pts) else ref[2]
        if top > p[2]:
            hv += (top - p[2]) * hypervolume([q[:2] for q in pts[:k + 1]], ref[:2])
    return hv


def run(problem, seed, trials, sampler_name):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    d, f, _ = PROBLEMS[problem]
    if sampler_name == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    else:
        sampler = optuna.samplers.MOTPESampler(seed=seed)
    study = optuna.create_study(directions=["minimize"] * len(PROBLEMS[problem][2]),
                                sampler=sampler)
    xs, ys = [], []
    for _ in range(trials):
        t = study.ask()
        x = [t.suggest_float("x%d" % j, 0.0, 1.0) for j in range(d)]
        y = f(x)
        study.tell(t, y)
        xs.append(x)
        ys.append(y)
    print(json.dumps({"problem": problem, "method": "optuna-" + sampler_name, "seed": seed,
                      "parallel": 1, "x": xs, "y": ys}))


def report(path, prefix):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    table = {}
    for r in runs:
        d, f, ref = PROBLEMS[r["problem"]]
        for x, y in zip(r["x"], r["y"]):
            z = f(x)
            if any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(y, z)):
                sys.exit("mo_suite.py: %s %s seed %s: the two sides disagree at %r: %r vs %r"
                         % (r["problem"], r["method"], r["seed"], x, y, z))
        key = (r["problem"], r["method"], r.get("parallel", 1))
        hv = [hypervolume(r["y"][:h], ref) for h in HORIZONS if h <= len(r["y"])]
        table.setdefault(key, []).append(hv)
    out = {"horizons": HORIZONS, "reference_points": {k: v[2] for k, v in PROBLEMS.items()},
           "median_hypervolume": {}}
    lines = ["# Multi-objective suite: median hypervolume (higher is better)", "",
             "Every objective minimized; reference points: " +
             ", ".join("%s %s" % (k, v[2]) for k, v in PROBLEMS.items()) +
             ". Medians over %d seeds; ecosweep bayes uses expected hypervolume "
             "improvement of a surrogate per objective (search/ehvi.c)." % max(len(v) for v in table.values()), "",
             "| problem | method | parallel | " + " | ".join("HV@%d" % h for h in HORIZONS) + " |",
             "|---|---|---|" + "---|" * len(HORIZONS)]
    wins = {}
    for key in sorted(table):
        cols = list(zip(*table[key]))
        med = [statistics.median(c) for c in cols]
        out["median_hypervolume"]["%s/%s/q%d" % key] = med
        lines.append("| %s | %s | %d | " % key + " | ".join("%.4g" % m for m in med) + " |")
    # ecosweep against the better peer, per problem and horizon.
    lines += ["", "| problem | parallel | " + " | ".join(
        "ecosweep / best peer @%d" % h for h in HORIZONS) + " |",
        "|---|---|" + "---|" * len(HORIZONS)]
    ratios = {}
    for (p, m, q) in sorted(table):
        if m != "ecosweep-bayes":
            continue
        eco = out["median_hypervolume"]["%s/%s/q%d" % (p, m, q)]
        peers = [out["median_hypervolume"]["%s/%s/q1" % (p, o)] for o in
                 ("optuna-nsga2", "optuna-motpe") if "%s/%s/q1" % (p, o) in
                 out["median_hypervolume"]]
        if not peers:
            continue
        best = [max(c) for c in zip(*peers)]
        r = [e / b if b > 0 else float("inf") for e, b in zip(eco, best)]
        ratios["%s/q%d" % (p, q)] = r
        lines.append("| %s | %d | " % (p, q) + " | ".join("%.3f" % v for v in r) + " |")
    out["ecosweep_over_best_peer"] = ratios
    json.dump(out, open(prefix + ".json", "w"), indent=1, sort_keys=True)
    open(prefix + ".md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
