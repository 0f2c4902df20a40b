"""A naive reference for the control engine: a per-day pandas replay of the rule table, written plainly.

For each day: take the events that count on or before that day (a denial counts on the day of
the claim it answers, within three days, or not at all), keep for each unit and day the rows of
the most specific target, and decide each (unit, day) by the rule table (``syriamap/_engine.py``):
one confirmed side settles it; one claimed side takes it unless it already holds it; anything
else is disputed and keeps the holder from before. Successions are replayed in order: a unit
held by ``from`` at the end of the succession's day passes to ``to``.

This is what a user would write without thinking about speed, with the obvious one-off savings
(expanding events to units once, sorting once): it is a fair, not a strawman, baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WINDOW = 3  # days a denial looks back for the claim it answers


class NaiveReplay:
    """Prepare once (expand events to the units they cover, sort), then answer one day at a time."""

    def __init__(
        self,
        chains: pd.DataFrame,
        target_codes: pd.Index,
        *,
        target: np.ndarray,
        day: np.ndarray,
        ctrl: np.ndarray,
        status: np.ndarray,
        successions: list[tuple[int, int, int, int, int]],
        n_units: int,
    ) -> None:
        events = pd.DataFrame({"row": np.arange(len(target)), "day": day, "ctrl": ctrl, "status": status})
        events = events[target >= 0].copy()
        events["target"] = target_codes[target[target >= 0]]
        events["day"] = _answered(events)
        events = events[events["day"] >= 0]
        expanded = events.merge(chains, on="target")  # one row per (event, covered unit)
        self.events = expanded.sort_values(["unit", "day", "rank"])
        self.successions = sorted(successions)
        self.n_units = n_units

    def controllers(self, d: int) -> np.ndarray:
        """Controller code of every unit at the end of day ``d`` (-1: unknown, or no holder)."""
        upto = self.events[self.events["day"] <= d]
        top = upto[upto["rank"] == upto.groupby(["unit", "day"])["rank"].transform("max")]
        g = top.groupby(["unit", "day"])
        conf = top[top["status"] == 2].groupby(["unit", "day"])["ctrl"].agg(["min", "max"])
        claim = top[top["status"] == 1].groupby(["unit", "day"])["ctrl"].agg(["min", "max"])
        denials = top[top["status"] == 0].groupby(["unit", "day"]).size()
        days = pd.DataFrame(index=g.size().index)
        days = days.join(conf.add_prefix("conf_")).join(claim.add_prefix("claim_"))
        days["den"] = denials.reindex(days.index).fillna(0)
        settled = days["conf_min"].notna() & (days["conf_min"] == days["conf_max"])
        claim_one = days["conf_min"].isna() & (days["den"] == 0) & (days["claim_min"] == days["claim_max"])
        days["ctrl"] = np.where(settled, days["conf_min"], np.where(claim_one, days["claim_min"], np.nan))
        days["claim_only"] = claim_one
        days = days[["ctrl", "claim_only"]].reset_index()
        for s_day, _row, old, new, _status in self.successions:
            if s_day > d:
                break
            held = _held(days, s_day, self.n_units)
            moved = np.flatnonzero(held == old)
            add = pd.DataFrame({"unit": moved, "day": s_day + 0.5, "ctrl": float(new), "claim_only": False})
            days = pd.concat([days, add]).sort_values(["unit", "day"], kind="stable")
        return _held(days, d, self.n_units)


def _held(days: pd.DataFrame, d: float, n_units: int) -> np.ndarray:
    """Each unit's controller at the end of day ``d``: disputes keep the holder before them."""
    upto = days[days["day"] <= d + 0.5].copy()
    upto["ctrl"] = upto.groupby("unit")["ctrl"].ffill()  # a dispute keeps the holder from before
    last = upto.drop_duplicates("unit", keep="last").set_index("unit")["ctrl"].fillna(-1)
    out = np.full(n_units, -1, dtype=np.int64)
    out[last.index.to_numpy()] = last.to_numpy().astype(np.int64)
    return out


def _answered(events: pd.DataFrame) -> pd.Series:
    """The day each event counts on: a denial takes the day of the latest claim on its target
    within ``WINDOW`` days before it, if another side made one that day; else it counts nowhere."""
    out = events["day"].copy()
    den = events[events["status"] == 0].reset_index()
    claims = events[events["status"] == 1][["target", "day", "ctrl"]]
    pairs = den.merge(claims, on="target", suffixes=("", "_claim"))
    pairs = pairs[(pairs["day_claim"] <= pairs["day"]) & (pairs["day_claim"] >= pairs["day"] - WINDOW)]
    latest = pairs[pairs["day_claim"] == pairs.groupby("index")["day_claim"].transform("max")]
    rival = latest[latest["ctrl_claim"] != latest["ctrl"]].groupby("index")["day_claim"].first()
    out[den["index"]] = -1
    out[rival.index] = rival.to_numpy()
    return out
