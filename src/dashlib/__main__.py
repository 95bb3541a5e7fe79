"""Command line: ``python -m dashlib {validate,geocode,export,synth} …``.

Each sub-command lives beside the code it drives; this module only parses arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashlib import export, synth
from dashlib.geo import geocode
from dashlib.package.load import default_source, load_package
from dashlib.package.problems import PackageError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    path = args.path or default_source()
    try:
        result = load_package(path)
    except PackageError as exc:
        print(f"{path}: cannot read the package: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for problem in result.problems:
        print(problem)
    if result.ok:
        counts = ", ".join(f"{n} {t}" for t, n in result.dataset.row_counts().items())
        print(f"{path}: valid ({counts})")
        return EXIT_OK
    print(f"{path}: {len(result.problems)} problem(s)", file=sys.stderr)
    return EXIT_INVALID


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m dashlib``."""
    parser = argparse.ArgumentParser(prog="python -m dashlib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a data package; exit 0 valid, 1 invalid, 2 unreadable")
    validate.add_argument("path", nargs="?", help="folder, datapackage.json or zip (default: $DASHLIB_DATA or data/)")
    validate.set_defaults(run=_validate)
    for module in (geocode, export, synth):
        module.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status.
    """
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
