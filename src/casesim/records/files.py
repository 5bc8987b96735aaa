"""Writing files that hold records: readable by their owner only, never half-written, never
through a symlink.

An export, a backup or a side copy holds names and outcomes of trainees, so every such file is
created 0600 as a temporary file in the target's folder, written, flushed to disk and only then
renamed over the target: a reader never sees half a file, and a failed write leaves the old file
as it was. A target that is a symlink is refused (a link planted in a shared folder would
otherwise send the records wherever it points), as is one that is not a regular file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from casesim.errors import CaseSimError

__all__ = ["OutputError", "atomic_output", "check_target", "fsync_folder", "reserve_beside", "write_bytes_atomic"]


class OutputError(CaseSimError):
    """A file cannot be written where it was asked for (a symlink, a folder, no permission)."""


def check_target(target: Path, *, what: str = "the output", force: bool = True) -> None:
    """Refuse a target that is a symlink, a folder or another non-regular file, and (without
    ``force``) one that exists already."""
    if target.is_symlink():
        raise OutputError(f"{target} is a symbolic link: {what} is not written through it",
                          title="refused: symbolic link",
                          hint="give the path of a regular file (or remove the link first)")
    if target.exists():
        if target.is_dir():
            raise OutputError(f"{target} is a folder: {what} needs a file name", title="refused: folder",
                              hint="give a file name inside the folder")
        if not target.is_file():
            raise OutputError(f"{target} is not a regular file: {what} is not written to it",
                              title="refused: not a regular file", hint="give the path of a regular file")
        if not force:
            raise OutputError(f"{target} exists already: {what} would replace it", title="refused: file exists",
                              hint="give another name, or add --force to replace it")


def reserve_beside(target: Path, tag: str = "tmp") -> Path:
    """A new, empty 0600 file in the target's folder (created exclusively, so never someone
    else's file or link), named after the target."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {folder}: {exc.strerror}", title="cannot write") from exc
    for _ in range(100):
        candidate = folder / f".{target.name}.{tag}-{secrets.token_hex(4)}"
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write in {folder}: {exc.strerror}", title="cannot write",
                              hint="check the folder's permissions") from exc
        os.close(fd)
        return candidate
    raise OutputError(f"cannot find a free temporary name in {folder}", title="cannot write")  # pragma: no cover


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every filesystem allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _finish(temp: Path, target: Path) -> None:
    check_target(target)  # a link planted while we wrote is refused too
    os.chmod(temp, 0o600)
    os.replace(temp, target)
    fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_output(target: Path, *, bom: bool = False, what: str = "the output",
                  force: bool = True) -> Iterator[TextIO]:
    """Write the text file ``target`` through a 0600 temporary file renamed over it when the
    block ends without an error (the temporary file is removed otherwise). UTF-8, newlines kept
    as written; ``bom`` starts it with a byte-order mark (for Excel)."""
    check_target(target, what=what, force=force)
    temp = reserve_beside(target)
    try:
        with open(temp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _finish(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}", title="cannot write") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_bytes_atomic(target: Path, data: bytes, *, what: str = "the output", force: bool = True) -> None:
    """:func:`atomic_output` for bytes already in memory (a PDF)."""
    check_target(target, what=what, force=force)
    temp = reserve_beside(target)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _finish(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}", title="cannot write") from exc
