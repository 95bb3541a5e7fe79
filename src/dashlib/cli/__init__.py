"""The command line: ``dashlib COMMAND …`` (or ``python -m dashlib COMMAND …``).

One module per command, each with ``register(subparsers)``, which declares the command and its
arguments (shared ones from :mod:`dashlib.cli.options`), and ``run(args)``, which does it and
returns an exit status (:mod:`dashlib.cli.exitcodes`). The commands call the layers below; no
domain module parses arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from dashlib import __version__
from dashlib.cli import export, extract, geocode, publish, synth, validate
from dashlib.cli.options import CommandStop, HelpFormatter

#: Every command, in the order ``dashlib --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (validate, geocode, export, synth, publish, extract)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``dashlib``, with every command."""
    parser = argparse.ArgumentParser(
        prog="dashlib", formatter_class=HelpFormatter,
        description="Climate Action Atlas on the command line: check, geocode, export and synthesise the data "
                    "packages the explorer shows. A command reads the package it is given, else $DASHLIB_DATA, "
                    "else the data/ folder of a source checkout, else ./data.",
        epilog="exit status (every command):\n"
               "  0  done\n"
               "  1  done, but the data is not as it should be (problems, unresolved places)\n"
               "  2  not done: unreadable input, a wrong argument, a file that would be overwritten\n\n"
               "`dashlib COMMAND --help` describes a command, with examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub).set_defaults(run=module.run)
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
        The exit status (:mod:`dashlib.cli.exitcodes`). Wrong arguments exit with status 2
        through ``SystemExit``, as argparse does.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CommandStop as stop:
        return stop.status


if __name__ == "__main__":
    sys.exit(main())
