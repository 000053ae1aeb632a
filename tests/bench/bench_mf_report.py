#!/usr/bin/python3
"""Aggregate the multi-fidelity benchmark (run_mf_bench.sh) into tables.

Usage: bench_mf_report.py WORKDIR OUT.md OUT.json

WORKDIR is what the driver left: meta.json, times, specs.txt and, per
sweep, runs/WORKLOAD-ARM-SEED.json (`ecosweep report --format json`) or
.optuna.json (mf_optuna.py), or .err.

Per sweep, from its trials (each: status, steps reached, final value when it
ran every epoch, energy at the devices, end time):
  * to_target_j: the energy of the trials that had ended when the first
    trial with a final value at or below the workload's target ended (that
    one included); None when no trial reached it (censored: infinite in
    medians);
  * best: the best final value (trials that ran every epoch);
  * energy_j: all its trials' energy; pruned: how many were stopped.
Two targets per workload, both quantiles of the final values of every trial
of the random arm (all run to the end: random configurations): easy, the
level a random sweep of n trials reaches 4 times in 5 (q = 1 - 0.2^(1/n)),
and hard, the level it reaches 1 time in 5 (q = 1 - 0.8^(1/n)).
Per workload and arm: medians over seeds with a bootstrap 95% interval of
the median for the energy to the target, and the ratios of medians the
targets are stated in.  "Same best within noise": the median paired
difference of best (same seed) at most half the interquartile range of the
random arm's best across seeds.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import json
import math
import os
import random
import sqlite3
import sys

from bench_prune_report import fmt, fmt_stats, quantile, stats

WORKLOADS = [("synthetic", "synthetic learning curves (configs/examples/curves.py)", 27),
             ("digits", "scikit-learn digits, MLP by epochs (configs/examples/digits_epochs.py)", 18)]
ARMS = ["random", "random-hyperband", "bayes", "bayes-hyperband", "optuna-tpe-hyperband"]
INF = float("inf")
# The targets: the level a random sweep of the benchmark's length reaches
# with this chance (q = 1 - (1 - chance)^(1/n) of random configurations).
TARGETS = [("easy", 0.8), ("hard", 0.2)]


def boot_ci(xs, reps=2000, seed=1):
    """A percentile bootstrap 95% interval of the median (infinite allowed)."""
    if not xs:
        return None
    rng = random.Random(seed)
    meds = sorted(quantile([rng.choice(xs) for _ in xs], 0.5) for _ in range(reps))
    return [meds[int(0.025 * reps)], meds[int(0.975 * reps) - 1]]


def load_ecosweep(path, db):
    """A sweep's trials from its JSON report, their end times (to the
    microsecond, where the report prints seconds) from its database."""
    with open(path) as f:
        rep = json.load(f)
    sw = rep["projects"][0]["sweeps"][0]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ended = dict(con.execute("SELECT id, ended FROM trial"))
    con.close()
    out = []
    for t in sw["trials"]:
        e = t["energy"]
        out.append({"status": t["status"], "steps": t.get("steps") or 0,
                    "value": t.get("objective"),
                    "energy_j": sum(e[k] or 0.0 for k in ("cpu_j", "dram_j", "gpu_j")),
                    "ended": ended.get(t["id"])})
    methods = sorted({t["energy"]["cpu_method"] for t in sw["trials"]
                      if t["energy"].get("cpu_method")})
    return out, methods


def load_optuna(path):
    with open(path) as f:
        d = json.load(f)
    return [{"status": t["status"], "steps": t["steps"], "value": t["value"],
             "energy_j": t["energy_j"], "ended": t["ended"]} for t in d["trials"]], ["estimate"]


def summarize(trials, epochs, target):
    for t in trials:
        t["ended_s"] = t["ended"]
        t["final"] = (t["value"] if t["steps"] >= epochs and t["value"] is not None
                      and t["status"] in ("completed", "pruned") else None)
    trials = sorted(trials, key=lambda t: t["ended_s"] if t["ended_s"] is not None else INF)
    to_target = None
    spent = 0.0
    for t in trials:
        spent += t["energy_j"]
        if to_target is None and t["final"] is not None and target is not None \
                and t["final"] <= target:
            to_target = spent
    finals = [t["final"] for t in trials if t["final"] is not None]
    return {"energy_j": sum(t["energy_j"] for t in trials),
            "to_target_j": to_target,
            "best": min(finals) if finals else None,
            "trials": len(trials),
            "pruned": sum(t["status"] == "pruned" for t in trials),
            "completed": len(finals)}


def judge(w, tname, chance, q, target, sweeps, meta, times, md):
    """One target of one workload: the arms' figures, the table, the verdict."""
    epochs = dict((k, e) for k, _, e in WORKLOADS)[w]
    per = {}
    for (arm, s), tr in sweeps.items():
        per[(arm, s)] = summarize(tr, epochs, target) if tr is not None else None
    rnd_best = [per[("random", s)]["best"] for s in range(meta["seeds"])
                if per.get(("random", s)) and per[("random", s)]["best"] is not None]
    band = None
    if len(rnd_best) >= 2:
        band = 0.5 * (quantile(rnd_best, 0.75) - quantile(rnd_best, 0.25))
    arms_out = {}
    for arm in ARMS:
        rows = [per.get((arm, s)) for s in range(meta["seeds"])]
        ok = [r for r in rows if r is not None]
        tt = [r["to_target_j"] if r["to_target_j"] is not None else INF for r in ok]
        diff = []
        for s in range(meta["seeds"]):
            a, b = per.get((arm, s)), per.get(("random", s))
            if a and b and a["best"] is not None and b["best"] is not None:
                diff.append(a["best"] - b["best"])
        arms_out[arm] = {
            "to_target_j": stats(tt), "to_target_ci": boot_ci(tt),
            "reached": sum(r["to_target_j"] is not None for r in ok), "sweeps": len(ok),
            "energy_j": stats([r["energy_j"] for r in ok]),
            "best": stats([r["best"] for r in ok]),
            "best_minus_random": stats(diff),
            "pruned": stats([r["pruned"] for r in ok]),
            "wall_s": stats([times.get((w, arm, s)) for s in range(meta["seeds"])]),
            "failed_sweeps": len(rows) - len(ok),
        }
    def med(arm):
        s = arms_out[arm]["to_target_j"]
        return s["median"] if s else None

    def ratio(a, b):
        x, y = med(a), med(b)
        if x is None or y is None:
            return None
        if y == INF:
            return 0.0 if x < INF else None  # 0: the other's median is never reached
        return INF if x == INF else x / y
    r_hb = ratio("bayes-hyperband", "random-hyperband")
    r_opt = ratio("bayes-hyperband", "optuna-tpe-hyperband")
    bb = arms_out["bayes-hyperband"]["best"]
    bo = arms_out["optuna-tpe-hyperband"]["best"]
    br = arms_out["random-hyperband"]["best"]
    same_best = (bb is not None and band is not None and
                 all(o is not None and bb["median"] <= o["median"] + band for o in (bo, br)))
    v = {"workload": w, "target_name": tname, "target": target, "quantile": q, "noise_band": band,
         "bayes_hb_over_random_hb": r_hb, "bayes_hb_over_optuna": r_opt,
         "half_of_random_hb": r_hb is not None and r_hb <= 0.5,
         "no_more_than_optuna": r_opt is not None and r_opt <= 1.0,
         "same_best_within_noise": same_best}
    md.append(f"### Target {tname}: val_loss {fmt(target, 4)}\n")
    md.append(f"The q = {q:.4f} quantile of the random configurations' final val_loss: a random "
              f"sweep of this length reaches it {'4 times in 5' if chance > 0.5 else '1 time in 5'}."
              f"  Noise band for best: +-{fmt(band, 3)} (half the IQR of the random arm's best "
              f"across seeds).\n")
    md.append("| arm | energy to target J | its 95% CI | reached | whole sweep J | best val_loss "
              "| best - random | pruned | wall s |")
    md.append("|---|---|---|---|---|---|---|---|---|")
    for arm in ARMS:
        a = arms_out[arm]
        ci = a["to_target_ci"]
        md.append(f"| {arm} | {fmt_stats(a['to_target_j'])} | "
                  f"{'n/a' if ci is None else fmt(ci[0]) + '-' + fmt(ci[1])} | "
                  f"{a['reached']}/{a['sweeps']} | {fmt_stats(a['energy_j'])} | "
                  f"{fmt_stats(a['best'], 4)} | {fmt_stats(a['best_minus_random'], 3)} | "
                  f"{fmt_stats(a['pruned'])} | {fmt_stats(a['wall_s'])} |")
    md.append("")
    def say(r, other):
        if r == 0.0:
            return f"below any ratio: {other}'s median is not reached"
        return fmt(r)
    md.append(f"Ratios of medians of the energy to target: bayes + hyperband / random + "
              f"hyperband = {say(r_hb, 'random + hyperband')} (target <= 0.5: "
              f"{'met' if v['half_of_random_hb'] else 'missed'}); bayes + hyperband / Optuna "
              f"TPE + Hyperband = {say(r_opt, 'Optuna')} (target <= 1: "
              f"{'met' if v['no_more_than_optuna'] else 'missed'}); best final val_loss of "
              f"bayes + hyperband within the noise band of both: "
              f"{'yes' if same_best else 'no'}.\n")
    return v, arms_out, per


