"""Seeded, reproducible synthetic scale data for the syriamap control engine.

``generate()`` returns the arrays :func:`syriamap.control.resolve` takes, for a country-sized
hierarchy much larger than the real data:

* ``n_places`` places (default 10,000) under 14 governorates (adm1), 65 districts (adm2) and
  270 sub-districts (adm3); ~5 % of the places lie in one of 120 neighbourhoods (nbhd). As in
  :func:`syriamap.control.unit_chains`, each sub-district is also a unit of its own (its
  "area" unit, covered by its adm3/adm2/adm1 codes), so there are ``n_places + 270`` units.
* ``years`` years of days (default 20, from 2005-01-01: 7,305 days).
* ``n_events`` events (default 1,000,000), in chronological file order:
  - a baseline on day 0: one confirmed event per sub-district;
  - ~95 % place targets, ~1.2 % neighbourhood targets, ~3 % sub-district, ~0.6 % district and
    ~0.1 % governorate targets (the admin targets each cover tens to hundreds of units);
  - status confirmed 85 %, claimed 12 %, denied 3 %;
  - 2,000 same-day conflicts: a second event on the same target and day, by another
    controller, claimed or denied (the engine marks these *disputed*);
  - 2 successions (faction 10 -> 0 and 11 -> 1, at one third and two thirds of the range).

Run it as a script to print a summary; ``--out FILE.npz`` saves the arrays.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from syriamap.control import RANK, Cover, build_cover, to_day

SEED = 20241208
START = "2005-01-01"
N_FACTIONS = 12
N_ADM1, N_ADM2, N_ADM3, N_NBHD = 14, 65, 270, 120


@dataclass
class Scale:
    """Synthetic engine input: the cover table, one entry per event, and the successions."""

    chains: pd.DataFrame  # unit, target, rank
    cover: Cover
    target: np.ndarray  # int64 target id (-1: succession)
    day: np.ndarray  # int32 days since epoch
    ctrl: np.ndarray  # int16 faction code
    status: np.ndarray  # int8 STATUS_RANK
    successions: list[tuple[int, int, int, int, int]]
    n_units: int
    n_places: int
    start: int
    days: int
    info: dict[str, int] = field(default_factory=dict)

    def engine_inputs(self) -> dict[str, object]:
        return dict(
            target=self.target, day=self.day, ctrl=self.ctrl, status=self.status, successions=self.successions
        )


def hierarchy(n_places: int, rng: np.random.Generator) -> pd.DataFrame:
    """The chains frame ``unit, target, rank`` of a synthetic country."""
    a3_to_a2 = np.sort(np.concatenate([np.arange(N_ADM2), rng.integers(0, N_ADM2, N_ADM3 - N_ADM2)]))
    a2_to_a1 = np.sort(np.concatenate([np.arange(N_ADM1), rng.integers(0, N_ADM1, N_ADM2 - N_ADM1)]))
    # sub-districts of uneven size (a few dense ones), every one with at least one place
    weight = rng.pareto(1.5, N_ADM3) + 0.2
    p_a3 = np.concatenate([np.arange(N_ADM3), rng.choice(N_ADM3, n_places - N_ADM3, p=weight / weight.sum())])
    p_a3 = rng.permutation(p_a3)
    p_a2 = a3_to_a2[p_a3]
    p_a1 = a2_to_a1[p_a2]
    # neighbourhoods: in the 6 most populous sub-districts, ~5 % of the places
    dense = np.argsort(-np.bincount(p_a3, minlength=N_ADM3))[:6]
    in_dense = np.flatnonzero(np.isin(p_a3, dense))
    hood_places = rng.choice(in_dense, min(len(in_dense), n_places // 20), replace=False)
    hood_of = np.full(n_places, -1)
    # a neighbourhood lies in one sub-district: number them per sub-district
    per = N_NBHD // len(dense)
    for k, a3 in enumerate(dense):
        mine = hood_places[p_a3[hood_places] == a3]
        hood_of[mine] = k * per + rng.integers(0, per, len(mine))
    units = np.arange(n_places)
    area = n_places + np.arange(N_ADM3)
    a3_codes = np.array([f"A3{i:03d}" for i in range(N_ADM3)], dtype=object)
    a2_codes = np.array([f"A2{i:02d}" for i in range(N_ADM2)], dtype=object)
    a1_codes = np.array([f"A1{i:02d}" for i in range(N_ADM1)], dtype=object)
    hoods = hood_of >= 0
    parts = [
        (units, np.array([f"P{i:05d}" for i in units], dtype=object), RANK["place"]),
        (units[hoods], np.array([f"NB{i:03d}" for i in hood_of[hoods]], dtype=object), RANK["nbhd"]),
        (units, a3_codes[p_a3], RANK["adm3"]),
        (area, a3_codes, RANK["adm3"]),
        (units, a2_codes[p_a2], RANK["adm2"]),
        (area, a2_codes[a3_to_a2], RANK["adm2"]),
        (units, a1_codes[p_a1], RANK["adm1"]),
        (area, a1_codes[a2_to_a1[a3_to_a2]], RANK["adm1"]),
    ]
    return pd.DataFrame(
        {
            "unit": np.concatenate([p[0] for p in parts]).astype(np.int64),
            "target": np.concatenate([p[1] for p in parts]),
            "rank": np.concatenate([np.full(len(p[0]), p[2]) for p in parts]).astype(np.int64),
        }
    )


def generate(
    n_places: int = 10_000,
    years: int = 20,
    n_events: int = 1_000_000,
    *,
    seed: int = SEED,
    n_conflicts: int = 2_000,
) -> Scale:
    """Build the synthetic scale data (the same arrays for the same arguments)."""
    rng = np.random.default_rng(seed)
    chains = hierarchy(n_places, rng)
    cover = build_cover(chains)
    start = to_day(START)
    days = to_day(f"{int(START[:4]) + years}{START[4:]}") - start
    tid = {code: i for i, code in enumerate(cover.targets)}
    kinds = {
        k: np.array([tid[c] for c in cover.targets if c.startswith(p)], dtype=np.int64)
        for k, p in (("place", "P"), ("nbhd", "NB"), ("adm3", "A3"), ("adm2", "A2"), ("adm1", "A1"))
    }
    n_succ = 2
    n_base = N_ADM3
    n_rand = n_events - n_base - n_conflicts - n_succ
    # targets of the random events
    kind = rng.choice(5, n_rand, p=[0.951, 0.012, 0.030, 0.006, 0.001])
    target = np.empty(n_rand, np.int64)
    for k, name in enumerate(("place", "nbhd", "adm3", "adm2", "adm1")):
        sel = kind == k
        target[sel] = rng.choice(kinds[name], int(sel.sum()))
    day = start + rng.integers(1, days, n_rand)
    ctrl = rng.integers(0, N_FACTIONS, n_rand)
    status = rng.choice(3, n_rand, p=[0.03, 0.12, 0.85])  # denied, claimed, confirmed
    # same-day conflicts: another controller claims (or denies) the same target that day
    src = rng.choice(n_rand, n_conflicts, replace=False)
    c_ctrl = (ctrl[src] + rng.integers(1, N_FACTIONS, n_conflicts)) % N_FACTIONS
    c_status = rng.choice(2, n_conflicts, p=[0.3, 0.7])
    all_target = np.concatenate([kinds["adm3"], target, target[src]])
    all_day = np.concatenate([np.full(n_base, start), day, day[src]])
    all_ctrl = np.concatenate([rng.integers(0, N_FACTIONS, n_base), ctrl, c_ctrl])
    all_status = np.concatenate([np.full(n_base, 2), status, c_status])
    # successions: two factions absorbed by others (target -1 in the engine's arrays)
    succ_days = [start + days // 3, start + 2 * days // 3]
    succ_pairs = [(10, 0), (11, 1)]
    all_target = np.concatenate([all_target, [-1, -1]])
    all_day = np.concatenate([all_day, succ_days])
    all_ctrl = np.concatenate([all_ctrl, [p[1] for p in succ_pairs]])
    all_status = np.concatenate([all_status, [2, 2]])
    # chronological file order (stable: the order within a day is random but fixed by the seed)
    perm = rng.permutation(len(all_target))
    order = perm[np.argsort(all_day[perm], kind="stable")]
    all_target, all_day, all_ctrl, all_status = (
        a[order] for a in (all_target, all_day, all_ctrl, all_status)
    )
    rows = np.flatnonzero(all_target < 0)
    successions = [
        (int(all_day[r]), int(r), succ_pairs[k][0], succ_pairs[k][1], 2) for k, r in enumerate(rows)
    ]
    n_units = n_places + N_ADM3
    counts = cover.offsets[1:] - cover.offsets[:-1]
    info = {
        "events": len(all_target),
        "units": n_units,
        "places": n_places,
        "days": days,
        "conflicts": n_conflicts,
        "successions": len(successions),
        "unit_events": int(counts[all_target[all_target >= 0]].sum()),
        "admin_target_events": int(
            np.isin(all_target, np.concatenate([kinds["adm3"], kinds["adm2"], kinds["adm1"]])).sum()
        ),
    }
    return Scale(
        chains=chains,
        cover=cover,
        target=all_target.astype(np.int64),
        day=all_day.astype(np.int32),
        ctrl=all_ctrl.astype(np.int16),
        status=all_status.astype(np.int8),
        successions=successions,
        n_units=n_units,
        n_places=n_places,
        start=start,
        days=days,
        info=info,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--places", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", help="save the arrays to this .npz")
    a = ap.parse_args()
    t0 = time.perf_counter()
    s = generate(a.places, a.years, a.events, seed=a.seed)
    print(f"generated in {time.perf_counter() - t0:.2f} s: {s.info}")
    if a.out:
        np.savez(
            a.out,
            target=s.target,
            day=s.day,
            ctrl=s.ctrl,
            status=s.status,
            successions=np.array(s.successions, dtype=np.int64).reshape(-1, 5),
            chains_unit=s.chains["unit"].to_numpy(),
            chains_rank=s.chains["rank"].to_numpy(),
            chains_target=s.chains["target"].to_numpy().astype(str),
        )
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
