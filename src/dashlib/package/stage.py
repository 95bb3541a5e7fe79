"""Staging: bring any input (folder, zip, uploaded files) into a private folder of plain UTF-8 files.

Every input is copied, file by file and within :class:`~dashlib.package.problems.Limits`, into a
temporary folder; validation and loading then read only that copy, so nothing the user owns is
ever written to, and a hostile file cannot reach outside the staging folder.
"""

from __future__ import annotations

import csv
import io
import posixpath
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from dashlib.package import cache
from dashlib.package.problems import Limits, PackageError, Problem

DESCRIPTOR_NAME = "datapackage.json"


TEXT_SUFFIXES = (".txt", ".md")


class Stage:
    """A private folder the package is copied into; removed when the load ends."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._tmp = tempfile.TemporaryDirectory(prefix="dashlib-")
        self.root = Path(self._tmp.name)
        self.total = 0
        self.problems: list[Problem] = []

    def cleanup(self) -> None:
        """Remove the folder and everything staged in it."""
        self._tmp.cleanup()

    def add(self, relpath: str, data: bytes) -> None:
        """Write one member, after checking its path and size."""
        safe = safe_relpath(relpath)
        if safe is None:
            self.problems.append(Problem(relpath, None, None, "unsafe path (absolute or with '..'): ignored"))
            return
        if len(data) > self.limits.max_file_bytes:
            self.problems.append(Problem(safe, None, None, _too_big(len(data), self.limits.max_file_bytes)))
            return
        self.total += len(data)
        if self.total > self.limits.max_total_bytes:
            raise PackageError(
                f"the package holds more than {_mb(self.limits.max_total_bytes)} of data once unpacked"
            )
        target = self.root / safe
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _too_big(size: int, limit: int) -> str:
    return f"file is {size / 1024 / 1024:.1f} MB, larger than the limit of {_mb(limit)}"


def safe_relpath(name: str) -> str | None:
    """Return a normalised relative POSIX path, or None if it would leave the package folder."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == ".." or "/../" in f"/{norm}/":
        return None
    return norm


def stage_folder(stage: Stage, folder: Path) -> None:
    """Copy the files of a package folder that loading reads (its cache left out)."""
    files = cache.package_files(folder)
    if len(files) > stage.limits.max_files * 5:
        raise PackageError(f"{folder} holds {len(files)} files; is it really a data package?")
    for path in files:
        rel = path.relative_to(folder).as_posix()
        if path.stat().st_size > stage.limits.max_file_bytes:
            stage.problems.append(Problem(rel, None, None, _too_big(path.stat().st_size, stage.limits.max_file_bytes)))
            continue
        stage.add(rel, path.read_bytes())


def stage_zip(stage: Stage, data: bytes, label: str) -> None:
    """Unpack a zip of a package, member by member, within the limits (one top folder is dropped)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{label} is not a readable zip file") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > stage.limits.max_files:
            raise PackageError(f"{label} holds {len(members)} files; at most {stage.limits.max_files} are read")
        declared = sum(m.file_size for m in members)
        if declared > stage.limits.max_total_bytes:
            raise PackageError(
                f"{label} would unpack to {declared / 1024 / 1024:.0f} MB, more than the limit of "
                f"{_mb(stage.limits.max_total_bytes)} (a zip bomb?)"
            )
        prefix = _common_prefix(m.filename for m in members)
        for member in members:
            name = member.filename[len(prefix):]
            if safe_relpath(member.filename) is None:
                stage.problems.append(Problem(member.filename, None, None,
                                              "unsafe path in the zip (absolute or with '..'): ignored"))
                continue
            if member.file_size > stage.limits.max_file_bytes:
                stage.problems.append(Problem(name, None, None, _too_big(member.file_size,
                                                                         stage.limits.max_file_bytes)))
                continue
            with archive.open(member) as fh:
                # Read one byte past the limit: the header's size may lie.
                content = fh.read(stage.limits.max_file_bytes + 1)
            if len(content) > stage.limits.max_file_bytes:
                stage.problems.append(Problem(name, None, None, _too_big(len(content),
                                                                         stage.limits.max_file_bytes)))
                continue
            stage.add(name, content)


def _common_prefix(names: Any) -> str:
    """Return a single top folder shared by every member (zips made by 'compress folder')."""
    names = list(names)
    if not names or any("/" not in n for n in names):
        return ""
    first = {n.split("/", 1)[0] for n in names}
    return f"{first.pop()}/" if len(first) == 1 else ""


def stage_uploads(stage: Stage, files: Mapping[str, bytes]) -> None:
    """Stage uploaded files: one zip, or CSVs and descriptor with source texts put where sources.csv says."""
    if len(files) > stage.limits.max_files:
        raise PackageError(f"{len(files)} files uploaded; at most {stage.limits.max_files} are read")
    zips = [n for n in files if n.lower().endswith(".zip")]
    if zips:
        if len(files) > 1:
            raise PackageError("upload either one zip, or the CSV files of a package, not both")
        stage_zip(stage, files[zips[0]], zips[0])
        return
    texts = {}
    for name, data in files.items():
        base = PurePosixPath(name.replace("\\", "/")).name
        if base.lower().endswith((".csv", ".json")):
            stage.add(base, data)
        elif base.lower().endswith(TEXT_SUFFIXES):
            texts[base] = data
        else:
            stage.problems.append(Problem(base, None, None, "not a CSV, JSON or text file: ignored"))
    # Source texts go where sources.csv says they are, matched by file name.
    wanted = _source_files(stage.root)
    for base, data in texts.items():
        stage.add(wanted.get(base, f"sources/{base}"), data)


def _source_files(root: Path) -> dict[str, str]:
    path = root / "sources.csv"
    if not path.exists():
        return {}
    try:
        rows = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig", errors="replace")))
        return {PurePosixPath(r["file"]).name: r["file"] for r in rows if r.get("file")}
    except (csv.Error, KeyError):
        return {}


def normalise_text(stage: Stage, rel: str) -> bool:
    """Rewrite a staged text file as UTF-8 without BOM; report and drop it when it is not text."""
    path = stage.root / rel
    data = path.read_bytes()
    if b"\x00" in data[:1_000_000]:
        stage.problems.append(Problem(rel, None, None, "this is a binary file, not UTF-8 text (renamed?)"))
        path.unlink()
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        stage.problems.append(Problem(rel, line, None,
                                      f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"))
        path.unlink()
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        path.write_bytes(text.encode("utf-8"))
    return True


def read_header(stage: Stage, rel: str) -> list[str] | None:
    """Return the CSV header, or None (with a problem) when the file has none or is too wide."""
    path = stage.root / rel
    with path.open(encoding="utf-8", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        stage.problems.append(Problem(rel, None, None, "the file is empty: it needs at least a header row"))
        return None
    if first.count(",") + 1 > stage.limits.max_columns:
        stage.problems.append(Problem(rel, 1, None, f"the header has {first.count(',') + 1} columns; "
                                                    f"at most {stage.limits.max_columns} are read"))
        return None
    try:
        return next(csv.reader([first]))
    except csv.Error as exc:
        stage.problems.append(Problem(rel, 1, None, f"the header cannot be read as CSV: {exc}"))
        return None


def has_rows(path: Path) -> bool:
    """Return True when a CSV has a non-blank line after its header."""
    with path.open(encoding="utf-8", newline="") as fh:
        fh.readline()
        return any(line.strip() for line in iter(fh.readline, ""))
