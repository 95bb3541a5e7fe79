"""Mutation testing of the core modules with mutmut: would a test fail if a line of the logic were wrong?

    python3 scripts/dev.py mutate                  # every module below, all of its mutants
    python3 scripts/dev.py mutate text checks      # some modules
    python3 scripts/dev.py mutate quotes --sample 60 --seed 1

Each module runs in a copy of its own, mutants/MODULE/ (git ignores it), against only the tests that
cover it: mutmut's settings in pyproject.toml ([tool.mutmut]) plus the module and its tests from
MODULES below. Every run starts from a fresh copy and tests the chosen mutants afresh, so a new test
counts at once. The end is a table of killed / tried per module and, for each survivor, the change
that no test noticed.
A mutant that times out counts as killed (the change made the code loop). Exit status 1 when a module
is under its target. It is slow (minutes per module on 2 cores) and not part of the test command.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Module:
    """A module to mutate, the tests that cover it, and the share of mutants they must kill."""

    path: str
    tests: tuple[str, ...]
    target: float


# The module's own test file first; test files that do not exist (yet) are left out.
MODULES = {
    "text": Module("src/dashlib/text.py", ("tests/test_text.py",), 0.90),
    # Validation: the loader's validator (sqlcheck), its messages, and the frictionless reference (checks).
    "sqlcheck": Module("src/dashlib/package/sqlcheck.py",
                       ("tests/test_sqlcheck.py", "tests/test_load.py", "tests/test_hostile.py"), 0.90),
    "messages": Module("src/dashlib/package/messages.py", ("tests/test_checks.py", "tests/test_load.py",
                                                           "tests/test_hostile.py", "tests/test_sqlcheck.py"), 0.90),
    "checks": Module("src/dashlib/package/checks.py", ("tests/test_checks.py", "tests/test_sqlcheck.py"), 0.90),
    "quotes": Module("src/dashlib/query/quotes.py", ("tests/test_quotes.py", "tests/test_provenance.py"), 0.90),
    "filters": Module("src/dashlib/query/filters.py",
                      ("tests/test_filters_invariants.py", "tests/test_filters.py", "tests/test_spec.py"), 0.85),
    "urlstate": Module("src/dashlib/query/urlstate.py", ("tests/test_urlstate.py", "tests/test_filters.py"), 0.85),
    "summary": Module("src/dashlib/query/summary.py", ("tests/test_summary.py", "tests/test_provenance.py"), 0.85),
    "locale": Module("src/dashlib/charts/locale.py", ("tests/test_locale.py",), 0.85),
    # The filters as Ibis expressions (the engine); its PostgreSQL comparison is not a unit test.
    "narrow": Module("src/dashlib/query/narrow.py", ("tests/test_narrow_embedded.py",), 0.80),
}

# mutmut's exit codes (mutmut/stats.py): a timeout means the mutant hung, which a test run notices.
KILLED = {1, 3, 36, 24, -24, 152, 255}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked", 2: "interrupted", -9: "segfault",
          -11: "segfault"}

LIST_MUTANTS = """
import json, sys
from pathlib import Path
from mutmut.mutation.file_mutation import mutate_file_contents
from mutmut.utils.format_utils import get_mutant_name
path = Path(sys.argv[1])
print(json.dumps([get_mutant_name(path, n) for n in mutate_file_contents(str(path), path.read_text()).mutant_names]))
"""


def toml_value(value: object) -> str:
    """Write a setting as TOML (strings, numbers, booleans and lists of them are all pyproject uses here)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    return repr(value)


