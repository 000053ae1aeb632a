#!/usr/bin/python3
"""Helpers of the scale benchmark (scale.sh).

Usage:
  bench_scale.py optuna --db PATH --trials N --jobs J --out FILE -- COMMAND...
      Optuna 3.1 (Debian's python3-optuna) with SQLite storage and random
      search over the same three parameters as ecosweep's sweeps, running
      COMMAND as a subprocess per trial with its stdout and stderr captured
      (as ecosweep's worker captures them) and the value of "loss=" in its
      stdout as the objective (0 when it prints none).  Writes one line
      "trials seconds_optimize seconds_total" to FILE: seconds_optimize is
      study.optimize() alone (no import, no study creation).
  bench_scale.py summarize WORKDIR OUT.md OUT.json
      Turns what scale.sh left in WORKDIR (meta.json, rounds.tsv, sizes.tsv,
      reports.tsv) into the results table and its raw numbers.

Benchmark tooling only: ecosweep itself never needs Python.
"""
import json
import os
import sys
import time

from bench_prune_report import quantile  # (linear interpolation; same directory)

FORMATS = ["text", "json", "csv", "codecarbon", "markdown", "html"]
TARGET_FLOOR_RATIO = 0.75


def optuna_run(argv):
    t_start = time.monotonic()
    import subprocess

    import optuna

    args = {"--db": None, "--trials": None, "--jobs": "1", "--out": None}
    i = 0
    while i < len(argv) and argv[i] != "--":
        args[argv[i]] = argv[i + 1]
        i += 2
    command = argv[i + 1:]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage="sqlite:///" + args["--db"],
                                sampler=optuna.samplers.RandomSampler(seed=1),
                                study_name="scale")

    def objective(trial):
        trial.suggest_float("x", 0.0, 1.0)
        trial.suggest_int("n", 1, 100)
        trial.suggest_categorical("opt", ["adam", "sgd", "rmsprop"])
        p = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=True)
        for word in p.stdout.split():
            if word.startswith(b"loss="):
                return float(word[5:])
        return 0.0

    n = int(args["--trials"])
    t0 = time.monotonic()
    study.optimize(objective, n_trials=n, n_jobs=int(args["--jobs"]))
    t1 = time.monotonic()
    done = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE)
    with open(args["--out"], "w") as f:
        f.write("%d %.6f %.6f\n" % (done, t1 - t0, t1 - t_start))


# ---- summary ---------------------------------------------------------------------


def spread(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": quantile(xs, 0.5), "min": min(xs), "max": max(xs),
            "q1": quantile(xs, 0.25), "q3": quantile(xs, 0.75), "n": len(xs)}


