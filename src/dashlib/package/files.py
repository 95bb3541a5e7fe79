"""Writing files so that a reader, or a crash, never sees half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | Path, content: bytes | Callable[[BinaryIO], object], *,
                 overwrite: bool = True) -> None:
    """Write a file in one step: a temporary file beside it, flushed to disk, then moved into place.

    Readers see the old file or the new one, never part of one; an interrupted write leaves the old
    file as it was and no temporary file behind. A replaced file keeps its permissions.

    Parameters
    ----------
    path : str or Path
        The file to write.
    content : bytes or callable
        The bytes, or a function that writes them to the binary file object it is given.
    overwrite : bool
        Replace an existing file (default). False never touches an existing file, not even one
        that appears while the content is written (the last step is then a hard link, which
        fails when the name is taken).

    Raises
    ------
    FileExistsError
        When the file exists and ``overwrite`` is false.
    OSError
        When the file cannot be written.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists")
    if path.is_file():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, bytes | bytearray):
                fh.write(content)
            else:
                content(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # no hard links here (some network or FAT file systems)
                if path.exists():
                    raise FileExistsError(f"{path} exists") from None
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); harmless to skip where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