def write_workdir(root: Path, name: str, module: Module, tests: list[str]) -> Path:
    """Lay out mutants/NAME/: links to the tree and a pyproject.toml that mutates one module."""
    workdir = root / "mutants" / name
    # mutmut copies a file only once (a changed schema.json would stay stale): start from a fresh copy.
    shutil.rmtree(workdir / "mutants", ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    for entry in ("src", "tests", *project["tool"].get("mutmut", {}).get("also_copy", [])):
        link = workdir / entry
        if (root / entry).exists() and not link.is_symlink():
            link.symlink_to(Path("..") / ".." / entry, target_is_directory=(root / entry).is_dir())
    mutmut = {**project["tool"].get("mutmut", {}), "only_mutate": [module.path],
              "pytest_add_cli_args_test_selection": tests}
    sections = {"tool.pytest.ini_options": project["tool"]["pytest"]["ini_options"], "tool.mutmut": mutmut}
    text = "# Written by scripts/mutate.py for this module; the settings live in the project's pyproject.toml.\n"
    for title, table in sections.items():
        text += f"\n[{title}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in table.items())
    (workdir / "pyproject.toml").write_text(text, encoding="utf-8")
    return workdir


def mutant_names(python: Path, workdir: Path, module: Module) -> list[str]:
    """Every mutant mutmut makes of the module, by name (dashlib.text.x_esc__mutmut_3)."""
    out = subprocess.run([str(python), "-c", LIST_MUTANTS, module.path], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def results(workdir: Path, module: Module, names: list[str]) -> dict[str, int | None]:
    """Exit code of each mutant tried, from mutmut's record of the run."""
    meta = json.loads((workdir / "mutants" / f"{module.path}.meta").read_text(encoding="utf-8"))
    return {name: meta["exit_code_by_key"].get(name) for name in names}


def show(mutmut: Path, workdir: Path, name: str) -> str:
    """The change a mutant makes, as the lines of a diff that differ."""
    diff = subprocess.run([str(mutmut), "show", name], cwd=workdir, capture_output=True, text=True).stdout
    return "\n".join(f"      {line}" for line in diff.splitlines()
                     if line[:1] in "+-" and not line.startswith(("+++", "---")))


def run_module(python: Path, name: str, module: Module, args: argparse.Namespace, root: Path) -> dict:
    """Mutate one module, run its tests against each mutant, and return the tally."""
    tests = [t for t in args.tests or module.tests if (root / t).exists()]
    if not tests:
        sys.exit(f"{name}: none of its test files exists ({', '.join(args.tests or module.tests)})")
    # Another test list gets a copy of its own: mutmut's record of which tests cover what stays valid in each.
    folder = f"{name}-custom" if args.tests else name
    with claimed(root / "mutants" / folder):
        return mutate_in(python, name, module, args, write_workdir(root, folder, module, tests), tests)


@contextlib.contextmanager
def claimed(workdir: Path) -> Iterator[None]:
    """Hold a copy for this run: two runs in one copy would overwrite each other's results."""
    lock = workdir / "run.pid"
    if lock.exists():
        try:
            os.kill(int(lock.read_text()), 0)
        except (ValueError, ProcessLookupError):
            pass  # left by a run that was stopped
        else:
            sys.exit(f"{workdir} is in use by process {lock.read_text()}: wait for it to end")
    workdir.mkdir(parents=True, exist_ok=True)
    lock.write_text(str(os.getpid()))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def mutate_in(python: Path, name: str, module: Module, args: argparse.Namespace, workdir: Path,
              tests: list[str]) -> dict:
    """Run mutmut in a laid-out copy and tally the mutants tried."""
    names = mutant_names(python, workdir, module)
    tried = sorted(random.Random(args.seed).sample(names, min(args.sample, len(names)))) if args.sample else names
    print(f"\n== {name}: {module.path}, {len(tried)} of {len(names)} mutants, tests: {' '.join(tests)}", flush=True)
    mutmut = python.parent / "mutmut"
    log = workdir / "run.log"
    env = {**os.environ, "DASHLIB_CACHE_DIR": str(workdir / "cache")}
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run([str(mutmut), "run", "--max-children", str(args.max_children), *tried],
                              cwd=workdir, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    if code != 0:
        print(log.read_text(encoding="utf-8", errors="replace")[-3000:])
        sys.exit(f"mutmut failed on {name} (exit {code}); the whole log is {log}")
    codes = results(workdir, module, tried)
    killed = sum(c in KILLED for c in codes.values())
    survivors = sorted(n for n, c in codes.items() if c not in KILLED)
    for survivor in survivors:
        print(f"  {STATUS.get(codes[survivor], 'suspicious')}: {survivor}\n{show(mutmut, workdir, survivor)}")
    return {"module": name, "killed": killed, "tried": len(tried), "total": len(names), "target": module.target}


def main(argv: list[str], python: Path, root: Path) -> int:
    """Run the mutation tests the arguments ask for and print the score table."""
    parser = argparse.ArgumentParser(prog="dev.py mutate", description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"one of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="try N mutants per module, drawn at random")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw (default 0: the same mutants each time)")
    parser.add_argument("--tests", nargs="+", metavar="FILE", help="run these test files instead of the module's")
    parser.add_argument("--max-children", type=int, default=1, metavar="N", help="mutants tested at once (default 1)")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"no module {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    rows = [run_module(python, name, MODULES[name], args, root) for name in args.modules or MODULES]
    today = datetime.date.today().isoformat()
    print("\n| module | killed / tried | score | target | date |\n|---|---|---|---|---|")
    for row in rows:
        score = row["killed"] / row["tried"] if row["tried"] else 1.0
        tried = f"{row['tried']}" + (" (all)" if row["tried"] == row["total"] else f" of {row['total']}")
        flag = "" if score >= row["target"] else " (under target)"
        print(f"| {row['module']} | {row['killed']} / {tried} | {score:.0%}{flag} | {row['target']:.0%} | {today} |")
    return int(any(r["tried"] and r["killed"] / r["tried"] < r["target"] for r in rows))
