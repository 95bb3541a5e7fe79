"""The command line: ``dashlib COMMAND …`` (or ``python -m dashlib COMMAND …``).

One module per command, each with ``register(subparsers)``, which declares its arguments, and
``run(args)``, which returns an exit status (:mod:`dashlib.cli.exitcodes`). The commands call the
layers below; no domain module parses arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from dashlib import __version__, export, synth
from dashlib.cli import validate
from dashlib.geo import geocode

# Commands not yet moved here still declare themselves with add_command/run_command.
COMMANDS: tuple[ModuleType, ...] = (validate,)
LEGACY_COMMANDS: tuple[ModuleType, ...] = (geocode, export, synth)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``dashlib``, with every command."""
    parser = argparse.ArgumentParser(
        prog="dashlib",
        description="Climate Action Atlas on the command line: validate, geocode, export and synthesise "
                    "data packages.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub).set_defaults(run=module.run)
    for module in LEGACY_COMMANDS:
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
