#!/usr/bin/env python3
"""Draws the scaling figure of BENCHMARKS.md from docs/figures/benchmarks/scaling.csv.

Left: seconds per tick against people (log-log), one line per thread count, with the line of
exactly linear cost through the 10^5 point for reference. Right: speed-up from 1 to 2 threads
against people, with the ideal 2x. Writes scaling.svg next to the CSV (python3 standard library
only); convert to PNG with `rsvg-convert -w 1200 scaling.svg -o scaling.png`.

    python3 scripts/bench-figure.py
"""

import csv
import math
import pathlib

DIR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "figures" / "benchmarks"
W, H = 960, 420
PANEL_W, PANEL_H = 360, 280
LEFT = [(90, 50), (570, 50)]  # top-left corners of the two plot areas
COLOURS = {1: "#1b6ca8", 2: "#d1495b"}


def load():
    rows = list(csv.DictReader(open(DIR / "scaling.csv")))
    data = {}
    for r in rows:
        data.setdefault(int(r["threads"]), []).append(
            (int(r["people"]), float(r["median_s"]), float(r["min_s"]), float(r["max_s"]))
        )
    for v in data.values():
        v.sort()
    return data


def text(x, y, s, size=15, anchor="middle", rotate=None, weight="normal"):
    t = f' transform="rotate({rotate} {x} {y})"' if rotate is not None else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" font-family="DejaVu Sans, Arial, sans-serif"{t}>{s}</text>'
    )


