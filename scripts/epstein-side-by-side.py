#!/usr/bin/env python3
"""peacesim's Epstein presets side by side with Mesa 3.3.1's `epstein_civil_violence` example
(docs/VALIDATION.md, "Epstein side by side").

    python3 scripts/epstein-side-by-side.py --peacesim target/release/peacesim --out /tmp/sbs \
        [--mesa-dir DIR] [--seeds 1-20] [--ticks 2100] [--burn-in 100]

Without --mesa-dir, runs scripts/mesa-epstein.sh (Mesa in a throwaway virtual environment) for
the seeds first; with it, reads DIR/mesa-seed-S.csv written earlier by that script. Then runs
peacesim's arms for the same seeds and prints the table. Every statistic is computed by the same
function from the same columns (tick, quiescent, active, jailed, cops) on both sides:

- citizens: quiescent + active + jailed at tick 0 (constant in Model I); cops likewise.
- window: ticks burn-in + 1 to the last tick (the first outburst after the all-quiet start is
  left out).
- active fraction: mean over the window of active / citizens.
- jailed: mean over the window of jailed (each side's own jailed count: peacesim's `jailed`
  column; Mesa's ARRESTED count).
- outburst: a maximal run of ticks with more than 50 active citizens; it starts at tick t when
  active(t) > 50 and active(t - 1) <= 50, t in the window. Outbursts per 1,000 ticks = starts
  in the window * 1000 / window length.
- interval (wait): ticks from the start of one outburst to the start of the next, both in the
  window (start to start). Mean interval per run = mean of its intervals. The distribution of
  waits pools every interval of every run of an arm: its 10th, 50th and 90th percentiles,
  standard deviation and coefficient of variation (s.d. / mean).
- quiet gap: ticks from the end of one outburst (its last tick above 50) to the start of the
  next, for comparison with replications that report end-to-start waits.
Per arm: mean over seeds and the seed spread (standard deviation over seeds); against Mesa,
the difference of means in per cent of Mesa's mean with Welch's t-test p-value over seeds.
"""

import argparse
import csv
import math
import os
import statistics as st
import subprocess
import sys

THRESHOLD = 50


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in ("tick", "quiescent", "active", "jailed", "cops")}


def run_stats(s, burn_in):
    citizens = s["quiescent"][0] + s["active"][0] + s["jailed"][0]
    cops = s["cops"][0]
    last = len(s["tick"]) - 1
    window = range(burn_in + 1, last + 1)
    n = len(window)
    act = s["active"]
    starts = [t for t in window if act[t] > THRESHOLD and act[t - 1] <= THRESHOLD]
    ends = [t for t in window if act[t] > THRESHOLD and (t == last or act[t + 1] <= THRESHOLD)]
    intervals = [b - a for a, b in zip(starts, starts[1:])]
    gaps = []
    for start in starts:
        before = [e for e in ends if e < start]
        if before:
            gaps.append(start - before[-1])
    return {
        "citizens": citizens,
        "cops": cops,
        "active_fraction": sum(act[t] for t in window) / n / citizens,
        "active": sum(act[t] for t in window) / n,
        "jailed": sum(s["jailed"][t] for t in window) / n,
        "outbursts_per_1000": len(starts) * 1000 / n,
        "interval": st.mean(intervals) if intervals else float("nan"),
        "gap": st.mean(gaps) if gaps else float("nan"),
        "intervals": intervals,
    }


def welch_p(a, b):
    """Two-sided p-value of Welch's t-test (scipy if present, else a normal approximation)."""
    try:
        from scipy import stats

        return stats.ttest_ind(a, b, equal_var=False).pvalue
    except ImportError:
        se = math.sqrt(st.variance(a) / len(a) + st.variance(b) / len(b))
        z = abs(st.mean(a) - st.mean(b)) / se if se > 0 else 0.0
        return math.erfc(z / math.sqrt(2))


