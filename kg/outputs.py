"""Writing outputs without losing anything: kg replaces only what kg wrote, atomically and durably.

- **Checked before the work.** :func:`check_output` runs before any parsing or NLP: it refuses an output that
  is one of the run's inputs (or a folder holding one), a folder where a file goes, a report over a graph, a
  file or a folder kg did not write where a store goes (``--force`` replaces those), and it proves the folder
  is writable by creating and removing a temporary file there.
- **Stores carry a marker.** A ``DIR.oxigraph`` folder kg writes holds :data:`STORE_MARKER`; kg deletes or
  replaces no folder without it (unless ``--force``).
- **Atomic and durable.** A file is written to a temporary file beside it, fsynced, renamed over the old one,
  and the folder is fsynced; a store is written to a temporary folder beside the old one, fsynced, and the two
  are swapped in one step (``renameat2(RENAME_EXCHANGE)``; a two-rename fallback where the file system lacks
  it), then the old one is removed. A kill at any moment leaves the old output or the new one, never neither.
- **Leftovers are cleaned.** Temporary names carry the writer's process id (``.NAME.PID.RANDOM.tmp``); the next
  write of the same output removes those whose process is gone (and restores an old store a killed fallback
  swap left aside).
- **Messages, not tracebacks.** A full disk, a read-only or forbidden folder, a path through a file: each is a
  :class:`~kg.errors.KGError` naming the path and what to do, and the earlier output is left as it was.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import KGError

#: The file inside every store folder kg writes; kg replaces no folder without it.
STORE_MARKER = ".kg-store"
MARKER_TEXT = (
    b"This folder is an RDF store written by kg. kg replaces or deletes only store folders holding this file.\n"
)
#: Suffix of on-disk Oxigraph stores (a folder).
STORE_SUFFIX = ".oxigraph"
#: Suffixes of texts kg reads as input documents.
TEXT_SUFFIXES = (".txt", ".md")
#: Temporary files without a process id (written by kg before 0.1.1) older than this are leftovers.
LEGACY_AGE_S = 3600.0

#: What an output holds: a graph file, a store folder, a report (analyze, eval) or an HTML page (viz).
KINDS = ("graph", "store", "report", "page")

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# ---------------------------------------------------------------------------------------------- messages

_HINTS = {
    errno.ENOSPC: ("no space left on the device", "free some space or write elsewhere"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or write elsewhere"),
    errno.EROFS: ("the file system is read-only", "write elsewhere"),
    errno.EACCES: ("permission denied", "check the folder's permissions or write elsewhere"),
    errno.EPERM: ("operation not permitted", "check the folder's permissions or write elsewhere"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("it is a folder", "give a file name"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name"),
    errno.ELOOP: ("too many levels of symbolic links", "check the links"),
}


def os_error(exc: OSError, path: Path | str, doing: str = "write") -> KGError:
    """A one-line :class:`KGError` for an ``OSError`` met while writing (or reading) ``path``."""
    code = exc.errno or next((c for c in _HINTS if os.strerror(c) in str(exc)), 0)  # Oxigraph gives no errno
    reason, hint = _HINTS.get(code, (exc.strerror or str(exc), "check the path"))
    return KGError(f"cannot {doing} {path}: {reason}; {hint}")


# ---------------------------------------------------------------------------------------------- helpers


def _tag(path: Path) -> str:
    """Prefix of this process's temporary names for ``path``: ``.NAME.PID.``."""
    return f".{path.name}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(folder: Path) -> None:
    """Make a rename or creation in ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder`` (a store before it is swapped in)."""
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one atomic step (Linux ``renameat2``); ``False`` where that is not supported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_stale(path: Path) -> list[Path]:
    """Remove temporary files and folders that killed writers of ``path`` left beside it; returns them.

    A name ``.NAME.PID.RANDOM.tmp`` is a leftover when process PID is gone; ``.NAME.PID.RANDOM.old`` is an
    old store a killed two-rename swap set aside: it is put back when ``path`` is missing, else removed.
    Names of kg versions that wrote no PID (``.NAME.RANDOM.tmp``) count as leftovers after an hour.
    """
    folder = path.parent
    pattern = re.compile(
        re.escape(f".{path.name}.") + r"(?:(?P<pid>\d+)\.)?(?P<rand>[A-Za-z0-9_]{6,})\.(?P<ext>tmp|old)"
    )
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in sorted(entries):
        m = pattern.fullmatch(entry.name)
        if m is None:
            continue
        pid = m["pid"]
        if pid is None:
            try:
                if m["ext"] != "tmp" or now - entry.lstat().st_mtime < LEGACY_AGE_S:
                    continue
            except OSError:
                continue
        elif _pid_alive(int(pid)):
            continue
        if m["ext"] == "old" and not os.path.lexists(path):
            os.replace(entry, path)
            fsync_dir(folder)
            continue
        _remove(entry)
        removed.append(entry)
    return removed


def is_store(path: Path) -> bool:
    """A folder kg wrote as a store (it holds :data:`STORE_MARKER`)."""
    return path.is_dir() and (path / STORE_MARKER).is_file()


