"""Validate a staged package against its Table Schemas and read it into a :class:`~dashlib.model.Dataset`.

Validation checks what the descriptor's Table Schemas state (types, required values, enums, patterns,
ranges, primary and foreign keys) and the package's own rules (quotes found in their sources, dates in
order, sourced coordinates, cell length), whole tables at a time in DuckDB
(:mod:`dashlib.package.sqlcheck`), with the problems frictionless, the reference, would report; every
problem names file, row and column. A package with any problem yields no dataset: callers keep the
last good one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from dashlib.model import (
    BUNDLED_DATA,
    REQUIRED_TABLES,
    TABLES,
    Dataset,
    coerce_types,
    empty_frame,
    package_schema,
    table_schema,
)
from dashlib.package import cache, sqlcheck
from dashlib.package.problems import DEFAULT_LIMITS, Limits, LoadResult, PackageError, Problem
from dashlib.package.stage import (
    DESCRIPTOR_NAME,
    Stage,
    has_rows,
    normalise_text,
    read_header,
    safe_relpath,
    stage_folder,
    stage_uploads,
    stage_zip,
)


def _resource_paths(stage: Stage) -> tuple[dict[str, str], dict[str, Any]]:
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
            if not isinstance(path, str) or "://" in path or safe_relpath(path) is None:
                stage.problems.append(Problem(DESCRIPTOR_NAME, None, None,
                                              f"resource {resource.get('name')!r}: path must be a relative "
                                              "file inside the package"))
                continue
            paths[resource["name"]] = safe_relpath(path) or path
    return paths, meta


def _validation_descriptor(stage: Stage, paths: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Build the descriptor the validation reads: bundled schemas fitted to each file's header.

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
        if not normalise_text(stage, rel):
            continue
        header = read_header(stage, rel)
        if header is None:
            continue
        if table == "events" and not has_rows(stage.root / rel):
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


def _table_problems(descriptor: dict[str, Any], stage: Stage, source_texts: Mapping[str, str]) -> list[Problem]:
    """Validate the staged tables (at most 500 problems a file, as frictionless stops at)."""
    return sqlcheck.validate_tables(descriptor, stage.root, source_texts, stage.limits.max_field_chars)


def _read_source_texts(stage: Stage, sources_rel: str | None) -> dict[str, str]:
    """Read each source's text file; report missing ones against sources.csv."""
    if sources_rel is None:
        return {}
    try:
        frame = pd.read_csv(stage.root / sources_rel, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError, OSError):
        return {}  # the validation reports what is wrong with the file itself
    if "source_id" not in frame or "file" not in frame:
        return {}
    texts = {}
    for i, (source_id, rel) in enumerate(zip(frame["source_id"], frame["file"], strict=True), start=2):
        safe = safe_relpath(rel)
        if not rel:
            continue
        if safe is None:
            stage.problems.append(Problem(sources_rel, i, "file", f"unsafe path {rel!r}"))
            continue
        path = stage.root / safe
        if not path.is_file():
            stage.problems.append(Problem(sources_rel, i, "file", f"source text {rel!r} not found in the package"))
            continue
        if normalise_text(stage, safe):
            texts[source_id] = path.read_text(encoding="utf-8")
    return texts


def _read_tables(stage: Stage, present: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    tables = {}
    for table in TABLES:
        if table in present:
            raw = pd.read_csv(stage.root / present[table], dtype=str, keep_default_na=False)
            tables[table] = coerce_types(table, raw)
        else:
            tables[table] = empty_frame(table)
    return tables


def _load_staged(stage: Stage, label: str) -> LoadResult:
    paths, meta = _resource_paths(stage)
    descriptor, present = _validation_descriptor(stage, paths)
    source_texts = _read_source_texts(stage, present.get("sources"))
    problems = list(stage.problems)
    if descriptor["resources"]:
        problems += _table_problems(descriptor, stage, source_texts)
    if problems:
        return LoadResult(None, tuple(problems))
    title = meta.get("title")
    name = title if isinstance(title, str) else label
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

    A folder package that loaded without problems is kept as Parquet in the cache directory (see
    :mod:`dashlib.package.cache`): later loads of the unchanged files skip validation.

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
    stage = Stage(limits)
    try:
        if path.is_dir():
            stage_folder(stage, path)
        elif path.is_file() and path.suffix.lower() == ".zip":
            stage_zip(stage, path.read_bytes(), path.name)
        elif path.is_file() and path.name.endswith(".json"):
            stage_folder(stage, path.parent)
            if path.name != DESCRIPTOR_NAME:
                shutil.copy(stage.root / path.name, stage.root / DESCRIPTOR_NAME)
        else:
            raise PackageError(f"{source}: no such folder, descriptor or zip file")
        result = _load_staged(stage, path.name)
    finally:
        stage.cleanup()
    if folder is not None and use_cache and result.ok and result.dataset is not None:
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
    stage = Stage(limits)
    try:
        stage_uploads(stage, files)
        return _load_staged(stage, ", ".join(sorted(files)) or "upload")
    finally:
        stage.cleanup()


def default_source() -> Path:
    """Return the data package to open when none is named.

    Returns
    -------
    Path
        ``$DASHLIB_DATA`` when it is set; else the package bundled with a source checkout
        (:data:`dashlib.model.BUNDLED_DATA`) when there is one; else ``data`` in the current
        folder (an installed dashlib carries no data: run it beside a package, or name one).
    """
    configured = os.environ.get("DASHLIB_DATA")
    if configured:
        return Path(configured)
    if (BUNDLED_DATA / DESCRIPTOR_NAME).is_file():
        return BUNDLED_DATA
    return Path("data")


def bundled_template() -> dict[str, Any]:
    """Return the shipped package format (a copy safe to change)."""
    return json.loads(json.dumps(package_schema()))
