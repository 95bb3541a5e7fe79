"""What a server pays to open a package and to start sessions: ``python scripts/session_bench.py --package DIR``.

Each repetition runs a fresh process that opens the package the way the app does
(:func:`dashlib.query.datasource.open_source`, its DuckDB copy built beforehand) and reports the
RSS once it is open; then, in another fresh process, the app's first run in AppTest and a second
session's first run (the wait of a visitor once the server is up), each with the ``app.py`` beside
the ``src`` folder measured. With ``--against SRC`` (the ``src`` folder of another checkout), every
repetition measures both, one after the other, so that the two are compared on the same machine at
the same moment: report their ratio, not the seconds.

No figure here is a test: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_OPEN = """
import json, sys
from dashlib.query import datasource
opened = datasource.open_source(sys.argv[1])
assert opened.ok, opened.problems[:3]
rss = next(int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmRSS"))
print(json.dumps({"open_rss_mb": rss}))
"""

_SESSIONS = """
import json, sys, time
from streamlit.testing.v1 import AppTest
times = []
for _ in range(2):
    at = AppTest.from_file(sys.argv[2], default_timeout=600)
    started = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - started)
    assert not at.exception, [e.value for e in at.exception]
print(json.dumps({"first_run_s": times[0], "second_session_s": times[1]}))
"""


def measure(src: Path, package: Path, cache_dir: Path) -> dict[str, float]:
    """Open the package, then run two sessions, each in a fresh process importing dashlib from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src), "DASHLIB_DATA": str(package), "DASHLIB_CACHE_DIR": str(cache_dir)}
    out: dict[str, float] = {}
    for code in (_OPEN, _SESSIONS):
        run = subprocess.run([sys.executable, "-c", code, str(package), str(src.parent / "app.py")], env=env,
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise RuntimeError(f"{src}: {run.stderr[-2000:]}")
        out.update(json.loads(run.stdout.strip().splitlines()[-1]))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print each figure's median (and the ratio to ``--against``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, required=True, help="a package folder (dashlib synth writes one)")
    parser.add_argument("--against", type=Path, help="the src folder of another checkout, measured alongside")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default: 3)")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "dashlib-session-bench",
                        help="DASHLIB_CACHE_DIR of the processes (the package's DuckDB copy lives there)")
    args = parser.parse_args(argv)
    sources = {"this": ROOT / "src", **({"against": args.against} if args.against else {})}
    # The DuckDB copy is built once, before anything is timed.
    for src in sources.values():
        measure(src, args.package, args.cache_dir)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
    for rep in range(args.reps):
        for name, src in sources.items():
            runs[name].append(measure(src, args.package, args.cache_dir))
            print(f"rep {rep + 1} {name}: {runs[name][-1]}", file=sys.stderr)
    for figure in ("open_rss_mb", "first_run_s", "second_session_s"):
        medians = {name: statistics.median(r[figure] for r in rows) for name, rows in runs.items()}
        line = f"{figure:18} " + "  ".join(f"{name} {value:.2f}" for name, value in medians.items())
        if medians.get("against"):
            line += f"  this/against {medians['this'] / medians['against']:.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
