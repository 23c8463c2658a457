"""Output folders written whole, files written atomically, and one writer per folder at a time.

Three guarantees for everything the planner writes:

- a file is written to a private temporary folder beside it and renamed over the target at the
  end (:func:`atomic_file`), so a reader sees the old file or the new one, and a symlink planted
  at the target is replaced, never written through;
- a results folder is built whole in a hidden sibling (``.NAME.tmp-XXXX``) and swapped in at
  the end (:func:`staged_folder`), so Ctrl-C, a full disk or a crash leaves the previous folder
  or the complete new one, never a mix, and no temporary folder behind;
- a lock file beside the output folder (``NAME.lock``, holding the writer's process id) refuses
  a second run into the same folder (:class:`FolderLock`); a lock whose process is gone is
  taken over.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from planner.errors import InputError

# Errors of the machine the user controls (disk full, no permission), said as bad input.
_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    getattr(errno, "EDQUOT", errno.ENOSPC),
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EISDIR,
}


def _cannot_write(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write here ({exc.strerror or exc})", file=path)


# Signals the planner turns into KeyboardInterrupt: Ctrl-C, and SIGTERM in a batch worker.
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (and a worker's SIGTERM) back until the block is done, then act on it.

    For the few steps that must not stop half-way: swapping a folder in, removing a temporary
    folder, taking or giving back the lock. A stop signal that arrives meanwhile is noted and
    its own handler (KeyboardInterrupt) runs when the block ends. Only the main thread can
    set handlers; elsewhere (the window's worker) the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in _STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if callable(handler):  # SIG_IGN, SIG_DFL and C handlers stay as they are
            previous[signum] = handler
            signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in caught[:1]:
            previous[signum](signum, None)


def to_the_end(step: Callable[[], None]) -> None:
    """Run an idempotent clean-up ``step`` to its end even if Ctrl-C comes, then re-raise it.

    A Ctrl-C can land before a handler is held back; a step that can be run again (delete a
    folder, give the lock back) is simply run again until it has finished.
    """
    stop: KeyboardInterrupt | None = None
    while True:
        try:
            step()
            break
        except KeyboardInterrupt as exc:
            stop = stop or exc
    if stop is not None:
        raise stop


def remove_tree(path: Path) -> None:
    """Delete a temporary folder (or file, or link) whole, even if Ctrl-C comes meanwhile."""
    to_the_end(lambda: _remove(path))


@contextlib.contextmanager
def atomic_file(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s content to; rename it over ``path`` at the end.

    The temporary file sits in a private hidden folder beside ``path`` (same file system, so
    the rename is atomic) and keeps ``path``'s name, so writers that pick a format from the
    suffix still work. :func:`os.replace` replaces a symlink at ``path`` itself: the file it
    points to is never touched. On any failure the temporary folder is removed and ``path``
    is left as it was.

    Raises
    ------
    InputError
        When the folder cannot be written (missing, read-only, full disk) or ``path`` is a
        folder.
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise InputError("expected a file name, found a folder", file=path)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        target = scratch / path.name
        yield target
        _give_default_permissions(target)
        os.replace(target, path)
    except OSError as exc:
        if exc.errno in _ENVIRONMENT_ERRNOS:
            raise _cannot_write(path, exc) from None
        raise
    finally:
        remove_tree(scratch)


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`); return ``path``."""
    path = Path(path)
    with atomic_file(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return path


def write_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; return ``path``."""
    return write_bytes(path, text.encode("utf-8"))


def fastparquet_module() -> Any:
    """fastparquet, the Parquet engine (no pyarrow needed), imported quietly."""
    import warnings

    with warnings.catch_warnings():
        # fastparquet asks pandas about an option pandas 3 deprecates, at import.
        warnings.simplefilter("ignore", DeprecationWarning)
        import fastparquet
    return fastparquet


def write_parquet(
    path: Path | str, table: Any, *, object_encoding: str | dict[str, str] = "infer"
) -> Path:
    """Write a DataFrame to ``path`` as Parquet (fastparquet, gzip), atomically, without its
    index. ``object_encoding`` is fastparquet's: ``utf8`` or ``json`` for each text column."""
    fastparquet = fastparquet_module()
    path = Path(path)
    with atomic_file(path) as tmp:
        fastparquet.write(
            str(tmp), table, write_index=False, compression="GZIP", object_encoding=object_encoding
        )
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _give_default_permissions(path: Path) -> None:
    # mkstemp and mkdtemp create owner-only entries; results are shared like any file.
    if path.is_dir():
        os.chmod(path, 0o777 & ~_umask())
    elif path.exists():
        os.chmod(path, 0o666 & ~_umask())


# --- whole folders -----------------------------------------------------------------------


def check_output_folder(folder: Path | str, *, overwrite: bool) -> None:
    """Refuse, before any work, a path that cannot become this results folder.

    Raises
    ------
    InputError
        When ``folder`` is an existing file (or a path through one), or holds results and
        ``overwrite`` is false.
    """
    folder = Path(folder)
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError("expected a folder, found a file", file=parent)
    if not overwrite and folder.is_dir() and any(folder.iterdir()):
        raise InputError(
            "results already exist here; pass --overwrite to replace them", file=folder
        )


@contextlib.contextmanager
def staged_folder(folder: Path | str) -> Iterator[Path]:
    """Yield an empty hidden sibling of ``folder`` to fill; swap it in for ``folder`` at the end.

    On success the previous ``folder`` (if any) is renamed aside, the new one renamed in and
    the old one deleted, so no file of the previous run survives beside the new results. On
    any failure, Ctrl-C included, the sibling is deleted and ``folder`` is left as it was. A
    symlink at ``folder`` is replaced by the new folder, never followed.
    """
    folder = Path(folder)
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=parent))
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    try:
        _give_default_permissions(stage)
        yield stage
        swap_in(stage, folder)
    except OSError as exc:
        remove_tree(stage)
        if exc.errno in _ENVIRONMENT_ERRNOS:
            raise _cannot_write(folder, exc) from None
        raise
    except BaseException:
        remove_tree(stage)
        raise


