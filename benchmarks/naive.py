"""A naive reference for the control engine: a per-day pandas replay, written plainly.

For each day: take the events on or before that day, and for each unit keep the latest event
that covers it, with the engine's tie rules on the same day (the more specific target, then the
stronger status confirmed > claimed > denied, then the later row). Successions are then replayed
in order: a unit whose controller is ``from`` at the end of the succession's day passes to ``to``.

This is what a user would write without thinking about speed, with the obvious one-off savings
(expanding events to units once, sorting once): it is a fair, not a strawman, baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
        events = events[target >= 0]
        events["target"] = target_codes[target[target >= 0]]
        expanded = events.merge(chains, on="target")  # one row per (event, covered unit)
        self.events = expanded.sort_values(["day", "rank", "status", "row"])
        self.successions = sorted(successions)
        self.n_units = n_units

    def controllers(self, d: int) -> np.ndarray:
        """Controller code of every unit at the end of day ``d`` (-1: unknown)."""
        upto = self.events[self.events["day"] <= d]
        latest = upto.drop_duplicates("unit", keep="last").set_index("unit")
        ctrl = pd.Series(-1, index=range(self.n_units))
        since = pd.Series(np.iinfo(np.int32).max, index=range(self.n_units))
        ctrl[latest.index] = latest["ctrl"]
        since[latest.index] = latest["day"]
        for s_day, _row, old, new, _status in self.successions:
            if s_day > d:
                break
            moved = (since <= s_day) & (ctrl == old)
            ctrl[moved] = new
        return ctrl.to_numpy()
