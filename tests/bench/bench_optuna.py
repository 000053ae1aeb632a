#!/usr/bin/python3
"""The Optuna side of the Bayesian-search benchmark (run_bayes_bench.sh).

Runs Optuna (Debian's python3-optuna) on the same objectives, search spaces,
seeds and trial counts as the ecosweep side, evaluating each objective
in-process, as Optuna is normally used: the objective functions are imported
from configs/examples/ (the very code ecosweep's trials run).

  search   one objective and one sampler (tpe | random) over several seeds;
           writes per trial, in order: objective, parameters, and the CPU
           seconds of the objective call (time.process_time() around it:
           the trial's work only, not the sampler's), and its energy =
           CPU seconds x WATTS per core -- the constants ecosweep's estimate
           uses (the driver reads them from ecosweep's cpu_source).
  latency  how long TPE's ask() takes as observations grow: a 6-D study is
           told N random points (their Hartmann6 values), then ask() with
           the six distributions (so all six parameters are sampled inside
           the timed call) is timed REPEATS times; the asked trials are told
           FAIL, so the model always holds exactly N completed observations.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import argparse
import json
import math
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "configs", "examples"))

import branin as branin_mod  # noqa: E402
import hartmann6 as hartmann6_mod  # noqa: E402
import synthetic_train as synth_mod  # noqa: E402

import optuna  # noqa: E402
from optuna.distributions import FloatDistribution, IntDistribution  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


def space(objective):
    """The search space, matching the ecosweep specs the driver writes."""
    if objective == "branin":
        return {"x1": FloatDistribution(-5.0, 10.0), "x2": FloatDistribution(0.0, 15.0)}
    if objective == "hartmann6":
        return {f"x{i}": FloatDistribution(0.0, 1.0) for i in range(1, 7)}
    if objective == "synthetic":
        return {
            "model_size": IntDistribution(1, 64, log=True),
            "epochs": IntDistribution(1, 20),
            "lr": FloatDistribution(1e-4, 1e-1, log=True),
        }
    raise SystemExit(f"unknown objective {objective!r}")


def evaluate(objective, p):
    if objective == "branin":
        return branin_mod.branin(p["x1"], p["x2"])
    if objective == "hartmann6":
        return hartmann6_mod.hartmann6([p[f"x{i}"] for i in range(1, 7)])
    return synth_mod.train(p["model_size"], p["epochs"], p["lr"])


def make_sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)  # Optuna's defaults otherwise
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name!r}")


def run_one(objective, sampler, seed, trials, target, watts):
    dists = space(objective)
    study = optuna.create_study(direction="minimize", sampler=make_sampler(sampler, seed))
    rows = []

    def fn(trial):
        p = {k: (trial.suggest_int(k, d.low, d.high, log=d.log) if isinstance(d, IntDistribution)
                 else trial.suggest_float(k, d.low, d.high, log=d.log))
             for k, d in dists.items()}
        t0 = time.process_time()
        y = evaluate(objective, p)
        cpu = time.process_time() - t0
        rows.append({"params": p, "objective": y, "cpu_s": cpu, "energy_j": cpu * watts})
        return y

    def stop_at_target(study, trial):
        if target is not None and trial.value is not None and trial.value <= target:
            study.stop()

    t0 = time.perf_counter()
    study.optimize(fn, n_trials=trials, callbacks=[stop_at_target])
    wall = time.perf_counter() - t0
    return {"seed": seed, "wall_s": wall, "trials": rows}


def cmd_search(a):
    out = {"tool": "optuna", "optuna_version": optuna.__version__, "objective": a.objective,
           "sampler": a.sampler, "trials": a.trials, "target": a.target, "watts_per_core": a.watts,
           "runs": []}
    for seed in range(a.seeds):
        out["runs"].append(run_one(a.objective, a.sampler, seed, a.trials, a.target, a.watts))
    with open(a.out, "w") as f:
        json.dump(out, f)


def cmd_latency(a):
    dists = space("hartmann6")
    rng = random.Random(a.seed)
    res = {"tool": "optuna", "optuna_version": optuna.__version__, "sampler": "tpe",
           "dim": 6, "repeats": a.repeats, "rows": []}
    for n in [int(x) for x in a.ns.split(",")]:
        study = optuna.create_study(direction="minimize",
                                    sampler=optuna.samplers.TPESampler(seed=a.seed))
        done = []
        for _ in range(n):
            p = {k: rng.random() for k in dists}
            done.append(optuna.trial.create_trial(params=p, distributions=dists,
                                                  value=hartmann6_mod.hartmann6(list(p.values()))))
        study.add_trials(done)
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            trial = study.ask(dists)
            times.append((time.perf_counter() - t0) * 1000.0)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        times.sort()
        res["rows"].append({"n": n, "median_ms": times[len(times) // 2],
                            "p90_ms": times[min(len(times) - 1, int(math.ceil(0.9 * len(times))) - 1)],
                            "min_ms": times[0], "max_ms": times[-1]})
        print(f"optuna tpe ask(): n={n} dim=6 median_ms={res['rows'][-1]['median_ms']:.2f}",
              file=sys.stderr)
    with open(a.out, "w") as f:
        json.dump(res, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("search")
    s.add_argument("--objective", required=True, choices=["branin", "hartmann6", "synthetic"])
    s.add_argument("--sampler", required=True, choices=["tpe", "random"])
    s.add_argument("--seeds", type=int, required=True, help="seeds 0..SEEDS-1")
    s.add_argument("--trials", type=int, required=True)
    s.add_argument("--target", type=float, default=None, help="stop a study once reached")
    s.add_argument("--watts", type=float, required=True, help="watts per core (ecosweep's)")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_search)
    lat = sub.add_parser("latency")
    lat.add_argument("--ns", default="50,200,500,1000")
    lat.add_argument("--repeats", type=int, default=20)
    lat.add_argument("--seed", type=int, default=0)
    lat.add_argument("--out", required=True)
    lat.set_defaults(fn=cmd_latency)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