def percentile(xs, q):
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    f = math.floor(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def peacesim_run(binary, scenario, seed, ticks, sets, out):
    cmd = [binary, "run", scenario, "--seed", str(seed), "--ticks", str(ticks), "--threads", "1", "--quiet", "--force",
           "--out", out]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "timeseries.csv")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peacesim", default="target/release/peacesim")
    p.add_argument("--out", required=True)
    p.add_argument("--mesa-dir")
    p.add_argument("--seeds", default="1-20", help="e.g. 1-20 or 1-6,13-15")
    p.add_argument("--ticks", type=int, default=2100)
    p.add_argument("--burn-in", type=int, default=100)
    a = p.parse_args()
    seeds = []
    for part in a.seeds.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    mesa_dir = a.mesa_dir or os.path.join(a.out, "mesa")
    if not a.mesa_dir:
        subprocess.run(["scripts/mesa-epstein.sh", "series", "--out", mesa_dir, "--seeds", a.seeds, "--ticks", str(a.ticks)],
                       check=True)
    mesa = {s: read(os.path.join(mesa_dir, f"mesa-seed-{s}.csv")) for s in seeds}
    cells = 40 * 40

    def matched(seed):
        m = run_stats(mesa[seed], a.burn_in)
        return [f"citizens.density={m['citizens'] / cells!r}", f"cops.density={m['cops'] / cells!r}", "rules.fill=exact"]

    old_mesa = ["rules.arrest_rule=round", "rules.neighbourhood=von_neumann", "rules.jail_term=inclusive",
                "rules.active_counts_self=false", "rules.cop_moves_to_arrest=false"]
    arms = [
        ("peacesim `mesa-3`, counts matched to Mesa's seed by seed", "epstein-mesa", lambda s: matched(s)),
        ("peacesim `mesa-3`, own independent fill", "epstein-mesa", lambda s: []),
        ("peacesim, the switches ODD.md used to call Mesa's (counts matched)", "epstein-rebellion",
         lambda s: old_mesa + matched(s)[:2]),
    ]
    for name, half in (("half_up", "rules.rounding=half_up"), ("move_then_act", "rules.action_order=move_then_act"),
                       ("end_of_tick", "rules.jail_countdown=end_of_tick"),
                       ("off the lattice", "rules.jailed_on_lattice=false")):
        arms.append((f"peacesim `mesa-3` but {name} (counts matched)", "epstein-mesa", lambda s, h=half: matched(s) + [h]))
    results = {"Mesa 3.3.1 example": [run_stats(mesa[s], a.burn_in) for s in seeds]}
    for label, scenario, sets in arms:
        rows = []
        for s in seeds:
            out = os.path.join(a.out, "peacesim", f"{scenario}-{len(results)}-seed-{s}")
            rows.append(run_stats(read(peacesim_run(a.peacesim, scenario, s, a.ticks, sets(s), out)), a.burn_in))
        results[label] = rows
        print(f"ran {label}", file=sys.stderr)

    keys = [("active_fraction", "active fraction", 4), ("jailed", "jailed", 1), ("outbursts_per_1000", "outbursts / 1,000 ticks", 1),
            ("interval", "interval (start to start)", 1), ("gap", "quiet gap (end to start)", 1)]
    print(f"{len(seeds)} seeds ({a.seeds}), ticks {a.burn_in + 1}-{a.ticks}; mean over seeds ± seed s.d.\n")
    print("| arm | citizens | cops | " + " | ".join(k[1] for k in keys) + " |")
    print("|---|---:|---:|" + "---:|" * len(keys))
    for label, rows in results.items():
        cells_ = [f"{st.mean(r['citizens'] for r in rows):.0f} ({min(r['citizens'] for r in rows):.0f}–{max(r['citizens'] for r in rows):.0f})",
                  f"{st.mean(r['cops'] for r in rows):.1f} ({min(r['cops'] for r in rows):.0f}–{max(r['cops'] for r in rows):.0f})"]
        for k, _, d in keys:
            xs = [r[k] for r in rows if not math.isnan(r[k])]
            cells_.append(f"{st.mean(xs):.{d}f} ± {st.stdev(xs):.{d}f}")
        print(f"| {label} | " + " | ".join(cells_) + " |")
    print("\nDifference from Mesa (per cent of Mesa's mean; Welch's p over seeds):\n")
    print("| arm | " + " | ".join(k[1] for k in keys) + " |")
    print("|---|" + "---:|" * len(keys))
    base = results["Mesa 3.3.1 example"]
    for label, rows in list(results.items())[1:]:
        cells_ = []
        for k, _, _ in keys:
            xs = [r[k] for r in rows if not math.isnan(r[k])]
            ys = [r[k] for r in base if not math.isnan(r[k])]
            cells_.append(f"{100 * (st.mean(xs) / st.mean(ys) - 1):+.0f} % (p {welch_p(xs, ys):.2f})")
        print(f"| {label} | " + " | ".join(cells_) + " |")
    print("\nDistribution of waits (start to start, every interval of every run pooled):\n")
    print("| arm | intervals | 10th pct | median | 90th pct | s.d. | c.v. |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, rows in results.items():
        xs = [x for r in rows for x in r["intervals"]]
        print(f"| {label} | {len(xs)} | {percentile(xs, 0.1):.0f} | {percentile(xs, 0.5):.0f} | {percentile(xs, 0.9):.0f} | "
              f"{st.stdev(xs):.1f} | {st.stdev(xs) / st.mean(xs):.2f} |")


if __name__ == "__main__":
    main()
