"""The `activecrowds` command: one sub-command per job; errors are one line and exit code 2."""

# A top-level package above server/ and worker/: it starts them, so the application core
# (activecrowds/) never imports its own entrypoints.

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from activecrowds.domain.errors import Refusal

# Each module adds its sub-commands with `register(subparsers)`; imported lazily-cheap modules only,
# heavy imports (torch, uvicorn) happen inside the command functions.
COMMAND_MODULES = ("activecrowds_ml.experiment.cli", "cli.app", "cli.export")


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="activecrowds", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except Refusal as exc:
        print(f"activecrowds {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
