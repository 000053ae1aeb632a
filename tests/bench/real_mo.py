#!/usr/bin/env python3
"""A real multi-objective task, measured: an SVM on scikit-learn's digits
(configs/examples/digits_phases.py), validation accuracy against the energy
ecosweep-worker measures for one phase of the trial -- training (task
"train": the phase's joules) or inference (task "infer": joules per
prediction, through the trial's items=N).  ecosweep's bayes and random
sweeps beside Optuna 3.1's NSGA-II and MOTPE, every trial of every method
run and metered by the same worker.

  real_mo.py ecosweep BUILD METHOD TASK SEED TRIALS    one sweep, one JSON line
  real_mo.py optuna BUILD SAMPLER TASK SEED TRIALS     one Optuna study, likewise
  real_mo.py report RUNS.jsonl OUT_PREFIX              OUT_PREFIX.json and .md

Each line holds, per trial in order: accuracy, the phase objective (device
joules, no PUE) and the trial's whole energy (joules, interpreter start
included: what the sweep spent).  The report's hypervolume (accuracy as
1 - accuracy, both minimized) is against one reference point per task for
every method: 1 - 0.9 (the constraint's accuracy) and the 90th percentile
of the phase objective over every trial of every run.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mo_suite import hypervolume  # noqa: E402  (the suite's exact 2-D hypervolume)
ROOT = os.path.dirname(os.path.dirname(HERE))
TRIAL = os.path.join(ROOT, "configs", "examples", "digits_phases.py")
PY = "/usr/bin/python3"
HORIZONS = (10, 20, 30)
ACC_MIN = 0.9
BOUNDS = {"C": (0.01, 1000.0), "gamma": (1e-5, 0.1)}
OBJECTIVE = {"train": "phase.train.kwh", "infer": "phase.infer.kwh_per_item"}


def phase_value(task, phases):
    """The task's objective from a trial's phases {name: (joules, items)}."""
    name = "train" if task == "train" else "infer"
    if name not in phases:
        return None
    j, items = phases[name]
    if task == "train":
        return j
    return j / items if items else None


def run_ecosweep(build, method, task, seed, trials):
    spec = """name: real
method: %s
program: %s
command: ["%s", "${program}", "${args}"]
objectives:
  - {name: val_accuracy, goal: maximize}
  - {name: %s, goal: minimize}
constraints: [{name: val_accuracy, min: %g}]
parameters:
  C: {distribution: log_uniform_values, min: %g, max: %g}
  gamma: {distribution: log_uniform_values, min: %g, max: %g}
