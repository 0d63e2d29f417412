"""The ``quakebench`` command line: parses options into a config and calls the library.

One file per capability registers its subcommands: :mod:`~quakebench.cli.data` (simulate,
generate), :mod:`~quakebench.cli.scenes` (scenes, search, fetch),
:mod:`~quakebench.cli.revision` (verify, reproduce, pin), :mod:`~quakebench.cli.scoring`
(evaluate, leaderboard), :mod:`~quakebench.cli.methods` (baseline, correlate),
:mod:`~quakebench.cli.networks` (train, predict) and :mod:`~quakebench.cli.push` (push).
Building the parser reads the defaults of the config dataclasses, the baselines' included
(modules that import nothing heavy); the libraries are imported only by the subcommand that
runs, so ``quakebench --help`` is fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from quakebench import __version__
from quakebench.cli import data, methods, networks, push, revision, scenes, scoring
from quakebench.errors import QuakebenchError, disk_failure, network_failure


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``quakebench`` command."""
    parser = argparse.ArgumentParser(
        prog="quakebench",
        description="Sub-pixel earthquake displacement benchmark: simulate, build, evaluate.",
    )
    parser.add_argument("--version", action="version", version=f"quakebench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for capability in (data, scenes, revision, scoring, methods, networks, push):
        capability.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Bad input or usage exits with status 2 and a one-line message; a check that runs and
    finds a problem (``verify``) returns 1.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except QuakebenchError as error:
        message = str(error)
    except Exception as error:  # a server out of reach, a full disk: one line, no traceback
        message = network_failure(error)
        if message is None and isinstance(error, OSError):
            message = disk_failure(error)
        if message is None:
            raise
    print(f"quakebench: error: {message}", file=sys.stderr)
    return 2
