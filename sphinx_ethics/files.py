"""Reading and writing files safely, for the command line and the reports.

One set of rules for every file the package writes or reads for a user:

- a regular file is replaced in one step (readers see the old file or the
  new one), keeping its permissions; a symlink is followed, so the file is
  updated where it really lives and the link stays a link;
- a file with other hard links is rewritten in place, so every link sees
  the change (a replace would leave the other names on the old text);
- anything that is not a regular file (a FIFO, ``/dev/null``, ``/dev/stdout``
  into a pipe) is written in place: it is never replaced by a regular file;
- a read-only file is refused (when asked to), not silently replaced;
- ``new`` creates its file exclusively: an existing file is never replaced;
- reading checks the file type first, so a FIFO never blocks the command.

Plain Python, no Sphinx.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class FileError(Exception):
    """A file cannot be read or written; the message is one line for the user."""


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def read_text(path: Path, what: str = "file") -> str:
    """The text of a regular UTF-8 file, exactly (no newline translation).

    The type is checked with ``os.stat`` before opening, so a FIFO or a
    device is refused instead of blocking or reading forever.
    """
    info = _stat(path)
    if info is None:
        raise FileError(f"{path}: no such file")
    if stat.S_ISDIR(info.st_mode):
        raise FileError(f"{path}: is a directory, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise FileError(f"{path}: not a regular file (a FIFO or device?), so not read as a {what}")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FileError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None


def is_regular(path: Path) -> bool:
    info = _stat(path)
    return info is not None and stat.S_ISREG(info.st_mode)


def _read_only(info: os.stat_result, path: Path) -> bool:
    # Checked on the mode bits as well as with access(): root may write anything.
    return not info.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def ensure_writable(path: Path) -> None:
    """Stop with a one-line error if ``path`` is a read-only file."""
    info = _stat(path)
    if info is not None and stat.S_ISREG(info.st_mode) and _read_only(info, path.resolve()):
        raise FileError(f"{path} is read-only; not changing it (make it writable first)")


def write_atomic(
    path: Path, text: str | bytes, *, refuse_read_only: bool = True, make_parents: bool = False
) -> None:
    """Write ``text`` (UTF-8; bytes as given) to ``path`` by the module docstring's rules."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    info = _stat(path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise FileError(f"{path} is a directory; give a file name")
        _write_in_place(path, data, truncate=False)
        return
    real = path.resolve()
    if info is not None and refuse_read_only and _read_only(info, real):
        raise FileError(f"{path} is read-only; not changing it (make it writable first)")
    if info is not None and info.st_nlink > 1:
        _write_in_place(real, data, truncate=True)
        return
    if make_parents:
        real.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(real, data)
    try:
        mode = info.st_mode & 0o7777 if info is not None else 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, real)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, data: bytes, truncate: bool) -> None:
    """Open for writing (no replace, no chmod): devices, FIFOs, hard-linked files."""
    flags = os.O_WRONLY | (os.O_TRUNC if truncate else 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        if truncate:
            os.fsync(handle.fileno())


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``, atomically; never replace an existing file."""
    if path.exists() or path.is_symlink():
        raise FileError(f"{path} already exists; not overwriting it (use 'update' to add stubs)")
    data = text.encode("utf-8")
    temp = _temp_beside(path, data)
    try:
        os.chmod(temp, 0o666 & ~_umask())
        try:
            os.link(temp, path)  # fails if the file appeared meanwhile
        except FileExistsError:
            raise FileError(f"{path} already exists; not overwriting it") from None
        except OSError:  # a file system without hard links
            _write_exclusive(path, data)
    finally:
        temp.unlink(missing_ok=True)


def _write_exclusive(path: Path, data: bytes) -> None:
    try:
        handle = open(path, "xb")  # noqa: SIM115 - closed below; unlinked on failure
    except FileExistsError:
        raise FileError(f"{path} already exists; not overwriting it") from None
    try:
        with handle:
            handle.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _temp_beside(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file in ``path``'s directory, flushed to disk."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FileError(f"{path}: the directory {str(directory)!r} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
