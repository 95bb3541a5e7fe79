"""Read a data package (folder, descriptor, zip or uploaded files) into a validated :class:`Dataset`.

Every input is first *staged*: copied, file by file and within limits, into a private temporary
folder, as UTF-8 without a byte-order mark. Validation (frictionless, against the bundled Table
Schemas) and loading then read only that copy, so nothing the user owns is ever written to, and
a hostile file cannot reach outside the staging folder.

Problems name the file, the row (its line number in the CSV, the header being row 1), the column
and what is wrong. A package with any problem yields no dataset: callers keep the last good one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import posixpath
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from dashlib import cache, checks
from dashlib.model import (
    BUNDLED_DATA,
    REQUIRED_TABLES,
    TABLES,
    Dataset,
    bundled_descriptor,
    coerce_types,
    empty_frame,
    table_schema,
)

DESCRIPTOR_NAME = "datapackage.json"
TEXT_SUFFIXES = (".txt", ".md")


class PackageError(Exception):
    """The package cannot be read at all (no such path, not a zip, unreadable descriptor)."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what a package may hold; anything beyond them is reported, never read.

    Attributes
    ----------
    max_file_bytes : int
        Largest single file, after decompression.
    max_total_bytes : int
        Largest package, after decompression (guards against zip bombs).
    max_files : int
        Most members in a zip or files in an upload.
    max_columns : int
        Most columns in one CSV.
    max_field_chars : int
        Longest single cell.
    """

    max_file_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    max_files: int = 200
    max_columns: int = 200
    max_field_chars: int = 20_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package.

    Attributes
    ----------
    file : str
        The file, relative to the package (``events.csv``).
    row : int or None
        The CSV line number (header = 1), or None for a whole-file problem.
    column : str or None
        The column name, or None when the problem is not about one column.
    message : str
        What is wrong, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row or ''}:{self.column or ''}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a plain mapping (for tables and JSON)."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class LoadResult:
    """The outcome of reading a package: a dataset when valid, and every problem found."""

    dataset: Dataset | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when the package is valid and loaded."""
        return self.dataset is not None and not self.problems


# ---------------------------------------------------------------------------------------------
# Staging: bring any input into a private folder of plain UTF-8 files.


class _Stage:
    """A private folder the package is copied into; removed when the load ends."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._tmp = tempfile.TemporaryDirectory(prefix="dashlib-")
        self.root = Path(self._tmp.name)
        self.total = 0
        self.problems: list[Problem] = []

    def cleanup(self) -> None:
        self._tmp.cleanup()

    def add(self, relpath: str, data: bytes) -> None:
        """Write one member, after checking its path and size."""
        safe = _safe_relpath(relpath)
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


def _safe_relpath(name: str) -> str | None:
    """Return a normalised relative POSIX path, or None if it would leave the package folder."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == ".." or "/../" in f"/{norm}/":
        return None
    return norm


def _stage_folder(stage: _Stage, folder: Path) -> None:
    files = cache.package_files(folder)
    if len(files) > stage.limits.max_files * 5:
        raise PackageError(f"{folder} holds {len(files)} files; is it really a data package?")
    for path in files:
        rel = path.relative_to(folder).as_posix()
        if path.stat().st_size > stage.limits.max_file_bytes:
            stage.problems.append(Problem(rel, None, None, _too_big(path.stat().st_size, stage.limits.max_file_bytes)))
            continue
        stage.add(rel, path.read_bytes())


def _stage_zip(stage: _Stage, data: bytes, label: str) -> None:
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
            if _safe_relpath(member.filename) is None:
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


def _stage_uploads(stage: _Stage, files: Mapping[str, bytes]) -> None:
    if len(files) > stage.limits.max_files:
        raise PackageError(f"{len(files)} files uploaded; at most {stage.limits.max_files} are read")
    zips = [n for n in files if n.lower().endswith(".zip")]
    if zips:
        if len(files) > 1:
            raise PackageError("upload either one zip, or the CSV files of a package, not both")
        _stage_zip(stage, files[zips[0]], zips[0])
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


# ---------------------------------------------------------------------------------------------
# Checking staged files before frictionless reads them.


def _normalise_text(stage: _Stage, rel: str) -> bool:
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


def _read_header(stage: _Stage, rel: str) -> list[str] | None:
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


def _has_rows(path: Path) -> bool:
    """Return True when a CSV has a non-blank line after its header."""
    with path.open(encoding="utf-8", newline="") as fh:
        fh.readline()
        return any(line.strip() for line in iter(fh.readline, ""))


