#!/usr/bin/env python3
"""Regenerates every example output shown in README.md and docs/TUTORIAL.md from the current model.

Each generated block sits between two markers:

    <!-- generated:NAME model=FINGERPRINT -->
    ...
    <!-- /generated:NAME -->

The script runs the block's command (listed in BLOCKS below: the same command the document prints
above the block; change both together), replaces the block's body with what the command prints
(or a table built from its CSV), and writes the current model fingerprint into the opening
marker. The fingerprint is the SHA-256 of the golden output
hashes of the main model (`tests/golden/*.sha256` except Epstein's, without manifest lines), so a
model change that re-blesses the golden files makes `tests/docs.rs` fail until this script is
run again. Prose that interprets the numbers must be reread by hand after a run; the script
prints every block it changed.

It also redraws the figures the documents show (FIGURES below), from the commands they give, in
the paper style (`--style paper`: no title in the image, the document's caption says it; labels
in words; arms told apart by dashes and markers as well as colours; 300 dpi).

Usage: scripts/update-docs.py [NAME ...]   (default: every block and figure)
"""

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The binary `cargo build --release` makes (honouring CARGO_TARGET_DIR, as cargo does).
BIN = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release" / "peacesim"
GOLDEN_FOR_FINGERPRINT = ["baseline-60", "tiny-conflict", "unmil-ebola-100", "whatif-tiny-conflict"]


def fingerprint() -> str:
    """Must match `model_fingerprint` in tests/docs.rs."""
    h = hashlib.sha256()
    for name in GOLDEN_FOR_FINGERPRINT:
        for line in (ROOT / "tests" / "golden" / f"{name}.sha256").read_text().splitlines():
            if "manifest.json" not in line:
                h.update(line.encode() + b"\n")
    return h.hexdigest()[:16]


def run(args, out_dir):
    """Runs peacesim from the repository root with its output in a scratch directory; stdout."""
    cmd = [str(BIN)] + args + ["--out", str(out_dir)]
    print("  $ peacesim " + " ".join(args), file=sys.stderr)
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    # The last line names the output directory, a scratch path here.
    lines = res.stdout.rstrip("\n").split("\n")
    if lines and lines[-1].strip() == str(out_dir):
        lines.pop()
    return "\n".join(lines)


def text_block(stdout):
    return "```text\n" + stdout.rstrip() + "\n```"


def compare_table(out_dir, arms, rows):
    """A Markdown table of arm means (and relative changes with their CIs) from comparison.csv."""
    data = list(csv.DictReader(open(out_dir / "comparison.csv")))
    by = {(r["outcome"], r["arm"]): r for r in data}
    header = "| outcome | " + " | ".join(label for _, label in arms) + " |"
    lines = [header, "|" + "---|" * (len(arms) + 1)]
    for outcome, label, fmt in rows:
        cells = []
        for i, (arm, _) in enumerate(arms):
            r = by[(outcome, arm)]
            mean = float(r["mean"])
            cell = fmt(mean)
            if i > 0 and r.get("relative_diff") not in (None, "", "NaN"):
                rel = float(r["relative_diff"]) * 100
                lo, hi = r.get("relative_boot_ci95_low"), r.get("relative_boot_ci95_high")
                if lo not in (None, "", "NaN") and hi not in (None, "", "NaN"):
                    cell += f" ({rel:+.0f} %, CI {float(lo) * 100:+.0f} % to {float(hi) * 100:+.0f} %)"
                else:
                    cell += f" ({rel:+.0f} %)"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    spend = []
    for arm, _ in arms:
        parts = [float(by[(f"spend_{p}_usd", arm)]["mean"]) / 1e6 for p in ("protection", "health", "economic", "empowerment")]
        spend.append(" / ".join(f"{v:,.1f}" for v in parts))
    lines.append("| spending: protection / health / economic / empowerment (US$ million) | " + " | ".join(spend) + " |")
    return "\n".join(lines)


def count(v):
    return f"{v:,.0f}"


def share(v):
    return f"{v:.3f}"


TUTORIAL_HEALTH = "mission.policy.weights={protection=0.3,health=0.5,economic=0.1,empowerment=0.1}"

