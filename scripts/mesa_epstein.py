"""Runs Mesa's `epstein_civil_violence` example (Mesa 3.3.1) headless, for the side-by-side
comparison with peacesim's presets (docs/VALIDATION.md) and the speed comparison (BENCHMARKS.md).

Run it through scripts/mesa-epstein.sh, which installs Mesa 3.3.1 into a throwaway virtual
environment. The example's own classes are used unchanged; this file only builds the model with
the given sliders, calls `model.step()` and reads the counts the model keeps (`ACTIVE`, `QUIET`,
`ARRESTED`, set by the model's `_update_counts` after every step).

Modes:

    series --out DIR --seeds 1-20 --ticks 1100 [--no-collect] [sliders]
        One CSV per seed, DIR/mesa-seed-S.csv: tick,quiescent,active,jailed,cops,citizens (tick 0
        is the initial state). `jailed` is Mesa's ARRESTED count: citizens arrested and not yet
        past their next own turn with a zero sentence. The counts come from the model's own
        `_update_counts`, which `step` calls whether or not the DataCollector collects, so
        --no-collect (see speed-run) gives the same series faster (the collection draws no random
        numbers).

    speed-run --ticks T --seed S [--count] [--no-collect] [sliders]
        Builds the model and runs T ticks; prints one JSON line. With --count, the example's
        Citizen.step and Cop.step are wrapped to count agent-updates (a cop's turn, or a citizen's
        turn with jail_sentence 0, i.e. one that decides and moves; a jailed citizen's turn that
        only counts its sentence down is not an update), cumulative after every tick; the wrapper
        consumes no random numbers, so the run is the same as without it. Timing runs are made
        without --count. --no-collect replaces the DataCollector's per-step collection (which
        records two agent reporters for every agent every step) by nothing.

    compare-speed --peacesim-example PATH --side 100 --ticks-short 20 --ticks-long 220 [--seed S]
        Whole-process CPU time (user + system, from the child's rusage) of a short and a long run
        of the same seed, for Mesa (as shipped, and without per-step data collection) and for
        peacesim (the epstein_speed example on scenarios/epstein-mesa.toml, same sliders at the
        same lattice size); rate = (updates(long) - updates(short)) / (cpu(long) - cpu(short)),
        which subtracts start-up (interpreter, imports, model construction) on both sides.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time

SLIDERS = {
    # Mesa's app.py sliders (the example's interactive defaults); the model class's own
    # defaults differ (cop_density 0.074, legitimacy 0.8, max_jail_term 1000).
    "width": 40,
    "height": 40,
    "citizen_density": 0.7,
    "cop_density": 0.04,
    "citizen_vision": 7,
    "cop_vision": 7,
    "legitimacy": 0.82,
    "max_jail_term": 30,
}


def add_sliders(p):
    for k, v in SLIDERS.items():
        p.add_argument("--" + k.replace("_", "-"), type=type(v), default=v)


def sliders(a):
    return {k: getattr(a, k) for k in SLIDERS}


def build(seed, s):
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    return EpsteinCivilViolence(seed=seed, **s)


def counts(model):
    from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, Cop

    citizens = len(model.agents_by_type[Citizen])
    cops = len(model.agents_by_type[Cop])
    return model.QUIET, model.ACTIVE, model.ARRESTED, cops, citizens


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def series(a):
    os.makedirs(a.out, exist_ok=True)
    s = sliders(a)
    for seed in parse_seeds(a.seeds):
        t0 = time.time()
        model = build(seed, s)
        if a.no_collect:
            model.datacollector.collect = lambda _model: None
        path = os.path.join(a.out, f"mesa-seed-{seed}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["tick", "quiescent", "active", "jailed", "cops", "citizens"])
            w.writerow([0, *counts(model)])
            for t in range(1, a.ticks + 1):
                model.step()
                w.writerow([t, *counts(model)])
        print(f"seed {seed}: {a.ticks} ticks in {time.time() - t0:.0f} s -> {path}", file=sys.stderr)


def speed_run(a):
    from mesa.examples.advanced.epstein_civil_violence import agents

    updates = [0]
    if a.count:
        citizen_step, cop_step = agents.Citizen.step, agents.Cop.step

        def counted_citizen(self):
            if not self.jail_sentence:
                updates[0] += 1
            citizen_step(self)

        def counted_cop(self):
            updates[0] += 1
            cop_step(self)

        agents.Citizen.step, agents.Cop.step = counted_citizen, counted_cop
    model = build(a.seed, sliders(a))
    if a.no_collect:
        model.datacollector.collect = lambda _model: None
    cumulative = []
    for _ in range(a.ticks):
        model.step()
        cumulative.append(updates[0])
    print(json.dumps({"ticks": a.ticks, "updates": cumulative if a.count else None, "counts": counts(model)}))


def child_cpu(cmd):
    """Runs cmd; returns (user + system CPU seconds of the child, its stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def compare_speed(a):
    me = [sys.executable, os.path.abspath(__file__), "speed-run", "--seed", str(a.seed)]
    side = ["--width", str(a.side), "--height", str(a.side)]
    short, long_ = a.ticks_short, a.ticks_long
    counted = json.loads(child_cpu(me + side + ["--ticks", str(long_), "--count"])[1])["updates"]
    mesa_updates = counted[long_ - 1] - counted[short - 1]
    rows = {}
    for label, extra in (("mesa as shipped", []), ("mesa without per-step data collection", ["--no-collect"])):
        for rep in range(a.repeats):
            c_short = child_cpu(me + side + extra + ["--ticks", str(short)])[0]
            c_long = child_cpu(me + side + extra + ["--ticks", str(long_)])[0]
            rows.setdefault(label, []).append((c_short, c_long, mesa_updates / (c_long - c_short)))
    ex = [a.peacesim_example, a.scenario, "--set", f"lattice.width={a.side}", "--set", f"lattice.height={a.side}",
          "--set", f"run.seed={a.seed}"]
    p_updates = None
    for rep in range(a.repeats):
        c_short, o_short = child_cpu(ex + ["--ticks", str(a.peacesim_short)])
        c_long, o_long = child_cpu(ex + ["--ticks", str(a.peacesim_long)])
        p_updates = json.loads(o_long)["updates"] - json.loads(o_short)["updates"]
        rows.setdefault("peacesim " + os.path.basename(a.scenario), []).append((c_short, c_long, p_updates / (c_long - c_short)))
    print(f"{a.side} x {a.side}, seed {a.seed}; Mesa ticks {short + 1}-{long_} ({mesa_updates} agent-updates), "
          f"peacesim ticks {a.peacesim_short + 1}-{a.peacesim_long} ({p_updates} agent-updates)")
    print("| side | CPU s short run | CPU s long run | agent-updates per CPU second |")
    print("|---|---:|---:|---:|")
    for label, rs in rows.items():
        for c_short, c_long, rate in rs:
            print(f"| {label} | {c_short:.3f} | {c_long:.3f} | {rate:,.0f} |")
    mesa_best = max(r[2] for rs in (rows["mesa as shipped"], rows["mesa without per-step data collection"]) for r in rs)
    ours = [r[2] for k, rs in rows.items() if k.startswith("peacesim") for r in rs]
    print(f"ratio, slowest peacesim run over fastest Mesa run: {min(ours) / mesa_best:,.0f}x")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("series")
    s.add_argument("--out", required=True)
    s.add_argument("--seeds", default="1-20")
    s.add_argument("--ticks", type=int, default=1100)
    s.add_argument("--no-collect", action="store_true")
    add_sliders(s)
    r = sub.add_parser("speed-run")
    r.add_argument("--ticks", type=int, required=True)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--count", action="store_true")
    r.add_argument("--no-collect", action="store_true")
    add_sliders(r)
    c = sub.add_parser("compare-speed")
    c.add_argument("--peacesim-example", required=True)
    c.add_argument("--scenario", default="scenarios/epstein-mesa.toml")
    c.add_argument("--side", type=int, default=100)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--ticks-short", type=int, default=20)
    c.add_argument("--ticks-long", type=int, default=220)
    c.add_argument("--peacesim-short", type=int, default=1000)
    c.add_argument("--peacesim-long", type=int, default=21000)
    c.add_argument("--repeats", type=int, default=2)
    a = p.parse_args()
    {"series": series, "speed-run": speed_run, "compare-speed": compare_speed}[a.mode](a)


if __name__ == "__main__":
    main()