def read_tsv(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                rows.append(line.split("\t"))
    return rows


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def g(x, digits=3):
    if x is None:
        return "n/a"
    return "%.*g" % (digits, x)


def size_label(n):
    return "%dk" % (n // 1000) if n >= 1000 and n % 1000 == 0 else str(n)


def summarize(workdir, out_md, out_json):
    with open(os.path.join(workdir, "meta.json")) as f:
        meta = json.load(f)

    # Throughput rounds: round, variant, contender, trials, seconds, peak_rss_kb.
    rounds = []
    for r in read_tsv(os.path.join(workdir, "rounds.tsv")):
        rounds.append({"round": int(r[0]), "variant": r[1], "contender": r[2],
                       "trials": int(r[3]), "seconds": num(r[4]),
                       "peak_rss_kb": num(r[5]) if len(r) > 5 else None})
    for r in rounds:
        ok = r["seconds"] is not None and r["seconds"] > 0 and r["trials"] > 0
        r["per_s"] = r["trials"] / r["seconds"] if ok else None
    variants = sorted({r["variant"] for r in rounds}, key=lambda v: (v != "true", v))
    contenders = []
    for r in rounds:
        if r["contender"] not in contenders:
            contenders.append(r["contender"])
    throughput = []
    for v in variants:
        by = {}
        for r in rounds:
            if r["variant"] == v:
                by.setdefault(r["contender"], {})[r["round"]] = r
        floor = by.get("floor", {})
        es = by.get("ecosweep", {})
        for c in contenders:
            rs = by.get(c, {})
            rates = [r["per_s"] for r in rs.values()]
            # Ratios paired within a round: both ran minutes apart at most.
            vs_floor = [rs[k]["per_s"] / floor[k]["per_s"] for k in rs
                        if k in floor and rs[k]["per_s"] and floor[k]["per_s"]]
            # (against ecosweep with its files in the work directory)
            es_vs = [es[k]["per_s"] / rs[k]["per_s"] for k in rs
                     if k in es and rs[k]["per_s"] and es[k]["per_s"]]
            throughput.append({"variant": v, "contender": c, "per_s": spread(rates),
                               "ratio_to_floor": spread(vs_floor),
                               "ecosweep_over_this": spread(es_vs),
                               "peak_rss_kb": spread([r["peak_rss_kb"] for r in rs.values()
                                                      if r["peak_rss_kb"]])})

    sizes = []
    for r in read_tsv(os.path.join(workdir, "sizes.tsv")):
        n = int(r[0])
        rec = {"trials_asked": n, "seconds": num(r[1]), "peak_rss_kb": num(r[2]),
               "db_bytes": num(r[3]), "trials": int(r[4]), "log_bytes": num(r[5]),
               "log_alloc_bytes": num(r[6]), "log_files": num(r[7]), "empty_files": num(r[8]),
               "exit": int(r[9])}
        t = rec["trials"] or 1
        rec["per_s"] = rec["trials"] / rec["seconds"] if rec["seconds"] else None
        rec["db_bytes_per_trial"] = rec["db_bytes"] / t
        rec["log_bytes_per_trial"] = rec["log_bytes"] / t
        rec["log_alloc_bytes_per_trial"] = rec["log_alloc_bytes"] / t
        rec["log_files_per_trial"] = rec["log_files"] / t
        sizes.append(rec)

    reports = {}
    for r in read_tsv(os.path.join(workdir, "reports.tsv")):
        reports.setdefault(int(r[0]), {}).setdefault(r[1], []).append(
            {"status": r[2], "seconds": num(r[3]), "bytes": num(r[4]),
             "note": r[5] if len(r) > 5 else ""})
    report_cells = {}
    for n, fmts in reports.items():
        for fmt_name, runs in fmts.items():
            ok = [x["seconds"] for x in runs if x["status"] == "ok"]
            other = [x for x in runs if x["status"] != "ok"]
            report_cells.setdefault(n, {})[fmt_name] = {
                "status": "ok" if ok and not other else (other[0]["status"] if other else "none"),
                "seconds": spread(ok), "runs": runs,
                "note": other[0]["note"] if other else ""}

    result = {"meta": meta, "throughput": throughput, "rounds": rounds, "sizes": sizes,
              "reports": {str(k): v for k, v in sorted(report_cells.items())}}
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")

    limit = meta.get("report_timeout_s")
    L = []
    L.append("# Scale: per-trial overhead, report time, bytes and memory as the work grows")
    L.append("")
    L.append("Command: `%s`  " % meta["command"])
    L.append("Machine: %s  " % meta["machine"])
    L.append("ecosweep: %s (commit %s); Optuna %s, Python %s  "
             % (meta["build"], meta["commit"], meta["optuna"], meta["python"]))
    L.append("Date: %s; load average at start %s, at end %s; work directory on %s; "
             "whole run %d s" % (meta["date"], meta["loadavg_start"], meta["loadavg_end"],
                                 meta["fs"], meta["total_s"]))
    L.append("")
    L.append("## Trivial-trial throughput (%d rounds, alternating, order rotated each round)"
             % meta["rounds"])
    L.append("")
    L.append("Trials run %d at a time.  *floor*: a C program (compiled by the script) that "
             "forks and execs a child which forks and execs the trial program, waiting for both: "
             "the two-level spawn every ecosweep trial pays (coordinator -> worker -> trial) "
             "with nothing else.  *ecosweep*: `ecosweep run` of a random sweep (three "
             "parameters, run_cap %d), timed as the whole command, start-up and the final "
             "summary included.  *Optuna*: Optuna %s, `create_study(storage=\"sqlite:///...\")`, "
             "RandomSampler, the same three parameters, the trial program run with "
             "`subprocess.run` (stdout and stderr captured) in each objective call, %d trials, "
             "timed as `study.optimize()` alone (Python's start-up, the import and the study's "
             "creation are not counted); `n_jobs` as in the label.  Ratios are paired within a "
             "round; brackets give the smallest and largest over the rounds."
             % (meta["parallel"], meta["trials"], meta["optuna"], meta["optuna_trials"]))
    L.append("")
    L.append("| trial program | contender | trials/s, median [min, max] | / floor, median "
             "[min, max] | ecosweep / this | coordinator peak RSS |")
    L.append("|---|---|---|---|---|---|")
    for t in throughput:
        p, rf, eo = t["per_s"], t["ratio_to_floor"], t["ecosweep_over_this"]
        rss = t["peak_rss_kb"]
        L.append("| `%s` | %s | %s [%s, %s] | %s | %s | %s |" % (
            meta["variants"].get(t["variant"], t["variant"]), t["contender"],
            g(p["median"], 4) if p else "n/a", g(p["min"], 4) if p else "", g(p["max"], 4) if p else "",
            "%.3f [%.3f, %.3f]" % (rf["median"], rf["min"], rf["max"]) if rf and t["contender"] != "floor" else "1",
            "%.2f [%.2f, %.2f]" % (eo["median"], eo["min"], eo["max"]) if eo and t["contender"] != "ecosweep" else "-",
            "%.1f MB" % (rss["median"] / 1024) if rss else "-"))
    L.append("")
    for t in throughput:
        if t["contender"].startswith("ecosweep") and t["ratio_to_floor"]:
            r = t["ratio_to_floor"]
            L.append("- target, `%s`, %s: at >= %.0f%% of the spawn floor: %s (median %.0f%%, "
                     "rounds %.0f%% to %.0f%%)" % (
                         meta["variants"].get(t["variant"], t["variant"]), t["contender"],
                         100 * TARGET_FLOOR_RATIO,
                         "met" if r["median"] >= TARGET_FLOOR_RATIO else "missed",
                         100 * r["median"], 100 * r["min"], 100 * r["max"]))
    L.append("")
    L.append("## Sweeps of %s trials (random search, parallel %d, `%s`)"
             % (", ".join(size_label(s["trials_asked"]) for s in sizes), meta["parallel"],
                meta["variants"].get(meta["size_variant"], meta["size_variant"])))
    L.append("")
    L.append("Each database is made by really running the sweep (`ecosweep run`, timed whole; "
             "peak RSS is the coordinator's, from GNU time's wait4 rusage, the largest of the "
             "process and its reaped children, and the coordinator is the largest).  Database "
             "bytes: the file (and any -wal) after the sweep ended.  Logs: everything under "
             "`DB.d/`, as the bytes in its files and as the disk space it takes (`du`: "
             "directories and the block each small file takes included).")
    L.append("")
    L.append("| trials | sweep wall | trials/s | coordinator peak RSS | DB bytes/trial | log bytes/trial "
             "| log disk/trial | files/trial | empty files |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for s in sizes:
        L.append("| %s%s | %.1f s | %s | %.1f MB | %.0f | %.1f | %.1f KiB | %.2f | %d |" % (
            size_label(s["trials"]), "" if s["exit"] == 0 else " (exit %d)" % s["exit"],
            s["seconds"], g(s["per_s"], 4), (s["peak_rss_kb"] or 0) / 1024,
            s["db_bytes_per_trial"], s["log_bytes_per_trial"],
            s["log_alloc_bytes_per_trial"] / 1024, s["log_files_per_trial"],
            s["empty_files"] or 0))
    L.append("")
    L.append("## `ecosweep report` time per format")
    L.append("")
    L.append("Wall seconds of `ecosweep report --db DB --format F > /dev/null` (median of %d runs "
             "where it ran more than once), with a limit of %s s per run: *timeout* means it "
             "was stopped there; *skipped* means it was not started because the smaller "
             "database's fastest time, grown only in proportion to the trials, would already "
             "pass the limit.  Brackets give the fastest and slowest runs where they differ by "
             "more than 20%%."
             % (meta["report_repeats"], g(limit)))
    L.append("")
    ns = sorted(report_cells)
    L.append("| format | " + " | ".join(size_label(n) + " trials" for n in ns) + " |")
    L.append("|---|" + "---|" * len(ns))
    for fmt_name in FORMATS:
        cells = []
        for n in ns:
            c = report_cells[n].get(fmt_name)
            if c is None:
                cells.append("-")
            elif c["status"] == "ok":
                s = c["seconds"]
                cells.append("%s s" % g(s["median"], 3) + (" [%s, %s]" % (g(s["min"], 3), g(s["max"], 3))
                                                          if s["n"] > 1 and s["max"] > 1.2 * s["min"] else ""))
            elif c["status"] == "timeout":
                cells.append("timeout (> %s s)" % g(limit))
            else:
                cells.append("%s%s" % (c["status"], ": " + c["note"] if c["note"] else ""))
        L.append("| %s | %s |" % (fmt_name, " | ".join(cells)))
    L.append("")
    with open(out_md, "w") as f:
        f.write("\n".join(L))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "optuna":
        optuna_run(sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "summarize":
        summarize(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
