"""One error type for bad input, carrying the facts a user needs to fix it.

Every reader and validator in the core raises :class:`InputError`; the CLI prints its
message as one sentence and exits with code 2, the GUI shows it in a dialog.
"""

from __future__ import annotations

from os import PathLike


class PlannerError(Exception):
    """Base class of the planner's own errors."""


class InputError(PlannerError, ValueError):
    """Bad user or data input: names the file, the row (1-based, header excluded) and the field.

    Parameters
    ----------
    problem : str
        What is wrong and what was expected, e.g. ``"expected a number, got 'abc'"``.
    file, row, field :
        Where it is; any may be omitted.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        super().__init__(self.sentence())

    def sentence(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.problem}" if prefix else self.problem
        return text if text.endswith(".") else text + "."


class CancelledError(PlannerError):
    """Raised inside long work when the user asked to stop it."""
