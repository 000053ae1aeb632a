#!/usr/bin/python3
"""The Optuna side of the multi-fidelity benchmark (run_mf_bench.sh).

Optuna's recommended pairing, TPE with its Hyperband pruner (Optuna's
defaults otherwise: HyperbandPruner(min_resource=1, max_resource=EPOCHS,
reduction_factor=3)), driving the very trial programs ecosweep's sweeps run
(configs/examples/curves.py, digits_epochs.py), each trial a real process:
Optuna asks for a configuration, the program runs with it, every epoch's
val_loss is reported to the trial, and when the pruner says so the process
is killed (SIGTERM, as ecosweep stops a pruned trial).  Two trials run at a
time (study.optimize(n_jobs=2)), as the ecosweep sweeps run `parallel: 2`.

Energy is charged as ecosweep's estimate charges it: the process's CPU
seconds (user + system, from wait4) x WATTS per core, plus its peak RSS
(GiB) x 0.3725 W/GiB x its wall seconds (the Green Algorithms constants
ecosweep's worker uses); PUE is not applied (joules at the devices).

Usage: mf_optuna.py WORKLOAD SEED TRIALS OUT.json --program PATH --epochs N
           [--watts W]
writes {"trials": [{"number", "params", "status", "value", "steps",
"cpu_s", "energy_j", "started", "ended"}]}.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

import optuna
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)
DRAM_W_PER_GIB = 0.3725


def suggest(workload, trial):
    if workload == "synthetic":
        return {"lr": trial.suggest_float("lr", 1e-4, 1.0, log=True),
                "width": trial.suggest_int("width", 16, 512, log=True),
                "dropout": trial.suggest_float("dropout", 0.0, 0.5)}
    return {"lr": trial.suggest_float("lr", 1e-4, 0.1, log=True),
            "hidden": trial.suggest_int("hidden", 16, 256, log=True),
            "alpha": trial.suggest_float("alpha", 1e-5, 0.1, log=True)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["synthetic", "digits"])
    ap.add_argument("seed", type=int)
    ap.add_argument("trials", type=int)
    ap.add_argument("out")
    ap.add_argument("--program", required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--watts", type=float, default=12.0)
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    rows = []

    def objective(trial):
        p = suggest(a.workload, trial)
        argv = [sys.executable, a.program] + [f"--{k}={v}" for k, v in p.items()]
        argv.append(f"--epochs={a.epochs}")
        row = {"number": trial.number, "params": p, "status": "completed", "value": None,
               "steps": 0, "started": time.time()}
        rows.append(row)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
        pruned = False
        last = None
        for line in proc.stdout:
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            if "val_loss" not in fields:
                continue
            step = int(fields.get("step", row["steps"] + 1))
            last = float(fields["val_loss"])
            row["steps"] = step
            trial.report(last, step)
            if trial.should_prune():
                pruned = True
                proc.send_signal(signal.SIGTERM)
                break
        proc.stdout.close()
        t0 = row["started"]
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = status
        row["ended"] = time.time()
        row["cpu_s"] = ru.ru_utime + ru.ru_stime
        gib = ru.ru_maxrss / (1024.0 * 1024.0)
        row["energy_j"] = a.watts * row["cpu_s"] + DRAM_W_PER_GIB * gib * (row["ended"] - t0)
        row["value"] = last
        if pruned:
            row["status"] = "pruned"
            raise optuna.TrialPruned()
        if last is None or status != 0:
            row["status"] = "failed"
            raise RuntimeError("trial failed")
        return last

    sampler = optuna.samplers.TPESampler(seed=a.seed)
    pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=a.epochs,
                                            reduction_factor=3)
    study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)
    study.optimize(objective, n_trials=a.trials, n_jobs=2, catch=(RuntimeError,))
    assert all(t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
               for t in study.trials)
    with open(a.out, "w") as f:
        json.dump({"trials": rows}, f)


if __name__ == "__main__":
    main()
