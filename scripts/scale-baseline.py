#!/usr/bin/env python3
"""Writes scenarios/baseline.toml scaled to about PEOPLE people, to stdout.

Populations, protection-site capacities, armed-group fighters and the mission's personnel and
budget scale together; scheduled events do not. This is the scenario `benches/engine.rs`
builds in memory, as a file, for runs too large for the benches (BENCHMARKS.md):

    python3 scripts/scale-baseline.py 10000000 > /tmp/baseline-1e7.toml
    /usr/bin/time -v target/release/peacesim run /tmp/baseline-1e7.toml --out /tmp/b7 --force --quiet
"""

import pathlib
import re
import sys

KEYS = ("population", "fighters", "troops", "police", "observers", "civilians", "budget_usd_per_day")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: scale-baseline.py PEOPLE")
    people = int(float(sys.argv[1]))  # accepts 1e7
    path = pathlib.Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
    text = path.read_text()
    total = sum(int(m) for m in re.findall(r"(?m)^population = (\d+)\s*$", text))
    f = people / total
    section = ""
    out = []
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip()
        m = re.match(r"^(\w+) = ([0-9.]+)\s*$", line)
        if m and m.group(1) in KEYS and section != "[[events]]":
            # Integers stay integers (the schema types them), rounded to the nearest.
            key, raw = m.group(1), m.group(2)
            scaled = float(raw) * f
            line = f"{key} = {round(scaled) if '.' not in raw else scaled!r}"
        line = re.sub(r"capacity = (\d+)", lambda c: f"capacity = {round(int(c.group(1)) * f)}", line)
        out.append(line)
    print("\n".join(out))


if __name__ == "__main__":
    main()
