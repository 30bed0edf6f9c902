"""rolecall's command line: argument parsing, and calls into ``rolecall.core``.

One module a job: ``program`` (the entry point, ``main``: dispatch, exit codes,
the std streams), ``parser`` (the command table; the only module that imports
argparse), one module per group of verbs (``listing``, ``editing``,
``credentials``, ``doctor``, ``launch``), and what they share (``output``:
one-line errors and escaping; ``files``: the AWS files a verb reads).

Verbs import what they need inside their function, so ``rolecall list`` never
pays for Textual or boto3 (nor json), and a cache hit never pays for boto3.
The console script is ``rolecall.cli:entry``.
"""

from __future__ import annotations

from rolecall.cli.output import CliError
from rolecall.cli.program import entry, main

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["CliError", "build_parser", "entry", "main"]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line (``rolecall.cli.parser.build_parser``)."""
    from rolecall.cli.parser import build_parser as build

    return build(only)
