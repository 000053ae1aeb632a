#!/usr/bin/env python3
"""Write estimate.md / estimate.json from a run_estimate_bench.sh work directory.

For each spec: the estimate's campaign (median and its low-high range) of
joules at the devices and of wall-clock hours, against what the sweep did;
for the budgeted spec, the trials the estimate said would fit against those
the sweep ran, and the sweep's overshoot over its budget.
"""
import json
import os
import statistics
import sys


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def load(path):
    with open(path) as f:
        return json.load(f)


def actual(rep, wall_s):
    sw = rep["projects"][0]["sweeps"][0]
    joules = 0.0
    for t in sw["trials"]:
        e = t["energy"]
        joules += sum(e[k] or 0.0 for k in ("cpu_j", "dram_j", "gpu_j"))
    hours = wall_s / 3600 if wall_s else None
    return {"joules": joules, "hours": hours, "trials": len(sw["trials"]),
            "reason": sw.get("reason"), "overshoot_j": sw.get("overshoot_j"),
            "pruned": (sw.get("early_termination") or {}).get("pruned", 0)}


def main():
    work, out_md, out_json = sys.argv[1:4]
    meta = load(os.path.join(work, "meta.json"))
    times = {}
    with open(os.path.join(work, "times")) as f:
        for line in f:
            name, secs = line.split()
            times[name] = float(secs)
    rows = []
    for name in meta["specs"]:
        try:
            est = load(os.path.join(work, f"{name}.estimate.json"))
            rep = load(os.path.join(work, f"{name}.report.json"))
        except (OSError, ValueError) as e:
            rows.append({"spec": name, "error": str(e)})
            continue
        a = actual(rep, times.get(name))
        camp = est.get("campaign") or {}
        row = {"spec": name, "parallel": est["parallel"], "source": est["source"],
               "early_termination": est.get("early_termination"), "actual": a}
        if camp and name != "curves-budget":
            for q in ("low", "median", "mean", "high"):
                row[f"joules_{q}"] = camp[q]["joules"]
                row[f"hours_{q}"] = camp[q]["hours"]
            row["joules_ratio"] = camp["mean"]["joules"] / a["joules"] if a["joules"] else None
            row["joules_median_ratio"] = (camp["median"]["joules"] / a["joules"]
                                          if a["joules"] else None)
            row["hours_ratio"] = (camp["mean"]["hours"] / a["hours"]) if a["hours"] else None
            row["joules_in_range"] = camp["low"]["joules"] <= a["joules"] <= camp["high"]["joules"]
            row["hours_in_range"] = (a["hours"] is not None and
                                     camp["low"]["hours"] <= a["hours"] <= camp["high"]["hours"])
        for b in est.get("budgets") or []:
            if b["what"] == "spec":
                row["budget_j"] = b["joules"]
                row["fit_median"] = b["trials_at_median"]
                row["fit_mean"] = b.get("trials_at_mean")
                row["fit_high"] = b["trials_at_high"]
                row["fit_ratio"] = (row["fit_mean"] / a["trials"]
                                    if a["trials"] and row["fit_mean"] is not None else None)
                if a["overshoot_j"] is not None and b["joules"]:
                    row["overshoot_ratio"] = a["overshoot_j"] / b["joules"]
        rows.append(row)

    lines = []
    w = lines.append
    w("# Forecasts against what the sweep did" + (" (quick run)" if meta["mode"] == "quick" else ""))
    w("")
    w(f"Command: `{meta['command']}` (ecosweep build `{meta['build']}`, commit {meta['commit']})  ")
    w(f"Date: {meta['date']}  ")
    w(f"Machine: {meta['machine']}; CPU energy: `{meta['cpu_source']}`  ")
    w(f"Time: {meta['total_s']} s in all; load average {meta['loadavg_start']} at the start.")
    w("")
    w(f"Each spec: `ecosweep estimate SPEC --pilot` (three pilot trials, one at a time, into a "
      f"temporary database), "
      f"then `ecosweep run SPEC` ({meta['trials']} trials of configs/examples/curves.py, 27 "
      f"CPU-bound epochs, or of branin.py, random search, seed 11), then the estimate's campaign "
      f"against the sweep: joules at the devices of all its trials, and its wall-clock hours "
      f"(the `ecosweep run` command's, start-up included).  A ratio is the campaign's expected "
      f"cost (trials x the mean per trial) over the actual (1 is exact); the median column is "
      f"trials x the median per trial; *in range*: the actual lies within the estimate's "
      f"low-high range (every trial at the 10th / the 90th percentile).")
    w("")
    w("| spec | parallel | early termination (estimate's basis, low fraction) | energy: expected "
      "/ actual | energy: median / actual | in range | hours: expected / actual | in range | "
      "trials (pruned) |")
    w("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            w(f"| {r['spec']} | - | - | failed: {r['error']} | | | | | |")
            continue
        if "joules_ratio" not in r:
            continue
        et = r["early_termination"]
        ets = f"{et['rule']} ({et['basis']}, {fmt(et['fraction_low'])})" if et else "none"
        a = r["actual"]
        w(f"| {r['spec']} | {r['parallel']} | {ets} | {fmt(r['joules_ratio'])} | "
          f"{fmt(r['joules_median_ratio'])} | {'yes' if r['joules_in_range'] else 'no'} | {fmt(r['hours_ratio'])} | "
          f"{'yes' if r['hours_in_range'] else 'no'} | {a['trials']} ({a['pruned']}) |")
    jr = [r["joules_ratio"] for r in rows if r.get("joules_ratio")]
    hr = [r["hours_ratio"] for r in rows if r.get("hours_ratio")]
    summary = {}
    if jr and hr:
        summary = {"joules_ratio_median": statistics.median(jr),
                   "hours_ratio_median": statistics.median(hr),
                   "joules_in_range": sum(1 for r in rows if r.get("joules_in_range")),
                   "hours_in_range": sum(1 for r in rows if r.get("hours_in_range")),
                   "specs": len(jr)}
        w("")
        w(f"Median ratio over the {len(jr)} specs: energy {fmt(summary['joules_ratio_median'])}, "
          f"hours {fmt(summary['hours_ratio_median'])}; actual within the range: energy "
          f"{summary['joules_in_range']}/{len(jr)}, hours {summary['hours_in_range']}/{len(hr)}.")
    for r in rows:
        if r.get("spec") == "curves-budget" and "fit_median" in r:
            a = r["actual"]
            w("")
            w(f"Under a budget (curves-budget: `budget.kwh` of about ten pilot trials, "
              f"{fmt(r['budget_j'], 4)} J at the devices, run_cap {meta['trials'] * 3}, 2 in "
              f"parallel): the estimate said {fmt(r['fit_mean'])} trials fit at the mean "
              f"({fmt(r['fit_median'])} at the median, {fmt(r['fit_high'])} at the high); the sweep ran {a['trials']} "
              f"(ratio {fmt(r.get('fit_ratio'))}) and stopped with \"{a['reason']}\"; its "
              f"overshoot was {fmt(a['overshoot_j'], 3)} J, "
              f"{fmt(100 * r['overshoot_ratio'] if r.get('overshoot_ratio') is not None else None)}% "
              f"of the budget.")
            summary["budget"] = {"fit_mean": r["fit_mean"], "fit_median": r["fit_median"],
                                 "ran": a["trials"],
                                 "fit_ratio": r.get("fit_ratio"),
                                 "overshoot_ratio": r.get("overshoot_ratio")}
    w("")
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(out_json, "w") as f:
        json.dump({"meta": meta, "rows": rows, "summary": summary}, f, indent=1)


if __name__ == "__main__":
    main()