def _resource_paths(stage: _Stage) -> tuple[dict[str, str], dict[str, Any]]:
    """Return the CSV path of each table (from the package's descriptor if any) and the metadata."""
    descriptor_path = stage.root / DESCRIPTOR_NAME
    meta: dict[str, Any] = {}
    paths = {name: f"{name}.csv" for name in TABLES}
    if descriptor_path.exists():
        try:
            meta = json.loads(descriptor_path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PackageError(f"{DESCRIPTOR_NAME} is not valid JSON: {exc}") from exc
        if not isinstance(meta, dict) or not isinstance(meta.get("resources", []), list):
            raise PackageError(f"{DESCRIPTOR_NAME} has no list of resources")
        for resource in meta.get("resources", []):
            if not isinstance(resource, dict) or resource.get("name") not in TABLES:
                continue
            path = resource.get("path")
            if not isinstance(path, str) or "://" in path or _safe_relpath(path) is None:
                stage.problems.append(Problem(DESCRIPTOR_NAME, None, None,
                                              f"resource {resource.get('name')!r}: path must be a relative "
                                              "file inside the package"))
                continue
            paths[resource["name"]] = _safe_relpath(path) or path
    return paths, meta


def _validation_descriptor(stage: _Stage, paths: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Build the descriptor frictionless validates: bundled schemas fitted to each file's header.

    Optional columns a file leaves out are dropped from its schema; required ones stay (and are
    reported missing); columns the schema does not know are kept as text.
    """
    resources, present = [], {}
    for table in TABLES:
        rel = paths[table]
        if not (stage.root / rel).exists():
            if table in REQUIRED_TABLES:
                stage.problems.append(Problem(rel, None, None, f"the required table {table!r} is missing"))
            continue
        if not _normalise_text(stage, rel):
            continue
        header = _read_header(stage, rel)
        if header is None:
            continue
        if table == "events" and not _has_rows(stage.root / rel):
            stage.problems.append(Problem(rel, None, None, "the file has a header but no rows: a package "
                                                           "needs at least one event"))
            continue
        schema = json.loads(json.dumps(table_schema(table)))
        known = {f["name"] for f in schema["fields"]}
        kept = [f for f in schema["fields"]
                if f["name"] in header or f.get("constraints", {}).get("required")]
        kept += [{"name": h, "type": "string"} for h in header if h not in known]
        order = {h: i for i, h in enumerate(header)}
        kept.sort(key=lambda f: order.get(f["name"], len(order)))
        schema["fields"] = kept
        resources.append({"name": table, "path": rel, "schema": schema})
        present[table] = rel
    for resource in resources:
        fks = []
        for fk in resource["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"] or resource["name"]
            local = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            if not all(any(f["name"] == c for f in resource["schema"]["fields"]) for c in local):
                continue
            if target in present:
                fks.append(fk)
        resource["schema"]["foreignKeys"] = fks
    return {"resources": resources}, present


# ---------------------------------------------------------------------------------------------
# Validation and loading.


def _frictionless_problems(descriptor: dict[str, Any], stage: _Stage,
                           source_texts: Mapping[str, str]) -> list[Problem]:
    from frictionless import Checklist, Package

    files = {r["name"]: r["path"] for r in descriptor["resources"]}
    package = Package(descriptor, basepath=str(stage.root))
    checklist = Checklist(checks=[
        checks.EndNotBeforeStart(),
        checks.QuoteInSource(source_texts=dict(source_texts)),
        checks.CoordinatesSourced(),
        checks.FieldLength(max_chars=stage.limits.max_field_chars),
    ])
    report = package.validate(checklist=checklist, limit_errors=500)
    problems = []
    for task in report.tasks:
        file = files.get(task.name, task.name or "datapackage.json")
        schema = next((r["schema"] for r in descriptor["resources"] if r["name"] == task.name), {})
        for error in task.errors:
            problems.append(checks.describe(error, file, schema))
    return problems


def _read_source_texts(stage: _Stage, sources_rel: str | None) -> dict[str, str]:
    """Read each source's text file; report missing ones against sources.csv."""
    if sources_rel is None:
        return {}
    try:
        frame = pd.read_csv(stage.root / sources_rel, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError, OSError):
        return {}  # frictionless reports what is wrong with the file itself
    if "source_id" not in frame or "file" not in frame:
        return {}
    texts = {}
    for i, (source_id, rel) in enumerate(zip(frame["source_id"], frame["file"], strict=True), start=2):
        safe = _safe_relpath(rel)
        if not rel:
            continue
        if safe is None:
            stage.problems.append(Problem(sources_rel, i, "file", f"unsafe path {rel!r}"))
            continue
        path = stage.root / safe
        if not path.is_file():
            stage.problems.append(Problem(sources_rel, i, "file", f"source text {rel!r} not found in the package"))
            continue
        if _normalise_text(stage, safe):
            texts[source_id] = path.read_text(encoding="utf-8")
    return texts


def _read_tables(stage: _Stage, present: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    tables = {}
    for table in TABLES:
        if table in present:
            raw = pd.read_csv(stage.root / present[table], dtype=str, keep_default_na=False)
            tables[table] = coerce_types(table, raw)
        else:
            tables[table] = empty_frame(table)
    return tables


def _load_staged(stage: _Stage, label: str) -> LoadResult:
    paths, meta = _resource_paths(stage)
    descriptor, present = _validation_descriptor(stage, paths)
    source_texts = _read_source_texts(stage, present.get("sources"))
    problems = list(stage.problems)
    if descriptor["resources"]:
        problems += _frictionless_problems(descriptor, stage, source_texts)
    if problems:
        return LoadResult(None, tuple(problems))
    name = meta.get("title") if isinstance(meta.get("title"), str) else label
    return LoadResult(Dataset(_read_tables(stage, present), source_texts, name, _digest(stage.root)), ())


def _digest(root: Path) -> str:
    """Return a digest of every staged file's path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def load_package(source: str | Path, limits: Limits = DEFAULT_LIMITS, *, use_cache: bool = True) -> LoadResult:
    """Read and validate a data package.

    A folder package that loaded without problems is kept as Parquet beside it (see
    :mod:`dashlib.cache`): later loads of the unchanged files skip validation.

    Parameters
    ----------
    source : str or Path
        A folder holding ``datapackage.json`` and the CSVs, the path of a ``datapackage.json``,
        or a ``.zip`` of such a folder.
    limits : Limits, optional
        Size bounds; see :class:`Limits`.
    use_cache : bool, optional
        Read and write the validated copy (default); False always validates the files.

    Returns
    -------
    LoadResult
        The dataset (None when any problem was found) and the problems.

    Raises
    ------
    PackageError
        When the package cannot be read at all.
    """
    path = Path(source)
    folder = path if path.is_dir() else path.parent if path.name == DESCRIPTOR_NAME and path.is_file() else None
    if folder is not None and use_cache:
        before = cache.fingerprint(folder)
        cached = cache.read(folder)
        if cached is not None:
            return LoadResult(cached, ())
    stage = _Stage(limits)
    try:
        if path.is_dir():
            _stage_folder(stage, path)
        elif path.is_file() and path.suffix.lower() == ".zip":
            _stage_zip(stage, path.read_bytes(), path.name)
        elif path.is_file() and path.name.endswith(".json"):
            _stage_folder(stage, path.parent)
            if path.name != DESCRIPTOR_NAME:
                shutil.copy(stage.root / path.name, stage.root / DESCRIPTOR_NAME)
        else:
            raise PackageError(f"{source}: no such folder, descriptor or zip file")
        result = _load_staged(stage, path.name)
    finally:
        stage.cleanup()
    if folder is not None and use_cache and result.ok:
        cache.write(folder, result.dataset, before)
    return result


def load_uploaded(files: Mapping[str, bytes], limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    """Read and validate a package uploaded as files.

    Parameters
    ----------
    files : mapping of str to bytes
        File name to content: one ``.zip`` of a package, or the package's CSV files with or
        without its ``datapackage.json`` (the bundled schema applies either way), and the source
        text files that ``sources.csv`` names.
    limits : Limits, optional
        Size bounds; see :class:`Limits`.

    Returns
    -------
    LoadResult
        As for :func:`load_package`.

    Raises
    ------
    PackageError
        When the upload cannot be read at all.
    """
    stage = _Stage(limits)
    try:
        _stage_uploads(stage, files)
        return _load_staged(stage, ", ".join(sorted(files)) or "upload")
    finally:
        stage.cleanup()


def default_source() -> Path:
    """Return the package the app opens: ``$DASHLIB_DATA`` if set, else the bundled ``data/``."""
    import os

    return Path(os.environ.get("DASHLIB_DATA") or BUNDLED_DATA)


def bundled_template() -> dict[str, Any]:
    """Return the bundled descriptor (a copy safe to change)."""
    return json.loads(json.dumps(bundled_descriptor()))
