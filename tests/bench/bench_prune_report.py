#!/usr/bin/python3
"""Aggregate the early-termination benchmark (run_prune_bench.sh) into tables.

Usage: bench_prune_report.py WORKDIR OUT.md OUT.json

WORKDIR is what the driver left: meta.json, times, specs.txt and
runs/WORKLOAD-ARM-SEED.json (`ecosweep report --format json` of one sweep)
or .err.

Per sweep: energy = the sum of its trials' joules at the devices (every
trial, pruned ones included); best = the best completed trial's final
val_loss; the trials pruned; the report's estimate of the energy pruning
saved.  Per workload and arm: medians and interquartile ranges over seeds,
and per seed the ratio of the arm's energy to the same seed's sweep without
early termination (same seed, same configurations) and the difference of
their best metrics.

"Same best metric (within noise)" is judged against the spread of the best
metric of sweeps without early termination across seeds: the median paired
difference (arm - none) must be at most half their interquartile range.
The energy target is a median energy ratio of at most 0.60 (at least 40%
less energy).

Benchmark tooling only: ecosweep itself never needs Python.
"""
import json
import math
import os
import re
import sys

WORKLOADS = [("synthetic", "synthetic learning curves (configs/examples/curves.py)"),
             ("digits", "scikit-learn digits, MLP by epochs (configs/examples/digits_epochs.py)")]
ARMS = ["none", "hyperband", "asha", "median"]
ENERGY_TARGET = 0.60


def quantile(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    pos = (len(xs) - 1) * q
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    if xs[hi] == math.inf:  # censored values (never reached): no interpolation into them
        return math.inf if pos > lo or xs[lo] == math.inf else xs[lo]
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": quantile(xs, 0.5), "q1": quantile(xs, 0.25), "q3": quantile(xs, 0.75),
            "n": len(xs)}


def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if x == math.inf:
        return "not reached"
    return f"{x:.{digits}g}"


def fmt_stats(s, digits=3):
    if s is None:
        return "n/a"
    return f"{fmt(s['median'], digits)} [{fmt(s['q1'], digits)}, {fmt(s['q3'], digits)}]"


def load_sweep(path):
    with open(path) as f:
        rep = json.load(f)
    sw = rep["projects"][0]["sweeps"][0]
    energy = 0.0
    by_status = {}
    for t in sw["trials"]:
        e = t["energy"]
        energy += sum(e[k] or 0.0 for k in ("cpu_j", "dram_j", "gpu_j"))
        by_status[t["status"]] = by_status.get(t["status"], 0) + 1
    et = sw.get("early_termination") or {}
    return {"energy_j": energy, "kwh": sw["kwh"],
            "best": sw["best"]["objective"] if sw.get("best") else None,
            "best_trial": sw["best"]["number"] if sw.get("best") else None,
            "trials": len(sw["trials"]), "by_status": by_status,
            "pruned": et.get("pruned", 0), "estimated_saved_j": et.get("saved_j"),
            "estimated_saved_low_j": et.get("saved_low_j"),
            "estimated_saved_high_j": et.get("saved_high_j"),
            "estimated_full_j": et.get("estimated_full_j"), "pruned_used_j": et.get("used_j")}