def _real(path: Path) -> Path:
    """``path`` with symbolic links followed (also a dangling one), so a linked output is written where it points."""
    return Path(os.path.realpath(path))


def _same(a: Path, b: Path) -> bool:
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:
        return False


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------- checks


def check_output(
    path: Path,
    kind: str,
    inputs: Iterable[Path] = (),
    *,
    force: bool = False,
) -> Path:
    """Check, before any work, that ``path`` may receive an output of ``kind``; returns the path to write.

    ``kind`` is one of :data:`KINDS`; ``inputs`` are the files and folders the run reads. Refused always:
    an output that is one of ``inputs``, a store folder holding one, a folder where a file goes. Refused
    unless ``force``: a folder kg did not write (no :data:`STORE_MARKER`) or a file where a store goes, a
    report or page over an RDF graph or store. The output's folder is created when missing and proved
    writable; leftovers of killed writers are removed.
    """
    from kg.rdf.store import INPUT_FORMATS

    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}; one of {', '.join(KINDS)}")
    shown = path
    target = _real(path)
    for item in inputs:
        real = _real(item)
        if _same(target, real):
            raise KGError(f"output {shown} is also an input of this run; write the output elsewhere")
        if kind == "store" and _inside(real, target):
            raise KGError(f"output {shown} would replace the folder holding the input {item}; choose another name")
    force_hint = "choose another name, or pass --force to replace it"
    if target.is_dir():
        if kind != "store":
            raise KGError(f"output {shown} is a folder; give a file name (e.g. {shown}/{_example(kind)})")
        if not is_store(target) and not force:
            raise KGError(
                f"output {shown} is a folder kg did not write (it has no {STORE_MARKER} file), and kg replaces "
                f"only stores it wrote; {force_hint}"
            )
    elif os.path.lexists(target):
        if kind == "store" and not force:
            raise KGError(f"output {shown} is a file, not a kg store folder; {force_hint}")
        suffix = target.suffix.lower()
        if kind in ("report", "page") and (suffix in INPUT_FORMATS or suffix == STORE_SUFFIX) and not force:
            raise KGError(f"output {shown} is an RDF graph and kg would write a {kind} over it; {force_hint}")
    _probe(target, shown)
    clean_stale(target)
    return target


def _example(kind: str) -> str:
    return {"graph": "graph.ttl", "report": "report.md", "page": "graph.html"}.get(kind, "out")


def _probe(target: Path, shown: Path) -> None:
    """Create the output's folder when missing and prove a file can be created in it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_tag(target), suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.unlink(tmp)
    except FileExistsError:
        raise KGError(f"cannot write {shown}: a part of the path is a file, not a folder; check the path") from None
    except OSError as exc:
        raise os_error(exc, shown) from None


# ---------------------------------------------------------------------------------------------- writers


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably: a failure or a kill leaves any old file as it was.

    A symbolic link is followed (the file it points to is replaced); a folder at ``path`` is refused.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"atomic_write needs bytes, not {type(data).__name__}")
    shown = path
    path = _real(Path(path))
    if path.is_dir():
        raise KGError(f"cannot write {shown}: it is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise KGError(f"cannot write {shown}: a part of the path is a file, not a folder; check the path") from None
    except OSError as exc:
        raise os_error(exc, shown) from None
    clean_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_tag(path), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise os_error(exc, shown) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would (readable by a web server, say)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise os_error(exc, shown) from None
        raise


def replace_dir(path: Path, fill: Callable[[Path], None], *, force: bool = False) -> None:
    """Write a store folder at ``path``: ``fill(tmp)`` writes it beside the old one, then the two are swapped.

    The new folder gets :data:`STORE_MARKER`; an existing folder without it (or a file) is replaced only when
    ``force``. A kill at any point leaves the old folder or the new one at ``path``.
    """
    shown = path
    path = _real(Path(path))
    if os.path.lexists(path) and not force and not is_store(path):
        what = "a folder kg did not write" if path.is_dir() else "a file, not a kg store folder"
        raise KGError(f"output {shown} is {what}; choose another name, or pass --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path)
        tmp = Path(tempfile.mkdtemp(prefix=_tag(path), suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise os_error(exc, shown) from None
    try:
        fill(tmp)
        (tmp / STORE_MARKER).write_bytes(MARKER_TEXT)
        fsync_tree(tmp)
        if not os.path.lexists(path):
            os.replace(tmp, path)
        elif not exchange(tmp, path):
            _swap_by_renames(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        _remove(tmp)
        raise os_error(exc, shown) from None
    except BaseException:
        _remove(tmp)
        raise
    _remove(tmp)  # the old store, after the swap (nothing there when there was none)


def _swap_by_renames(new: Path, path: Path) -> None:
    """Where ``renameat2`` is missing: old aside (``.NAME.PID.RANDOM.old``), new in place, old removed.

    Between the two renames ``path`` is missing; :func:`clean_stale` puts the old store back if a kill
    falls there.
    """
    aside = Path(tempfile.mkdtemp(prefix=_tag(path), suffix=".old", dir=path.parent))
    aside.rmdir()
    os.replace(path, aside)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(aside, path)
        raise
    fsync_dir(path.parent)
    _remove(aside)
