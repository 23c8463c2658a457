"""Reading export tables as text, and the cell rules every hourly format shares."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError

#: Cells that publishers print for "no value": ENTSO-E's "n/e" (not expected) and "-", N/A...
MISSING_TOKENS = {"", "-", "n/e", "n/a", "na", "nan", "null", "none", "#n/a", "--"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def read_text(path: Path, what: str) -> str:
    """The file's text (gzip or zip inflated); UTF-8, else Windows-1252 as old exports use."""
    from planner.inputs import read_input_bytes

    raw, _name = read_input_bytes(path, what=what, suffixes=(".csv", ".txt"))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"the {what} file is not text", file=path)


def read_table(
    path: Path, what: str, is_header: Callable[[list[str]], bool] | None = None
) -> pd.DataFrame:
    """The CSV table whose header is the first line ``is_header`` accepts, cells as text.

    Lines before the header (Cambium's metadata, ``#`` comments) are skipped; the delimiter
    (comma, semicolon or tab) is taken from the header line.
    """
    lines = re.split(r"\r?\n|\r", read_text(path, what))  # not splitlines: it splits at \x1e
    start = 0
    for i, line in enumerate(lines[:200]):
        cells = [c.strip().strip('"') for c in re.split(r"[,;\t]", line)]
        if line.strip() and not line.startswith("#") and (is_header is None or is_header(cells)):
            start = i
            break
    else:
        raise InputError(f"no header line of a {what} file found in the first 200 lines", file=path)
    header = lines[start]
    sep = max((",", ";", "\t"), key=header.count)
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines[start:])),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        problem = " ".join(str(exc).split())
        raise InputError(f"not a readable CSV file ({problem})", file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def find_column(frame: pd.DataFrame, *names: str, contains: str | None = None) -> str | None:
    """The first column named like one of ``names`` (case and spaces ignored), or containing
    ``contains``."""
    key = {_key(c): c for c in frame.columns}
    for name in names:
        if _key(name) in key:
            return key[_key(name)]
    if contains is not None:
        for col in frame.columns:
            if _key(contains) in _key(col):
                return col
    return None


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", str(name).strip().lower())


def numbers(values: pd.Series, path: Path, column: str) -> np.ndarray:
    """Cells as floats: NaN for the missing tokens, thousands separators removed.

    Raises
    ------
    InputError
        A cell that is neither a number nor a missing token, naming its row (1-based).
    """
    text = values.astype(str).str.strip()
    text = text.where(~text.str.match(_THOUSANDS), text.str.replace(",", "", regex=False))
    missing = text.str.lower().isin(MISSING_TOKENS).to_numpy()
    out = pd.to_numeric(text.where(~missing, "nan"), errors="coerce").to_numpy(dtype=float)
    bad = (~np.isfinite(out) & ~missing) | np.isinf(out)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"expected a number, got '{shown(text.iloc[row])}'",
            file=path,
            row=row + 1,
            field=column,
        )
    return out


def shown(cell: str, limit: int = 40) -> str:
    """A cell for a one-line message: control characters escaped, cut at ``limit``."""
    return cell.encode("unicode_escape").decode("ascii")[:limit]


def pick_rows(
    frame: pd.DataFrame, column: str | None, wanted: str | None, path: Path, option: str
) -> pd.DataFrame:
    """Rows of one area/location when the file holds several (``--ba``, ``--location``)."""
    if column is None:
        return frame
    values = frame[column].astype(str).str.strip()
    names = list(dict.fromkeys(values))
    if wanted is None:
        if len(names) == 1:
            return frame
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        raise InputError(
            f"the file holds {len(names)} values of '{column}' ({shown}); choose one with {option}",
            file=path,
            field=column,
        )
    keep = values.str.upper() == wanted.strip().upper()
    if not keep.any():
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        raise InputError(
            f"no rows with '{column}' = '{wanted}' (the file has {shown})", file=path, field=column
        )
    return frame[keep.to_numpy()].reset_index(drop=True)
