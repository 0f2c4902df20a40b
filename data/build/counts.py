"""Print the count tables of data/README.md (places by governorate and kind; events by year and
governorate).

Run: ``python data/build/counts.py`` (with the boundary layers available, e.g. SYRIAMAP_DATA_MIRROR).
"""

from __future__ import annotations

import pandas as pd

import syriamap


def markdown(table: pd.DataFrame, first: str) -> str:
    cols = [first, *map(str, table.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name, row in table.iterrows():
        label = f"**{name}**" if name == "all" else str(name)
        lines.append("| " + " | ".join([label, *(str(v) for v in row)]) + " |")
    return "\n".join(lines)


def main() -> None:
    data = syriamap.load()
    gov = dict(zip(data.boundaries.admin1["pcode"], data.boundaries.admin1["name_en"]))
    places = data.places.assign(governorate=data.places["adm1"].map(gov))
    kinds = places["kind"].value_counts()
    print(f"Places: **{len(places)}** — " + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ".\n")
    print(
        markdown(
            pd.crosstab(places["governorate"], places["kind"], margins=True, margins_name="all"),
            "governorate",
        )
        + "\n"
    )
    ev = data.events
    where = dict(zip(places["place_id"], places["governorate"]))
    for layer in ("admin1", "admin2", "admin3", "neighbourhoods"):
        frame = getattr(data.boundaries, layer)
        codes = frame["pcode"] if layer == "admin1" else frame["adm1"]
        where.update(zip(frame["pcode"], codes.map(gov)))
    target_gov = ev["target"].map(
        lambda t: "successions (`faction:`)" if t.startswith("faction:") else where[t]
    )
    day = ev["date"].astype(str)
    period = pd.Series(
        [
            "baseline 2024-11-26"
            if d == "2024-11-26"
            else "27 Nov - 31 Dec 2024"
            if "2024-11-27" <= d < "2025"
            else d[:4]
            for d in day
        ],
        index=ev.index,
    )
    status = ev["status"].value_counts()
    prec = ev["date_precision"].value_counts()
    print(
        f"Events: **{len(ev)}** — "
        + ", ".join(f"{n} {k}" for k, n in status.items())
        + "; "
        + ", ".join(f"{n} `{k}`" for k, n in prec.items())
        + ".\n"
    )
    table = pd.crosstab(target_gov, period, margins=True, margins_name="all")
    order = sorted(c for c in table.columns if c[:1].isdigit() and len(c) == 4 and c < "2024")
    order += ["2024", "baseline 2024-11-26", "27 Nov - 31 Dec 2024"]
    order += sorted(c for c in table.columns if len(c) == 4 and c >= "2025") + ["all"]
    print(markdown(table[[c for c in order if c in table.columns]], "governorate of the target"))


if __name__ == "__main__":
    main()