def swap_in(new: Path, folder: Path) -> None:
    """Put the folder ``new`` in place of ``folder``: old one aside, new one in, old deleted.

    Ctrl-C waits for the swap to end: a stop half-way left the old folder under a hidden name.
    """
    with interrupts_deferred():
        _swap_in(new, folder)


def _swap_in(new: Path, folder: Path) -> None:
    old = None
    if folder.is_symlink() or folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        old.rmdir()  # only the unique name is wanted: rename needs it free
        os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        if old is not None:
            os.rename(old, folder)  # put the previous results back
        raise
    if old is not None:
        _remove(old)


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


# --- one writer at a time ----------------------------------------------------------------


def lock_path(folder: Path | str) -> Path:
    """The lock file of an output folder: ``NAME.lock`` beside it."""
    folder = Path(os.path.abspath(folder))
    return folder.parent / f"{folder.name}.lock"


class FolderLock:
    """Exclusive use of an output folder by this process, as a lock file holding its pid.

    Created with ``O_CREAT | O_EXCL`` (atomic on every platform and on network shares, unlike
    ``fcntl``); a lock left by a process that no longer runs is taken over. Use as a context
    manager.

    Parameters
    ----------
    folder : path
        The output folder; the lock is :func:`lock_path` of it.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.path = lock_path(folder)
        self._held = False

    def acquire(self) -> None:
        """Take the lock (Ctrl-C waits: a lock created but not yet owned would stay behind).

        Raises
        ------
        InputError
            When another live process holds it, or it cannot be created.
        """
        with interrupts_deferred():
            self._acquire()

    def _acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = _lock_owner(self.path)
                if owner is not None and _pid_alive(owner):
                    raise InputError(
                        f"another planner run (process {owner}) is writing to this folder; "
                        f"wait for it to finish, or delete {self.path} if it is not running",
                        file=self.folder,
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            except OSError as exc:
                raise _cannot_write(self.path, exc) from None
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{os.getpid()}\n")
            self._held = True
            return
        raise InputError("another planner run is taking this folder", file=self.folder)

    def release(self) -> None:
        """Give the lock back (only if this object holds it)."""
        to_the_end(self._release)

    def _release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> FolderLock:
        try:
            self.acquire()
        except BaseException:
            self.release()  # a Ctrl-C held back until the lock was taken: give it back
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _lock_owner(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        # Unreadable or half-written by a process that died between create and write.
        return None


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: an existence check, nothing is sent
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    except OSError:
        return False
    return True


def _windows_pid_alive(pid: int) -> bool:
    # os.kill on Windows terminates the process whatever the signal: ask the kernel instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