def main():
    work, md_path, json_path = sys.argv[1:4]
    with open(os.path.join(work, "meta.json")) as f:
        meta = json.load(f)
    ARMS[:] = meta["arms"].split()
    times = {}
    with open(os.path.join(work, "times")) as f:
        for line in f:
            w, arm, s, secs = line.split()
            times[(w, arm, int(s))] = float(secs)
    results = {"meta": meta, "workloads": {}}
    md = []
    md.append("# Model-based multi-fidelity: energy to a target, ecosweep and Optuna\n")
    md.append(f"Command: `{meta['command']}` (ecosweep build `{meta['build']}`, commit "
              f"{meta['commit']})  ")
    md.append(f"Date: {meta['date']}  ")
    md.append(f"Machine: {meta['machine']}; Python {meta['python']}, Optuna {meta['optuna']}; "
              f"CPU energy: `{meta['cpu_source']}` (Optuna's trials charged "
              f"{meta['watts_per_core']} W per CPU-second and 0.3725 W/GiB of peak RSS, as "
              f"ecosweep's estimate charges them)  ")
    if meta.get("baseline"):
        md.append(f"Baseline arm (baseline-bayes-hyperband): bayes + hyperband run by the "
                  f"ecosweep built in {meta['baseline']}.  ")
    md.append(f"Time: {meta['total_s'] // 60}m{meta['total_s'] % 60:02d}s in all; load average "
              f"{meta['loadavg_start']} at the start.\n")
    md.append("Every sweep runs 2 trials at a time, as real processes (ecosweep: `ecosweep run`, a "
              "worker per trial; Optuna: `study.optimize(n_jobs=2)`, TPE with Optuna's "
              "`HyperbandPruner(min_resource=1, max_resource=EPOCHS, reduction_factor=3)`, the "
              "trial program run as a process and killed when pruned).  ecosweep's hyperband is "
              "W&B's, `{max_iter: EPOCHS, s: 2, eta: 3}`.  *Energy to target*: the energy of the "
              "sweep's trials that had ended when the first trial whose final val_loss (it ran "
              "every epoch) is at or below the target ended; *not reached* counts as infinite. "
              "Two targets, quantiles of the final val_loss of all the random arm's trials (each "
              "one a random configuration run to the end): *easy*, the level a random sweep of n "
              "trials reaches 4 times in 5 (q = 1 - 0.2^(1/n)), and *hard*, the level it reaches "
              "1 time in 5 (q = 1 - 0.8^(1/n)).  Medians over seeds, [25th, 75th "
              "percentile], and a bootstrap 95% interval of the median.\n")
    verdicts = []
    for w, title, epochs in WORKLOADS:
        if w not in meta["workloads"].split():
            continue
        n_trials = meta["synthetic_trials"] if w == "synthetic" else meta["digits_trials"]
        sweeps = {}
        methods = set()
        for arm in ARMS:
            for s in range(meta["seeds"]):
                base = os.path.join(work, "runs", f"{w}-{arm}-{s}")
                if os.path.exists(base + ".err"):
                    sweeps[(arm, s)] = None
                    continue
                if arm.startswith("optuna"):
                    tr, m = load_optuna(base + ".optuna.json")
                else:
                    tr, m = load_ecosweep(base + ".json", base + ".db")
                methods.update(m)
                sweeps[(arm, s)] = tr
        finals = [t["value"] for (arm, s), tr in sweeps.items() if arm == "random" and tr
                  for t in tr if t["status"] == "completed" and t["steps"] >= epochs]
        results["workloads"][w] = {"energy_methods": sorted(methods), "targets": {}}
        md.append(f"## {title}\n")
        md.append(f"{meta['seeds']} seeds x {n_trials} trials, {epochs} epochs; {len(finals)} "
                  f"random configurations run to the end set the targets.  Energy by "
                  f"{', '.join(sorted(methods))}.\n")
        for tname, chance in TARGETS:
            q = 1 - (1 - chance) ** (1.0 / n_trials)
            target = quantile(finals, q)
            v, arms_out, per = judge(w, tname, chance, q, target, sweeps, meta, times, md)
            verdicts.append(v)
            results["workloads"][w]["targets"][tname] = {
                "arms": arms_out, "verdict": v,
                "sweeps": {f"{a}-{s}": per[(a, s)] for (a, s) in per}}
    md.append("## Every sweep\n")
    md.append("| workload | arm | seed | to easy target J | to hard target J | whole sweep J | "
              "best val_loss | trials | pruned | ran every epoch |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    for w, _, _ in WORKLOADS:
        if w not in results["workloads"]:
            continue
        tg = results["workloads"][w]["targets"]
        for arm in ARMS:
            for s in range(meta["seeds"]):
                e, h = (tg[t]["sweeps"].get(f"{arm}-{s}") for t in ("easy", "hard"))
                if e is None:
                    md.append(f"| {w} | {arm} | {s} | failed | | | | | | |")
                    continue
                md.append(f"| {w} | {arm} | {s} | {fmt(e['to_target_j'], 4)} | "
                          f"{fmt(h['to_target_j'], 4)} | {fmt(e['energy_j'], 4)} | "
                          f"{fmt(e['best'], 4)} | {e['trials']} | {e['pruned']} | "
                          f"{e['completed']} |")
    md.append("")
    md.append("## Specs\n")
    md.append("```")
    with open(os.path.join(work, "specs.txt")) as f:
        md.append(f.read().rstrip())
    md.append("```")
    with open(md_path, "w") as f:
        f.write("\n".join(md) + "\n")
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1, default=lambda x: None)


if __name__ == "__main__":
    main()
