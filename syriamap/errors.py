"""Errors: the one place where syriamap's exceptions are defined."""

from __future__ import annotations

from dataclasses import dataclass


class SyriaMapError(Exception):
    """Root of every error syriamap raises on purpose."""


class DataError(SyriaMapError, ValueError):
    """A data file (events, places, factions) holds something wrong."""


class BoundaryError(SyriaMapError, FileNotFoundError):
    """A boundary layer is missing, corrupt or of the wrong version."""


class OutputError(SyriaMapError, OSError):
    """An output cannot be written where it was asked for."""


class UsageError(SyriaMapError, ValueError):
    """An argument given to a function or command is not of the expected form."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file, located by file, line and column."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class ValidationError(DataError):
    """Every problem found in the input files, reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        n = len(self.problems)
        head = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input data:\n{head}")