def main():
    work, out_md, out_json = sys.argv[1:4]
    with open(os.path.join(work, "meta.json")) as f:
        meta = json.load(f)
    times = {}
    with open(os.path.join(work, "times")) as f:
        for line in f:
            w, arm, seed, secs = line.split()
            times[(w, arm, int(seed))] = float(secs)
    rows, errors = [], []
    pat = re.compile(r"^(synthetic|digits)-(none|hyperband|asha|median)-(\d+)\.(json|err)$")
    for name in sorted(os.listdir(os.path.join(work, "runs"))):
        m = pat.match(name)
        if not m:
            continue
        w, arm, seed, ext = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        path = os.path.join(work, "runs", name)
        if ext == "err":
            with open(path) as f:
                errors.append({"workload": w, "arm": arm, "seed": seed, "error": f.read().strip()})
            continue
        r = load_sweep(path)
        r.update({"workload": w, "arm": arm, "seed": seed, "wall_s": times.get((w, arm, seed))})
        rows.append(r)
    by = {(r["workload"], r["arm"], r["seed"]): r for r in rows}

    summary = {}
    lines = []
    w_ = lines.append
    w_("# Early termination: energy with and without pruning" +
       (" (quick run)" if meta["mode"] == "quick" else ""))
    w_("")
    w_(f"Command: `{meta['command']}` (ecosweep build `{meta['build']}`, commit {meta['commit']})  ")
    w_(f"Date: {meta['date']}  ")
    w_(f"Machine: {meta['machine']}; Python {meta['python']}; CPU energy: `{meta['cpu_source']}`  ")
    w_(f"Time: {meta['total_s'] // 60}m{meta['total_s'] % 60:02d}s in all; load average "
       f"{meta['loadavg_start']} at the start.")
    w_("")
    w_("Every sweep is random search with `parallel: 2`, run as real trials (one python3 "
       "process per trial, metered by ecosweep's worker).  For a seed, every arm draws the "
       "same configurations in the same order, so an arm differs from `none` only by the "
       "trials it stopped.  Energy is the sum of all the sweep's trials' joules at the devices "
       "(pruned trials included); best is the best completed trial's final `val_loss` "
       "(lower is better).  Medians over seeds with [25th, 75th percentile].")
    w_("")
    w_(f"Targets: energy ratio (arm / none, same seed) median <= {ENERGY_TARGET:.2f}, i.e. at "
       "least 40% less energy; and the same best metric within noise: the median paired "
       "difference of best (arm - none) at most half the interquartile range of `none`'s "
       "best across seeds (how much one random sweep's best varies by luck alone).")
    for w, title in WORKLOADS:
        arms = [a for a in ARMS if any(k[0] == w and k[1] == a for k in by)]
        if not arms:
            continue
        seeds = sorted({k[2] for k in by if k[0] == w})
        none_best = stats([by[(w, "none", s)]["best"] for s in seeds if (w, "none", s) in by])
        noise = (none_best["q3"] - none_best["q1"]) / 2 if none_best else None
        w_("")
        w_(f"## {title}")
        w_("")
        trials = meta["synthetic_trials"] if w == "synthetic" else meta["digits_trials"]
        w_(f"{len(seeds)} seeds x {trials} trials.  Noise band for best: +-{fmt(noise)} "
           f"(half the IQR of `none`'s best across seeds).")
        w_("")
        w_("| arm | energy J | energy ratio | best val_loss | best - none | same best config | "
           "pruned | report's saved-energy estimate / measured | its range / measured | "
           "measured in range | wall s | verdict |")
        w_("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for arm in arms:
            rs = [by[(w, arm, s)] for s in seeds if (w, arm, s) in by]
            pairs = [(by[(w, arm, s)], by[(w, "none", s)]) for s in seeds
                     if (w, arm, s) in by and (w, "none", s) in by]
            ratio = stats([a["energy_j"] / b["energy_j"] for a, b in pairs if b["energy_j"] > 0])
            diffs = [a["best"] - b["best"] for a, b in pairs
                     if a["best"] is not None and b["best"] is not None]
            diff = stats(diffs)
            worst = max(diffs) if diffs else None
            same = sum(1 for a, b in pairs if a["best_trial"] == b["best_trial"])
            est = stats([a["estimated_saved_j"] / (b["energy_j"] - a["energy_j"]) for a, b in pairs
                         if a["estimated_saved_j"] is not None and b["energy_j"] > a["energy_j"]])
            ranged = [(a["estimated_saved_low_j"] / (b["energy_j"] - a["energy_j"]),
                       a["estimated_saved_high_j"] / (b["energy_j"] - a["energy_j"]))
                      for a, b in pairs
                      if a.get("estimated_saved_low_j") is not None
                      and a.get("estimated_saved_high_j") is not None
                      and b["energy_j"] > a["energy_j"]]
            lo = stats([r[0] for r in ranged])
            hi = stats([r[1] for r in ranged])
            inside = sum(1 for r in ranged if r[0] <= 1 <= r[1])
            entry = {"energy_j": stats([r["energy_j"] for r in rs]),
                     "energy_ratio": ratio, "best": stats([r["best"] for r in rs]),
                     "best_diff": diff, "best_diff_max": worst, "same_best_config": same,
                     "seeds": len(rs),
                     "pruned": stats([r["pruned"] for r in rs]),
                     "estimate_over_measured": est,
                     "range_low_over_measured": lo, "range_high_over_measured": hi,
                     "measured_in_range": inside, "range_sweeps": len(ranged),
                     "wall_s": stats([r["wall_s"] for r in rs])}
            verdict = ""
            if arm != "none" and ratio and diff and noise is not None:
                e_ok = ratio["median"] <= ENERGY_TARGET
                b_ok = diff["median"] <= noise
                entry["energy_met"], entry["best_met"] = e_ok, b_ok
                verdict = ("energy " + ("met" if e_ok else "missed") + ", best " +
                           ("met" if b_ok else "missed"))
            summary[f"{w}/{arm}"] = entry
            w_(f"| {arm} | {fmt_stats(entry['energy_j'], 4)} | "
               f"{fmt_stats(ratio) if arm != 'none' else '1'} | "
               f"{fmt_stats(entry['best'], 4)} | "
               f"{fmt_stats(diff) + ', max ' + fmt(worst) if arm != 'none' else '0'} | "
               f"{f'{same}/{len(pairs)}' if arm != 'none' else '-'} | "
               f"{fmt_stats(entry['pruned'])} | "
               f"{fmt_stats(est) if arm != 'none' else '-'} | "
               f"{(fmt(lo['median']) + '-' + fmt(hi['median'])) if arm != 'none' and lo and hi else '-'} | "
               f"{f'{inside}/{len(ranged)}' if arm != 'none' else '-'} | "
               f"{fmt_stats(entry['wall_s'])} | {verdict} |")
    w_("")
    w_("*best - none*: the paired difference of the best final val_loss, median [IQR] and the "
       "largest (the seed where pruning cost the most).  *same best config*: seeds where the arm's best trial is the same trial (number) as "
       "`none`'s, i.e. pruning did not stop the eventual winner.  *report's saved-energy "
       "estimate / measured*: the report's estimate of what the pruned trials would have cost "
       "to the end minus what they used, over the measured difference with the same seed's "
       "`none` sweep (1 is a perfect estimate): the same configurations run to the end are "
       "the ground truth.  *its range / measured*: the medians of the low and high ends of the "
       "report's range over the same measured difference; *measured in range*: sweeps whose "
       "measured saving lies within the report's range.")
    w_("")
    w_("## Every sweep")
    w_("")
    w_("| workload | arm | seed | energy J | best val_loss | best trial | trials | pruned | "
       "estimated saved J | wall s |")
    w_("|---|---|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["workload"], r["seed"], ARMS.index(r["arm"]))):
        w_(f"| {r['workload']} | {r['arm']} | {r['seed']} | {fmt(r['energy_j'], 4)} | "
           f"{fmt(r['best'], 4)} | {r['best_trial']} | {r['trials']} | {r['pruned']} | "
           f"{fmt(r['estimated_saved_j'], 4)} | {fmt(r['wall_s'])} |")
    if errors:
        w_("")
        w_("## Sweeps that failed")
        w_("")
        for e in errors:
            w_(f"- {e['workload']} {e['arm']} seed {e['seed']}: {e['error']}")
    w_("")
    w_("## Specs")
    w_("")
    w_("```")
    with open(os.path.join(work, "specs.txt")) as f:
        w_(f.read().rstrip())
    w_("```")
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(out_json, "w") as f:
        json.dump({"meta": meta, "summary": summary, "sweeps": rows, "errors": errors}, f,
                  indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
