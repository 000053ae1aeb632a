#!/usr/bin/python3
"""Turn run_search_suite.sh's work directory into search_suite.md and .json.

Usage: search_suite_report.py WORK_DIR OUT.md OUT.json

WORK_DIR holds meta.json, check_c.jsonl (the problems' spaces and minima)
and runs/*.jsonl: one JSON line per run, from search_suite.c and
search_suite.py alike.  Runs of methods that do not depend on batching
(ecosweep random, Optuna random and QMC) exist at parallel 1 only and stand
for every parallelism.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import glob
import json
import math
import os
import random
import statistics
import sys

TINY = 1e-12           # a median regret below this is "reached the minimum"
CLOSE = (0.67, 1.5)    # ratios in this range get a bootstrap interval
BOOT = 2000            # bootstrap replicates
CLIP = (1e-3, 1e3)     # ratios enter the geometric mean clipped to this
ES, TPE, TPE_MV = "ecosweep_bayes", "optuna_tpe", "optuna_tpe_mv"
METHODS = [ES, "ecosweep_random", TPE, TPE_MV, "optuna_random", "optuna_qmc"]
LABEL = {ES: "ecosweep bayes", "ecosweep_random": "ecosweep random", TPE: "TPE",
         TPE_MV: "TPE mv", "optuna_random": "Optuna random", "optuna_qmc": "QMC (Sobol)"}
BATCHED = {ES, TPE, TPE_MV}  # the others ran at parallel 1 only


def fmt(x):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    if x == 0:
        return "0"
    return f"{x:.3g}"


def med(xs):
    return statistics.median(xs) if xs else None


def geomean(xs):
    xs = [min(max(x, CLIP[0]), CLIP[1]) for x in xs if x is not None]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def ratio(a, b):
    """a / b for median regrets; None when b is 0 or tiny."""
    if a is None or b is None or b < TINY:
        return None
    return max(a, TINY) / b


class Data:
    def __init__(self, work):
        self.meta = json.load(open(os.path.join(work, "meta.json")))
        self.problems = {}
        with open(os.path.join(work, "check_c.jsonl")) as fh:
            for line in filter(str.strip, fh):
                d = json.loads(line)
                self.problems[d["problem"]] = d
        self.runs = []
        for path in sorted(glob.glob(os.path.join(work, "runs", "*.jsonl"))):
            with open(path) as fh:
                self.runs += [json.loads(line) for line in fh if line.strip()]
        self.errors = []
        for path in sorted(glob.glob(os.path.join(work, "runs", "*.err"))):
            text = open(path).read().strip()
            if text:
                self.errors.append((os.path.basename(path), text.splitlines()[-1]))
        self.times = {}
        tp = os.path.join(work, "times")
        if os.path.exists(tp):
            for line in open(tp):
                tag, s = line.split()
                self.times[tag] = float(s)
        self.by = {}
        for r in self.runs:
            self.by.setdefault((r["problem"], r["method"], r["parallel"]), []).append(r)
        names = [p for p in self.meta["problems"].split() if p]
        self.names = [p for p in names if any(k[0] == p for k in self.by)]
        self.qs = self.meta["parallel"]
        hs = set()
        for r in self.runs:
            hs |= {int(h) for h in r["regret"]}
        self.horizons = sorted(hs)

    def get(self, problem, method, q):
        return self.by.get((problem, method, q if method in BATCHED else 1), [])

    def regrets(self, problem, method, q, h):
        return [r["regret"][str(h)] for r in self.get(problem, method, q) if str(h) in r["regret"]]


def best_tpe(data, p, q, h):
    """The better of the two TPE medians, and which it is."""
    meds = [(med(data.regrets(p, m, q, h)), m) for m in (TPE, TPE_MV)]
    meds = [x for x in meds if x[0] is not None]
    return min(meds) if meds else (None, None)


def bootstrap(es, t1, t2, rng):
    """95% percentile interval of median(es) / min(median(t1), median(t2))."""
    out = []
    for _ in range(BOOT):
        a = statistics.median(rng.choices(es, k=len(es)))
        b = min(statistics.median(rng.choices(t, k=len(t))) for t in (t1, t2) if t)
        if b >= TINY:
            out.append(max(a, TINY) / b)
    if len(out) < BOOT // 2:
        return None
    out.sort()
    return [out[int(0.025 * len(out))], out[min(len(out) - 1, int(0.975 * len(out)))]]


def cells(data):
    rng = random.Random(20261202)
    rows = []
    for p in data.names:
        for q in data.qs:
            for h in data.horizons:
                medians = {m: med(data.regrets(p, m, q, h)) for m in METHODS}
                if medians[ES] is None:
                    continue
                b, which = best_tpe(data, p, q, h)
                r = ratio(medians[ES], b)
                ci = None
                if r is not None and CLOSE[0] <= r <= CLOSE[1]:
                    ci = bootstrap(data.regrets(p, ES, q, h), data.regrets(p, TPE, q, h),
                                   data.regrets(p, TPE_MV, q, h), rng)
                rows.append({"problem": p, "horizon": h, "parallel": q, "median_regret": medians,
                             "best_tpe": which, "ratio": r, "ratio_ci95": ci,
                             "seeds": len(data.regrets(p, ES, q, h))})
    return rows


def self_ratios(data, method_meds):
    """Per problem, horizon and q > 1: median regret at q / at 1."""
    out = []
    for p in data.names:
        for q in data.qs:
            if q == 1:
                continue
            for h in data.horizons:
                a, b = method_meds(p, q, h), method_meds(p, 1, h)
                out.append({"problem": p, "parallel": q, "horizon": h, "ratio": ratio(a, b)})
    return out


def boundary(data, p, method, q):
    rs = data.get(p, method, q)
    after = sum(r["boundary"]["after_init"] for r in rs)
    return sum(r["boundary"]["near"] for r in rs) / after if after else None


def suggest_ms(data, method, q, problems=None):
    xs = [r["suggest_ms"]["median"] for p in (problems or data.names)
          for r in data.get(p, method, q)]
    return med(xs)


def space_text(d):
    kinds = {"uniform": "U", "log_uniform_values": "log", "int_uniform": "int",
             "categorical": "cat"}
    ks = [kinds[s[1]] for s in d["space"]]
    return "uniform space" if set(ks) == {"U"} else "space " + " + ".join(ks)


def write(data, md_path, json_path):
    meta = data.meta
    rows = cells(data)
    cell = {(c["problem"], c["parallel"], c["horizon"]): c for c in rows}
    es_self = self_ratios(data, lambda p, q, h: med(data.regrets(p, ES, q, h)))
    tpe_self = self_ratios(data, lambda p, q, h: best_tpe(data, p, q, h)[0])
    L = []
    w = L.append
    w("# Search quality: ecosweep's Bayesian search beside Optuna\n")
    w(f"Command: `{meta['command']}` (ecosweep build `{meta['build']}`, "
      f"{meta['build_type']}, commit {meta['commit']})  ")
    w(f"Date: {meta['date']}  ")
    w(f"Machine: {meta['machine']}; Python {meta['python']}, Optuna {meta['optuna']} "
      "(Debian python3-optuna)  ")
    w(f"Runs: {meta['seeds']} seeds (0..{meta['seeds'] - 1}) x {meta['trials']} trials, "
      f"parallel {', '.join(map(str, data.qs))}, {len(data.names)} problems, {len(data.runs)} runs, "
      f"{meta['jobs']} jobs at once.  ")
    w(f"Time: {meta['total_s']} s in all; load average {meta['loadavg_start']} at the start, "
      f"{meta['loadavg_end']} at the end.\n")
    w("Every method runs in-process on the same closed-form functions (C: "
      "`tests/search/bench_functions.h`, Python: `tests/bench/search_suite.py`; both were "
      "checked to agree to 1e-9 at fixed points before the runs).  ecosweep "
      "(`tests/search/search_suite`) parses each problem's space as an ecosweep spec "
      "(`method: bayes`, `run_cap` = trials, `parallel` = q) and drives the search as the "
      "coordinator does: q suggestions, each observed pending as it is made, then q "
      "completions.  Optuna asks q trials (`study.ask()` q times) and then tells them; "
      "`TPESampler(seed=s)` (TPE) and `TPESampler(seed=s, multivariate=True)` (TPE mv), both "
      "with `constant_liar=True` when q > 1; `RandomSampler(seed=s)`; "
      "`QMCSampler(qmc_type='sobol', scramble=True, seed=s)`.  Random, QMC and ecosweep "
      "random do not depend on batching and ran once (parallel 1).\n")
    w("Regret: the true value of the best-so-far trial (best by the observed value, which "
      "for `hartmann6_noisy` carries N(0, 0.1^2) noise) minus the known minimum, after the "
      "first n trials; medians over seeds.  Ratio: ecosweep's median over the better of the "
      "two TPE medians (below 1: ecosweep better); `n/a` when that TPE median is below "
      "1e-12; a 95% bootstrap interval of the ratio of medians (seeds resampled per method, "
      f"{BOOT} replicates) where the ratio is within [{CLOSE[0]}, {CLOSE[1]}].  Geometric "
      f"means clip each ratio to [{CLIP[0]:g}, {CLIP[1]:g}].\n")
    if data.errors:
        w("Errors in some runs (their runs are missing):\n")
        for tag, last in data.errors:
            w(f"- `{tag}`: {last}")
        w("")

    # ---- headline ---------------------------------------------------------------
    w("## ecosweep / best TPE, over all problems\n")
    w("Geometric mean of the per-problem ratios [median ratio]; wins / losses count "
      "problems with a ratio below / above 1, n/a those without one.\n")
    w("| trials | " + " | ".join(f"parallel {q}" for q in data.qs) + " |")
    w("|---|" + "---|" * len(data.qs))
    headline = []
    for h in data.horizons:
        cols = []
        for q in data.qs:
            rs = [cell[(p, q, h)]["ratio"] for p in data.names if (p, q, h) in cell]
            ok = [r for r in rs if r is not None]
            g = geomean(ok)
            headline.append({"horizon": h, "parallel": q, "geomean_ratio": g,
                             "median_ratio": med(ok), "wins": sum(r < 1 for r in ok),
                             "losses": sum(r > 1 for r in ok), "n_a": len(rs) - len(ok)})
            cols.append(f"{fmt(g)} [{fmt(med(ok))}]; {sum(r < 1 for r in ok)} wins, "
                        f"{sum(r > 1 for r in ok)} losses, {len(rs) - len(ok)} n/a")
        w(f"| {h} | " + " | ".join(cols) + " |")
    w("")

    # ---- losses -------------------------------------------------------------------
    worst = sorted((c for c in rows if c["ratio"] is not None and c["ratio"] > 1),
                   key=lambda c: -c["ratio"])
    w("## Where ecosweep loses to TPE\n")
    if not worst:
        w("Nowhere: every defined ratio is at most 1.\n")
    else:
        w("Every cell with a ratio above 1, worst first (median regrets).\n")
        w("| problem | trials | parallel | ecosweep | best TPE | ratio | 95% interval |")
        w("|---|---|---|---|---|---|---|")
        for c in worst:
            b = c["median_regret"][c["best_tpe"]]
            ci = c["ratio_ci95"]
            w(f"| {c['problem']} | {c['horizon']} | {c['parallel']} | "
              f"{fmt(c['median_regret'][ES])} | {fmt(b)} ({LABEL[c['best_tpe']]}) | "
              f"{fmt(c['ratio'])} | {'[' + fmt(ci[0]) + ', ' + fmt(ci[1]) + ']' if ci else ''} |")
        w("")

    # ---- parallel vs sequential ---------------------------------------------------------
    if len(data.qs) > 1:
        w("## Parallel against sequential\n")
        w("Median regret at parallel q over the same method's at parallel 1, same trial count "
          "(above 1: batching costs quality).  ecosweep, then the better TPE (constant liar).\n")
        head = [(q, h) for q in data.qs if q > 1 for h in data.horizons]
        w("| problem | " + " | ".join(f"ecosweep q{q} @{h}" for q, h in head) + " | " +
          " | ".join(f"TPE q{q} @{h}" for q, h in head) + " |")
        w("|---|" + "---|" * (2 * len(head)))
        es_idx = {(r["problem"], r["parallel"], r["horizon"]): r["ratio"] for r in es_self}
        tp_idx = {(r["problem"], r["parallel"], r["horizon"]): r["ratio"] for r in tpe_self}
        for p in data.names:
            w(f"| {p} | " + " | ".join(fmt(es_idx.get((p, q, h))) for q, h in head) + " | " +
              " | ".join(fmt(tp_idx.get((p, q, h))) for q, h in head) + " |")
        w("| **geometric mean** | " +
          " | ".join(fmt(geomean([es_idx.get((p, q, h)) for p in data.names])) for q, h in head)
          + " | " +
          " | ".join(fmt(geomean([tp_idx.get((p, q, h)) for p in data.names])) for q, h in head)
          + " |\n")

    # ---- boundary ---------------------------------------------------------------------
    w("## Proposals at a bound\n")
    w("Share of proposals after the initial design (ecosweep: its design, max(5, 2k) "
      "trials; TPE: its 10 start-up trials; random and QMC: every trial) with a continuous "
      "coordinate within 0.5% of a bound of the unit cube (log space for log parameters; "
      "integers and categoricals ignored).  Uniform sampling puts 1 - 0.99^k of its points "
      "there (k continuous parameters: 2% in 2-D, 5.9% in 6-D).\n")
    bcols = [(ES, q) for q in data.qs] + [(m, q) for m in (TPE, TPE_MV) for q in data.qs] + \
        [("optuna_random", 1), ("optuna_qmc", 1), ("ecosweep_random", 1)]
    w("| problem | " + " | ".join(
        f"{LABEL[m]}{' q' + str(q) if m in BATCHED else ''}" for m, q in bcols) + " |")
    w("|---|" + "---|" * len(bcols))
    bound = {}
    for p in data.names:
        vals = [boundary(data, p, m, q) for m, q in bcols]
        for (m, q), v in zip(bcols, vals):
            bound.setdefault(f"{m}@{q}", {})[p] = v
        w(f"| {p} | " + " | ".join(fmt(v) for v in vals) + " |")
    allb = []
    for m, q in bcols:
        rs = [r for p in data.names for r in data.get(p, m, q)]
        after = sum(r["boundary"]["after_init"] for r in rs)
        allb.append(sum(r["boundary"]["near"] for r in rs) / after if after else None)
        bound.setdefault(f"{m}@{q}", {})["all"] = allb[-1]
    w("| **all problems** | " + " | ".join(fmt(v) for v in allb) + " |\n")

    # ---- time -------------------------------------------------------------------------
    w("## Suggestion time\n")
    w("CPU time of one suggestion (`es_search_suggest`; Optuna's `study.ask()`), ms: the "
      "median over runs of each run's median, all problems together.\n")
    tcols = [(m, q) for m in METHODS for q in (data.qs if m in BATCHED else [1])]
    w("| " + " | ".join(f"{LABEL[m]}{' q' + str(q) if m in BATCHED else ''}"
                         for m, q in tcols) + " |")
    w("|" + "---|" * len(tcols))
    times = {f"{m}@{q}": suggest_ms(data, m, q) for m, q in tcols}
    w("| " + " | ".join(fmt(times[f"{m}@{q}"]) for m, q in tcols) + " |\n")

    # ---- per problem ------------------------------------------------------------------
    w("## Per problem\n")
    w("Median regret per method; ratio = ecosweep / best TPE.\n")
    for p in data.names:
        d = data.problems.get(p, {})
        w(f"### {d.get('title', p)}: `{p}`, {space_text(d) if d else '?'}, minimum "
          f"{d.get('fmin', float('nan')):.10g}"
          f"{', noise sd ' + fmt(d['noise_sd']) if d.get('noise_sd') else ''}\n")
        w("| trials | parallel | " + " | ".join(LABEL[m] for m in METHODS) +
          " | ratio | 95% interval |")
        w("|---|---|" + "---|" * (len(METHODS) + 2))
        for q in data.qs:
            for h in data.horizons:
                c = cell.get((p, q, h))
                if c is None:
                    continue
                ci = c["ratio_ci95"]
                w(f"| {h} | {q} | " + " | ".join(fmt(c["median_regret"][m]) for m in METHODS) +
                  f" | {fmt(c['ratio'])} | "
                  f"{'[' + fmt(ci[0]) + ', ' + fmt(ci[1]) + ']' if ci else ''} |")
        w("")

    with open(md_path, "w") as fh:
        fh.write("\n".join(L))
    compact = [{"problem": r["problem"], "method": r["method"], "seed": r["seed"],
                "parallel": r["parallel"], "regret": r["regret"],
                "boundary": [r["boundary"]["near"], r["boundary"]["after_init"]],
                "suggest_ms_median": float(f"{r['suggest_ms']['median']:.4g}")} for r in data.runs]
    with open(json_path, "w") as fh:
        json.dump({"meta": meta, "constants": {"tiny": TINY, "close": CLOSE, "bootstrap": BOOT,
                                               "geomean_clip": CLIP},
                   "headline": headline, "cells": rows, "parallel_vs_sequential":
                   {"ecosweep": es_self, "best_tpe": tpe_self}, "boundary": bound,
                   "suggest_ms": times, "errors": data.errors, "job_s": data.times,
                   "runs": compact}, fh, separators=(",", ":"))


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__.split("\n\n")[1])
    write(Data(sys.argv[1]), sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
