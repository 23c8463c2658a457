"""Read a user's input file whole, inflating gzip and zip archives, with a size cap.

Only regular files are read: a device (``/dev/zero``) never ends and a FIFO blocks on open,
so :func:`check_regular_file` looks at the path with ``stat`` before anything opens it.

Weather files are commonly distributed compressed (``.epw.gz``, or a ``.zip`` holding the
``.epw`` with its ``.ddy`` and ``.stat`` companions), and hourly or site tables may be too.
Inflation streams in bounded chunks and stops at :data:`MAX_INFLATED_BYTES`, so a small
"zip bomb" (1 MB that inflates to 1 GB) is refused after reading 64 MB, not loaded whole.
The same cap applies to plain files: no input the planner reads is anywhere near that size.
"""

from __future__ import annotations

import gzip
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from planner.errors import InputError

MAX_INFLATED_BYTES = 64 * 1024 * 1024
"""Largest content read from one input file (after decompression), in bytes."""

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


def read_input_bytes(
    path: str | Path, *, what: str, suffixes: tuple[str, ...] = ()
) -> tuple[bytes, str]:
    """Content of an input file, inflated if it is gzip- or zip-compressed.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is (``"weather"``, ``"hourly price"``), for the messages.
    suffixes : tuple of str
        Lower-case suffixes (``".epw"``) of the member to take from a zip archive; the
        archive must hold exactly one such file. Empty: exactly one file of any kind.

    Returns
    -------
    (bytes, str)
        The content and the name it has inside (the path's name without ``.gz``, or the
        zip member's name), whose suffix tells the format.

    Raises
    ------
    InputError
        Missing file, not a regular file (a folder, device or FIFO), unreadable, broken
        compression, an archive without exactly one matching file, or content larger than
        :data:`MAX_INFLATED_BYTES`.
    """
    path = Path(path)
    check_regular_file(path, what=what)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    if head.startswith(_GZIP_MAGIC):
        return _read_gzip(path, what), _name_inside_gzip(path)
    if head.startswith(_ZIP_MAGIC):
        return _read_zip(path, what, suffixes)
    return _read_plain(path, what), path.name


def check_regular_file(path: str | Path, *, what: str) -> None:
    """Refuse a path that is missing or is not a regular file, without opening it.

    Raises
    ------
    InputError
        One sentence saying what the path is instead: missing, a folder, a device, a FIFO
        (named pipe) or a socket; or that it cannot be looked at.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"no such {what} file", file=path) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise _unreadable(path, what, exc) from None
    if not stat.S_ISREG(mode):
        raise InputError(f"expected a regular {what} file, got {_kind(mode)}", file=path)


def read_plain_bytes(path: str | Path, *, what: str, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """A regular file's bytes as stored (no inflation), refused beyond ``limit`` bytes.

    Raises
    ------
    InputError
        Not a regular file, unreadable, or larger than ``limit``.
    """
    path = Path(path)
    check_regular_file(path, what=what)
    return _read_plain(path, what, limit)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), which may never end"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, which may never end"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something that is not a file"


def _unreadable(path: Path, what: str, exc: BaseException) -> InputError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return InputError(f"cannot read the {what} file ({reason})", file=path)


def check_archive_size(path: str | Path, *, what: str) -> None:
    """Refuse a zip-based document (XLSX, ODS) whose parts inflate beyond the cap.

    The sizes are the archive's declared ones, which :mod:`zipfile` enforces when reading,
    so a workbook that claims little and inflates to much fails there instead.

    Raises
    ------
    InputError
        Not a zip archive, or more than :data:`MAX_INFLATED_BYTES` once inflated.
    """
    path = Path(path)
    check_regular_file(path, what=what)
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(m.file_size for m in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"broken {what} file ({exc})", file=path) from None
    if total > MAX_INFLATED_BYTES:
        raise _too_large(path, what)


def _read_plain(path: Path, what: str, limit: int = MAX_INFLATED_BYTES) -> bytes:
    # Read one byte past the cap rather than trust st_size: a file may grow while read.
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    if len(data) > limit:
        raise _too_large(path, what, limit)
    return data


def _read_gzip(path: Path, what: str) -> bytes:
    # GzipFile.read(n) inflates at most n bytes, so memory stays bounded by the cap.
    try:
        with gzip.open(path, "rb") as stream:
            data = stream.read(MAX_INFLATED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"broken gzip compression ({exc})", file=path) from None
    if len(data) > MAX_INFLATED_BYTES:
        raise _too_large(path, what)
    return data


def _name_inside_gzip(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".gz" else path.name


def _read_zip(path: Path, what: str, suffixes: tuple[str, ...]) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            member = _only_member(archive, path, what, suffixes)
            # ZipExtFile stops at the member's declared size and checks its CRC at the end.
            with archive.open(member) as stream:
                data = stream.read(MAX_INFLATED_BYTES + 1)
    except InputError:
        raise
    except RuntimeError as exc:  # zipfile's way of saying "encrypted, password required"
        raise InputError(f"cannot open the zip archive ({exc})", file=path) from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"broken zip archive ({exc})", file=path) from None
    if len(data) > MAX_INFLATED_BYTES:
        raise _too_large(path, what)
    return data, PurePosixPath(member.filename).name


def _only_member(
    archive: zipfile.ZipFile, path: Path, what: str, suffixes: tuple[str, ...]
) -> zipfile.ZipInfo:
    files = [
        m
        for m in archive.infolist()
        if not m.is_dir() and not m.filename.startswith("__MACOSX/")
    ]
    if suffixes:
        files = [m for m in files if PurePosixPath(m.filename).suffix.lower() in suffixes]
    kinds = " or ".join(suffixes) if suffixes else "file"
    if len(files) != 1:
        found = "none" if not files else f"{len(files)}"
        raise InputError(
            f"expected a zip archive holding one {kinds} {what} file, found {found}", file=path
        )
    if files[0].file_size > MAX_INFLATED_BYTES:
        raise _too_large(path, what)
    return files[0]


def _too_large(path: Path, what: str, limit: int = MAX_INFLATED_BYTES) -> InputError:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit:,} bytes"
    return InputError(
        f"the {what} file holds more than {size} of data, far more "
        "than any input needs (a damaged or wrong file?)",
        file=path,
    )
