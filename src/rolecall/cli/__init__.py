"""rolecall's command line: argument parsing, and calls into ``rolecall.core``.

One module a job: ``program`` (the entry point, ``main``: dispatch, exit codes,
the std streams), ``parser`` (the command table; the only module that imports
argparse), one module per group of verbs (``listing``, ``editing``,
``credentials``, ``doctor``, ``launch``), and what they share (``output``:
one-line errors and escaping; ``files``: the AWS files a verb reads).

Verbs import what they need inside their function, so ``rolecall list`` never
pays for Textual or boto3 (nor json), and a cache hit never pays for boto3.
The console script is ``rolecall.cli:entry``.

``CliError``, ``entry`` and ``main`` are imported when first asked for (PEP
562), not with the package: the completion code of ``rolecall shell-init``
runs ``rolecall.cli.shell_hooks`` at every Tab, and ``program`` with its
imports (``re`` among them) would double that Tab's cost.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from rolecall.cli.output import CliError
    from rolecall.cli.program import entry, main

__all__ = ["CliError", "build_parser", "entry", "main"]

#: The names above, and the module each comes from.
_LAZY = {"CliError": "output", "entry": "program", "main": "program"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"rolecall.cli.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line (``rolecall.cli.parser.build_parser``)."""
    from rolecall.cli.parser import build_parser as build

    return build(only)