def main() -> None:
    data = load()
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">']
    out.append(f'<rect width="{W}" height="{H}" fill="white"/>')

    # Left panel: log-log seconds per tick vs people.
    x0, y0 = LEFT[0]
    people = sorted({p for v in data.values() for p, *_ in v})
    secs = [s for v in data.values() for _, m, lo, hi in v for s in (lo, hi)]
    lx0, lx1 = math.floor(math.log10(min(people))), math.ceil(math.log10(max(people)))
    ly0, ly1 = math.floor(math.log10(min(secs))), math.ceil(math.log10(max(secs)))

    def px(p):
        return x0 + (math.log10(p) - lx0) / (lx1 - lx0) * PANEL_W

    def py(s):
        return y0 + PANEL_H - (math.log10(s) - ly0) / (ly1 - ly0) * PANEL_H

    out.append(f'<rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#333"/>')
    for e in range(lx0, lx1 + 1):
        x = px(10**e)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + PANEL_H}" stroke="#ddd"/>')
        out.append(text(x, y0 + PANEL_H + 20, f"10<tspan baseline-shift='super' font-size='11'>{e}</tspan>"))
    for e in range(ly0, ly1 + 1):
        y = py(10**e)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + PANEL_W}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(text(x0 - 8, y + 5, f"10<tspan baseline-shift='super' font-size='11'>{e}</tspan>", anchor="end"))
    out.append(text(x0 + PANEL_W / 2, y0 + PANEL_H + 45, "people"))
    out.append(text(x0 - 58, y0 + PANEL_H / 2, "seconds per tick", rotate=-90))
    out.append(text(x0 + PANEL_W / 2, y0 - 15, "Cost per tick (median, bars: min-max)", size=16, weight="bold"))
    # Linear reference through the 10^5, 1-thread point.
    ref = [(p, m) for p, m, *_ in data.get(1, []) if p == 100_000]
    if ref:
        p5, m5 = ref[0]
        a, b = 10**lx0, 10**lx1
        out.append(
            f'<line x1="{px(a):.1f}" y1="{py(m5 * a / p5):.1f}" x2="{px(b):.1f}" y2="{py(m5 * b / p5):.1f}" '
            'stroke="#888" stroke-dasharray="5,4"/>'
        )
    for t, v in sorted(data.items()):
        c = COLOURS.get(t, "#444")
        pts = " ".join(f"{px(p):.1f},{py(m):.1f}" for p, m, *_ in v)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2.5"/>')
        for p, m, lo, hi in v:
            out.append(f'<line x1="{px(p):.1f}" y1="{py(lo):.1f}" x2="{px(p):.1f}" y2="{py(hi):.1f}" stroke="{c}" stroke-width="2"/>')
            out.append(f'<circle cx="{px(p):.1f}" cy="{py(m):.1f}" r="4.5" fill="{c}"/>')
    # Legend.
    lx, ly = x0 + 12, y0 + 20
    for i, t in enumerate(sorted(data)):
        c = COLOURS.get(t, "#444")
        out.append(f'<line x1="{lx}" y1="{ly + 22 * i}" x2="{lx + 26}" y2="{ly + 22 * i}" stroke="{c}" stroke-width="2.5"/>')
        out.append(text(lx + 32, ly + 22 * i + 5, f"{t} thread{'s' if t > 1 else ''}", anchor="start", size=14))
    out.append(f'<line x1="{lx}" y1="{ly + 44}" x2="{lx + 26}" y2="{ly + 44}" stroke="#888" stroke-dasharray="5,4"/>')
    out.append(text(lx + 32, ly + 49, "linear from 10⁵", anchor="start", size=14))

    # Right panel: speed-up 1 -> 2 threads per size.
    x0, y0 = LEFT[1]
    one = {p: m for p, m, *_ in data.get(1, [])}
    two = {p: m for p, m, *_ in data.get(2, [])}
    sizes = [p for p in people if p in one and p in two]
    s_lo, s_hi = 0.0, 2.2

    def qy(s):
        return y0 + PANEL_H - (s - s_lo) / (s_hi - s_lo) * PANEL_H

    def qx(p):
        return x0 + 30 + (math.log10(p) - lx0) / (lx1 - lx0) * (PANEL_W - 60)

    out.append(f'<rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#333"/>')
    for s in (0.5, 1.0, 1.5, 2.0):
        out.append(f'<line x1="{x0}" y1="{qy(s):.1f}" x2="{x0 + PANEL_W}" y2="{qy(s):.1f}" stroke="#ddd"/>')
        out.append(text(x0 - 8, qy(s) + 5, f"{s:.1f}", anchor="end"))
    for e in range(lx0, lx1 + 1):
        out.append(text(qx(10**e), y0 + PANEL_H + 20, f"10<tspan baseline-shift='super' font-size='11'>{e}</tspan>"))
    out.append(f'<line x1="{x0}" y1="{qy(2.0):.1f}" x2="{x0 + PANEL_W}" y2="{qy(2.0):.1f}" stroke="#888" stroke-dasharray="5,4"/>')
    out.append(f'<line x1="{x0}" y1="{qy(1.7):.1f}" x2="{x0 + PANEL_W}" y2="{qy(1.7):.1f}" stroke="#2a9d8f" stroke-dasharray="2,3"/>')
    out.append(text(x0 + 6, qy(2.0) - 6, "ideal 2×", anchor="start", size=13))
    out.append(text(x0 + 6, qy(1.7) + 16, "target 1.7×", anchor="start", size=13))
    pts = " ".join(f"{qx(p):.1f},{qy(one[p] / two[p]):.1f}" for p in sizes)
    out.append(f'<polyline points="{pts}" fill="none" stroke="#333" stroke-width="2.5"/>')
    for p in sizes:
        s = one[p] / two[p]
        out.append(f'<circle cx="{qx(p):.1f}" cy="{qy(s):.1f}" r="4.5" fill="#333"/>')
        # Above the point, clear of the target label at the left edge.
        out.append(text(qx(p), qy(s) - 10, f"{s:.2f}", size=13))
    out.append(text(x0 + PANEL_W / 2, y0 + PANEL_H + 45, "people"))
    out.append(text(x0 - 45, y0 + PANEL_H / 2, "speed-up, 1 → 2 threads", rotate=-90))
    out.append(text(x0 + PANEL_W / 2, y0 - 15, "Threads: speed-up at each size", size=16, weight="bold"))
    out.append("</svg>")
    (DIR / "scaling.svg").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