run_cap: %d
parallel: 1
seed: %d
""" % (method, TRIAL, PY, OBJECTIVE[task], ACC_MIN, BOUNDS["C"][0], BOUNDS["C"][1],
       BOUNDS["gamma"][0], BOUNDS["gamma"][1], trials, seed)
    eco = os.path.join(build, "ecosweep")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "real.yaml")
        db = os.path.join(d, "real.db")
        open(path, "w").write(spec)
        subprocess.run([eco, "run", path, "--db", db], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        rep = json.loads(subprocess.run([eco, "report", "--db", db, "--format", "json"],
                                        check=True, capture_output=True, text=True).stdout)
    sweep = rep["projects"][0]["sweeps"][0]
    rows = []
    for t in sweep["trials"]:
        acc = t["metrics"].get("val_accuracy") if t["status"] == "completed" else None
        ph = {k: (v["joules"], v["items"]) for k, v in t.get("phases", {}).items()}
        e = t.get("energy", {})
        whole = sum(e[k] for k in ("cpu_j", "dram_j", "gpu_j") if e.get(k) is not None)
        rows.append([acc, phase_value(task, ph), whole])
    return {"method": "ecosweep-" + method, "task": task, "seed": seed, "trials": rows}


RESULT = re.compile(r"^ecosweep-result (.*)$", re.M)


def metered(build, params):
    """Run one trial through ecosweep-worker: (accuracy, phases, joules)."""
    worker = os.path.join(build, "ecosweep-worker")
    args = ["--%s=%r" % (k, v) for k, v in sorted(params.items())]
    p = subprocess.run([worker, "--", PY, TRIAL] + args, capture_output=True, text=True)
    m = RESULT.search(p.stderr)
    if m is None:
        return None, {}, 0.0
    tok = dict(kv.split("=", 1) for kv in m.group(1).split() if "=" in kv)
    whole = sum(float(tok[k]) for k in ("cpu_j", "dram_j", "gpu_j") if tok.get(k, "nan") != "nan")
    items = {}
    acc = None
    phase = None
    for line in p.stdout.splitlines():
        if line.startswith("ecosweep-phase "):
            phase = line.split()[1]
        elif line.startswith("items=") and phase:
            items[phase] = float(line.split("=", 1)[1])
        elif line.startswith("val_accuracy="):
            acc = float(line.split("=", 1)[1])
    phases = {}
    for k, v in tok.items():
        if k.startswith("phase."):
            f = [float(x) for x in v.split(",")]
            phases[k[6:]] = (sum(x for x in f[1:4] if x == x), items.get(k[6:]))
    return acc, phases, whole


def run_optuna(build, sampler_name, task, seed, trials):
    import warnings
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # MOTPESampler's deprecation: the same sampler as mo_suite
    if sampler_name == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    else:
        sampler = optuna.samplers.MOTPESampler(seed=seed)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    rows = []
    for _ in range(trials):
        t = study.ask()
        params = {k: t.suggest_float(k, lo, hi, log=True) for k, (lo, hi) in BOUNDS.items()}
        acc, phases, whole = metered(build, params)
        y = phase_value(task, phases)
        if acc is None or y is None:
            study.tell(t, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(t, [acc, y])
        rows.append([acc, y, whole])
    return {"method": "optuna-" + sampler_name, "task": task, "seed": seed, "trials": rows}


def feasible(row):
    return row[0] is not None and row[1] is not None and row[0] >= ACC_MIN


def curve(run, ref):
    """Hypervolume after each trial, and the joules spent so far."""
    pts, hv, spent, j = [], [], [], 0.0
    for row in run["trials"]:
        j += row[2] or 0.0
        if feasible(row):
            pts.append((1.0 - row[0], row[1]))
        hv.append(hypervolume(pts, ref))
        spent.append(j)
    return hv, spent


def energy_to(hv, spent, target):
    """The joules spent when the hypervolume first reached target; None when
    it never did."""
    for v, j in zip(hv, spent):
        if v > 0 and v >= target * (1 - 1e-12):
            return j
    return None


def censored_median(values):
    """The median of values where None (never reached) counts as more than
    any number: None when the median itself was not reached."""
    xs = sorted(values, key=lambda v: (v is None, v or 0.0))
    m = xs[(len(xs) - 1) // 2] if xs else None
    return m


def report(path, prefix):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    tasks = sorted({r["task"] for r in runs})
    levels = (0.9, 1.0)
    out = {"horizons": HORIZONS, "target_levels": levels, "tasks": {}}
    lines = ["# A real task: accuracy against measured phase energy", "",
             "SVM on scikit-learn's digits (configs/examples/digits_phases.py); every trial of "
             "every method run and metered by ecosweep-worker (here: the estimate, CPU time x "
             "12 W/core, read at each phase marker), %d trials a run, sequential. Objectives: "
             "validation accuracy (>= %g to count) against the training phase's joules (task "
             "train) or the inference phase's joules per prediction (task infer). Hypervolume "
             "of (1 - accuracy, energy) against (%g, the 90th percentile of the energy over "
             "every trial of every run), medians over seeds [min, max]. Energy to reach a "
             "level: the joules every trial so far cost (interpreter start included: what the "
             "sweep spent) when a run's hypervolume first reached that share of random "
             "search's median hypervolume at %d trials; median over seeds, a run that never "
             "reached it counting as more than any (\"not reached\" when the median did not)."
             % (HORIZONS[-1], ACC_MIN, 1 - ACC_MIN, HORIZONS[-1]), ""]
    for task in tasks:
        rs = [r for r in runs if r["task"] == task]
        ys = sorted(row[1] for r in rs for row in r["trials"] if row[1] is not None)
        ref = (1.0 - ACC_MIN, ys[int(0.9 * (len(ys) - 1))])
        methods = sorted({r["method"] for r in rs})
        curves = {m: [curve(r, ref) for r in rs if r["method"] == m] for m in methods}
        rnd = curves.get("ecosweep-random", [])
        base = statistics.median(c[0][HORIZONS[-1] - 1] for c in rnd) if rnd else None
        t_out = {"reference_point": ref, "random_median_hypervolume": base, "methods": {}}
        lines += ["## Task %s (reference %.3g, %.4g J)" % (task, ref[0], ref[1]), "",
                  "| method | seeds | " + " | ".join("HV@%d" % h for h in HORIZONS) + " | " +
                  " | ".join("J to %d%% of random's HV@%d (runs reaching)" %
                             (lv * 100, HORIZONS[-1]) for lv in levels) + " |",
                  "|---|---|" + "---|" * (len(HORIZONS) + len(levels))]
        for m in methods:
            cs = curves[m]
            hv_at = [[c[0][h - 1] for c in cs if len(c[0]) >= h] for h in HORIZONS]
            cells, to = [], {}
            for lv in levels:
                reach = [energy_to(hv, spent, lv * base) for hv, spent in cs] if base else []
                med = censored_median(reach)
                to["%g" % lv] = {"median_j": med,
                                 "runs_reaching": sum(r is not None for r in reach)}
                cells.append("%s (%d of %d)" % ("%.4g" % med if med is not None else "not reached",
                                                to["%g" % lv]["runs_reaching"], len(cs)))
            t_out["methods"][m] = {"median_hypervolume": [statistics.median(v) for v in hv_at],
                                   "energy_to": to, "runs": len(cs)}
            lines.append("| %s | %d | " % (m, len(cs)) + " | ".join(
                "%.3g [%.3g, %.3g]" % (statistics.median(v), min(v), max(v)) for v in hv_at) +
                " | " + " | ".join(cells) + " |")
        lines.append("")
        for lv in levels:
            eb = t_out["methods"].get("ecosweep-bayes", {}).get("energy_to", {}).get("%g" % lv)
            er = t_out["methods"].get("ecosweep-random", {}).get("energy_to", {}).get("%g" % lv)
            if eb and er and eb["median_j"] and er["median_j"]:
                r = eb["median_j"] / er["median_j"]
                t_out["bayes_over_random_energy_%g" % lv] = r
                lines.append("- %d%% of random's hypervolume: ecosweep bayes spent %.2f times the "
                             "energy random search did (target: at most 0.5)." % (lv * 100, r))
            elif eb and er:
                lines.append("- %d%% of random's hypervolume: bayes %s, random %s (median)." % (
                    lv * 100, "reached" if eb["median_j"] else "not reached",
                    "reached" if er["median_j"] else "not reached"))
        lines.append("")
        out["tasks"][task] = t_out
    json.dump(out, open(prefix + ".json", "w"), indent=1, sort_keys=True)
    open(prefix + ".md", "w").write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 7 and a[1] in ("ecosweep", "optuna"):
        fn = run_ecosweep if a[1] == "ecosweep" else run_optuna
        print(json.dumps(fn(a[2], a[3], a[4], int(a[5]), int(a[6]))))
    elif len(a) == 4 and a[1] == "report":
        report(a[2], a[3])
    else:
        sys.exit(__doc__)