BLOCKS = {
    "readme-compare": (
        "README.md",
        lambda d: text_block(
            run(
                [
                    "compare",
                    "scenarios/baseline.toml",
                    "--arm",
                    "protection-heavy=",
                    "--arm",
                    "balanced=mission.policy.weights={protection=0.25, health=0.25, economic=0.25, empowerment=0.25}",
                    "--replicates",
                    "20",
                ],
                d,
            )
        ),
    ),
    "readme-whatif": (
        "README.md",
        lambda d: text_block(
            run(
                [
                    "whatif",
                    "baseline",
                    "--set",
                    "mission.policy.weights={protection=0.3,health=0.3,economic=0.2,empowerment=0.2}",
                    "--replicates",
                    "6",
                ],
                d,
            )
        ),
    ),
    "tutorial-whatif": (
        "docs/TUTORIAL.md",
        lambda d: text_block(run(["whatif", "unmil-ebola", "--set", TUTORIAL_HEALTH], d)),
    ),
    "tutorial-compare": (
        "docs/TUTORIAL.md",
        lambda d: (
            run(
                [
                    "compare",
                    "unmil-ebola",
                    "--arm",
                    "security-only=",
                    "--arm",
                    f"health-top-down={TUTORIAL_HEALTH}",
                    "--arm",
                    'bottom-up=mission.policy.allocation="bottom_up"',
                    "--replicates",
                    "10",
                ],
                d,
            ),
            compare_table(
                d,
                [("security-only", "security-only"), ("health-top-down", "health, top-down"), ("bottom-up", "bottom-up")],
                [
                    ("epidemic_deaths", "epidemic deaths", count),
                    ("deaths", "deaths from all causes", count),
                    ("mean_m0", "mean human insecurity M0", share),
                    ("mean_food_insecure_share", "mean food-insecure share", share),
                    ("final_trust_in_mission", "final trust in the mission", share),
                ],
            ),
        )[1],
    ),
}


FIG = ROOT / "docs" / "figures"
TUT = FIG / "tutorial"

# Figures shown in the documents: the commands the documents give, and which file goes where.
# "{out}" in an argument is the job's scratch output directory.
# Figures are drawn in the paper style: one journal column unless a figure needs two.
PAPER = ["--style", "paper"]
FIGURES = {
    "figures-readme-compare": (
        [["compare", "scenarios/baseline.toml", "--arm", "protection-heavy=", "--arm",
          "balanced=mission.policy.weights={protection=0.25, health=0.25, economic=0.25, empowerment=0.25}",
          "--replicates", "20", "--quiet", "--plot", *PAPER, "--out", "{out}"]],
        [("compare-af_m0.png", FIG / "compare-af_m0.png"), ("compare-differences.png", FIG / "compare-differences.png")],
    ),
    "figures-readme-human-security": (
        [["run", "scenarios/baseline.toml", "--quiet", "--out", "{out}"],
         ["plot", "{out}", "--format", "png", *PAPER, "--width", "double"]],
        [("human-security.png", FIG / "human-security.png")],
    ),
    "figures-tutorial-whatif": (
        [["whatif", "unmil-ebola", "--set", TUTORIAL_HEALTH, "--quiet", *PAPER, "--out", "{out}"]],
        [("whatif.png", TUT / "unmil-health-whatif.png")],
    ),
    "figures-tutorial-compare": (
        [["compare", "unmil-ebola", "--arm", "security-only=", "--arm", f"health-top-down={TUTORIAL_HEALTH}",
          "--arm", 'bottom-up=mission.policy.allocation="bottom_up"', "--replicates", "10", "--quiet", "--plot",
          *PAPER, "--out", "{out}"]],
        [("compare-epidemic_infectious.png", TUT / "unmil-compare-infectious.png"), ("compare-af_m0.png", TUT / "unmil-compare-m0.png")],
    ),
    "figures-tutorial-bottom-up": (
        [["whatif", "unmil-ebola", "--set", "mission.policy.allocation=bottom_up", "--quiet", *PAPER, "--out", "{out}"]],
        [("whatif.png", TUT / "unmil-bottom-up-whatif.png")],
    ),
    "figures-unmiss": (
        [["run", "unmiss-poc-sites", "--replicates", "3", "--quiet", "--out", "{out}"],
         ["plot", "{out}", "--indicator", "in_sites", "--format", "png", *PAPER]],
        [("timeseries-in_sites.png", TUT / "unmiss-in-sites.png")],
    ),
    "figures-minusma": (
        [["run", "minusma-withdrawal", "--replicates", "3", "--quiet", "--out", "{out}"],
         ["plot", "{out}", "--indicator", "troops_deployed", "--indicator", "civilian_fatalities_cumulative", "--format", "png", *PAPER]],
        [("timeseries-troops_deployed.png", TUT / "minusma-troops.png"), ("timeseries-civilian_fatalities_cumulative.png", TUT / "minusma-civilian-fatalities.png")],
    ),
    "figures-monusco": (
        [["run", "monusco-backlash", "--quiet", "--out", "{out}"],
         ["plot", "{out}", "--indicator", "protests_cumulative", "--map-indicator", "trust_in_mission", "--map-ticks", "0,365,729",
          "--format", "png", *PAPER, "--width", "double"]],
        [("timeseries-protests_cumulative.png", TUT / "monusco-protests.png"), ("map-strip-trust_in_mission.png", TUT / "monusco-trust-map.png")],
    ),
    "figures-minusca": (
        [["compare", "minusca-stabilization", "--arm", "stabilization=", "--arm",
          "protection-only=mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}",
          "--replicates", "3", "--quiet", "--out", "{out}"],
         ["plot", "{out}", "--indicator", "tension", "--format", "png", *PAPER]],
        [("compare-tension.png", TUT / "minusca-tension.png")],
    ),
}


