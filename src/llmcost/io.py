"""The only code that opens files: capped reads, atomic writes, a private cache, safe echoing.

Every read opens the path once and checks the descriptor it got (`fstat`), so the file that is
checked is the file that is read. Every write goes to a fresh temporary file beside the target
and is renamed over it, so a failed write never truncates the existing file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from llmcost.errors import LLMCostError, OutputError
from llmcost.text import shown

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# C0, DEL, C1, line/paragraph separators, bidi controls (Trojan Source) and lone surrogates
# (undecodable bytes in file names; they cannot even be printed to a UTF-8 stream).
_CHUNK_BYTES = 1 << 20


def read_bytes(
    path: str | os.PathLike[str],
    max_bytes: int,
    error: type[LLMCostError],
    *,
    what: str = "",
    follow_symlinks: bool = True,
) -> bytes:
    """The content of the regular file `path`, at most `max_bytes`; anything else raises `error`.

    `follow_symlinks=False` refuses a symbolic link as the last component (O_NOFOLLOW).
    """
    label = _label(path, what)
    # O_NONBLOCK: opening a FIFO with no writer returns at once (fstat then refuses it);
    # O_NOCTTY: opening a terminal never makes it our controlling terminal.
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
    try:
        fd = os.open(path, flags if follow_symlinks else flags | os.O_NOFOLLOW)
    except (OSError, ValueError) as exc:
        raise error(f"{label}: {_open_failure(path, exc, follow_symlinks)}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{label}: not a regular file ({_kind(st.st_mode)})")
        if st.st_size > max_bytes:
            raise error(f"{label}: {st.st_size:,} bytes is over the {max_bytes:,}-byte limit")
        data = _read_capped(fd, max_bytes)
    except OSError as exc:
        raise error(f"{label}: cannot read ({_reason(exc)})") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # st_size lied (/proc) or the file grew while being read
        raise error(f"{label}: over the {max_bytes:,}-byte limit (more arrived than its size said)")
    return data


def read_text(
    path: str | os.PathLike[str],
    max_bytes: int,
    error: type[LLMCostError],
    *,
    what: str = "",
    encoding: str = "utf-8",
    follow_symlinks: bool = True,
) -> str:
    """`read_bytes()` decoded (strictly); "utf-8-sig" drops a leading byte-order mark."""
    data = read_bytes(path, max_bytes, error, what=what, follow_symlinks=follow_symlinks)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.lower().replace("_", "-").startswith(("utf-8", "utf8")) else encoding
        raise error(f"{_label(path, what)}: not {name} text") from exc


def atomic_write(
    path: str | os.PathLike[str], data: bytes | str, *, mode: int = 0o644, respect_umask: bool = True
) -> None:
    """Replace `path` with `data` (text as UTF-8) in one rename; on failure `path` is left as it was.

    The file gets `mode & ~umask`, or exactly `mode` with `respect_umask=False`. A symbolic link at
    `path` is replaced by the new file; its target is not written.
    """
    target = os.fspath(path)
    if os.path.isdir(target):
        raise OutputError(f"{shown(target)}: cannot write (is a directory)")
    if respect_umask:
        # There is no os.getumask() before 3.13; setting 0o077 while reading makes the
        # instant between the two calls restrictive for other threads, never permissive.
        umask = os.umask(0o077)
        os.umask(umask)
        mode &= ~umask
    try:
        _replace_with(target, data.encode() if isinstance(data, str) else data, mode)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{shown(target)}: cannot write ({_reason(exc)})") from exc


def private_dir(path: str | os.PathLike[str]) -> Path | None:
    """`path` created (mode 0o700) if missing; None unless it is our own real directory that no one else can write."""
    return private_dir_or_why(path)[0]


def private_dir_or_why(path: str | os.PathLike[str]) -> tuple[Path | None, str]:
    """(`path`, "") when it is a private directory (created 0o700 if missing), else (None, why not)."""
    folder = Path(path)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except (OSError, ValueError) as exc:
        return None, f"cannot be created ({_reason(exc)})"
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        return None, "is not a directory (a symlink or a file)"
    if st.st_uid != os.geteuid():
        return None, f"is owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return None, "may be written by other users"
    return folder, ""


def read_private(path: str | os.PathLike[str], max_bytes: int) -> bytes | None:
    """The content of our own private regular file `path` (not a link), at most `max_bytes`; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)  # the descriptor, not the path: nothing can be swapped in between
        if not _is_private(st, stat.S_ISREG) or st.st_size > max_bytes:
            return None
        data = _read_capped(fd, max_bytes)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= max_bytes else None


def write_private(path: str | os.PathLike[str], data: bytes) -> bool:
    """Replace `path` (in a directory checked by `private_dir()`) with a 0o600 file; False on failure."""
    try:
        _replace_with(os.fspath(path), data, 0o600)
    except (OSError, ValueError):
        return False
    return True


def _replace_with(target: str, data: bytes, mode: int) -> None:
    """Write `data` to a new temporary file beside `target`, then rename it over `target`."""
    folder, name = os.path.split(target)
    # mkstemp opens a random name with O_CREAT | O_EXCL (| O_NOFOLLOW): it never follows a planted link.
    import tempfile  # only when writing: it imports random, ~10 ms of every start

    fd, tmp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_capped(fd: int, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes from `fd`: one byte too many tells the caller it is over."""
    chunks: list[bytes] = []
    left_bytes = max_bytes + 1
    while left_bytes > 0:
        chunk = os.read(fd, min(left_bytes, _CHUNK_BYTES))
        if not chunk:
            break
        chunks.append(chunk)
        left_bytes -= len(chunk)
    return b"".join(chunks)


def _is_private(st: os.stat_result, is_kind: Callable[[int], bool]) -> bool:
    """Of the wanted kind, owned by our effective uid, and not writable by group or others."""
    return is_kind(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _open_failure(path: str | os.PathLike[str], exc: OSError | ValueError, follow_symlinks: bool) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP and not follow_symlinks:
        return "is a symbolic link (refused)"
    if isinstance(exc, OSError) and exc.errno == errno.ENXIO:  # open() on a socket; name it
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return "not a regular file (a socket)"
    return f"cannot read ({_reason(exc)})"


def _label(path: str | os.PathLike[str], what: str) -> str:
    name = shown(os.fspath(path))
    return f"{what} {name}" if what else name


def _kind(mode: int) -> str:
    return next((name for is_kind, name in _KINDS if is_kind(mode)), "a special file")


def _reason(exc: OSError | ValueError) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
