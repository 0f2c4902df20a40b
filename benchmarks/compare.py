"""Compare two benchmark results CSVs: ``python benchmarks/compare.py OLD.csv NEW.csv``.

For each figure: old value, new value, new/old, and the target status of each run. Figures
from different machines are not comparable as absolute numbers; the ratios (``*_vs_*``,
``*_smaller_than_*``, ``*_speedup_*``) travel better than seconds.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def _read(path: Path) -> tuple[dict[str, dict[str, str]], str]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["figure"]: r for r in rows}, (rows[0]["machine"] if rows else "")


def compare(old: Path, new: Path) -> str:
    a, ma = _read(old)
    b, mb = _read(new)
    lines = [f"compare {old.name} -> {new.name}"]
    if ma != mb:
        lines.append(f"  (different machines: {ma!r} vs {mb!r})")
    lines.append(f"  {'figure':<28} {'old':>12} {'new':>12} {'new/old':>8}  old/new status")
    for name in list(b) + [n for n in a if n not in b]:
        ra, rb = a.get(name), b.get(name)
        va = float(ra["value"]) if ra else float("nan")
        vb = float(rb["value"]) if rb else float("nan")
        ratio = vb / va if ra and rb and va else float("nan")
        lines.append(
            f"  {name:<28} {va:>12.4g} {vb:>12.4g} {ratio:>8.2f}  "
            f"{ra['ok'] if ra else '-'}/{rb['ok'] if rb else '-'}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(compare(Path(sys.argv[1]), Path(sys.argv[2])))