def figures(name, scratch):
    commands, copies = FIGURES[name]
    out = scratch / "out"
    for args in commands:
        cmd = [str(BIN)] + [a.replace("{out}", str(out)) for a in args]
        print("  $ peacesim " + " ".join(args), file=sys.stderr)
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    made = sorted(p.name for p in (out / "figures").glob("*.png"))
    for src, dst in copies:
        if not (out / "figures" / src).exists():
            sys.exit(f"{name}: no figure {src}; made: {', '.join(made)}")
        shutil.copyfile(out / "figures" / src, dst)
        print(f"  {dst.relative_to(ROOT)}", file=sys.stderr)


def main():
    names = sys.argv[1:] or list(BLOCKS) + list(FIGURES)
    unknown = [n for n in names if n not in BLOCKS and n not in FIGURES]
    if unknown:
        sys.exit(f"unknown block(s): {', '.join(unknown)}; known: {', '.join(list(BLOCKS) + list(FIGURES))}")
    if not BIN.exists() or os.environ.get("PEACESIM_NO_BUILD") is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    fp = fingerprint()
    for name in [n for n in names if n in FIGURES]:
        print(f"figures: {name}", file=sys.stderr)
        scratch = Path(tempfile.mkdtemp(prefix=f"peacesim-docs-{name}-"))
        try:
            figures(name, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    for name in [n for n in names if n in BLOCKS]:
        path, make = BLOCKS[name]
        doc = ROOT / path
        text = doc.read_text()
        pattern = re.compile(
            r"(<!-- generated:" + re.escape(name) + r" model=)[0-9a-f]*( -->\n)(.*?)(\n<!-- /generated:" + re.escape(name) + r" -->)",
            re.S,
        )
        if not pattern.search(text):
            sys.exit(f"{path}: no block `{name}` (markers <!-- generated:{name} model=... --> and <!-- /generated:{name} -->)")
        print(f"{path}: {name}", file=sys.stderr)
        scratch = Path(tempfile.mkdtemp(prefix=f"peacesim-docs-{name}-"))
        try:
            body = make(scratch / "out")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        text = pattern.sub(lambda m: m.group(1) + fp + m.group(2) + body + m.group(4), text, count=1)
        doc.write_text(text)
        print(body, file=sys.stderr)
    print(f"model fingerprint {fp}", file=sys.stderr)


if __name__ == "__main__":
    main()
