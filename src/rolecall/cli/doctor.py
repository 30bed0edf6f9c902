"""``rolecall doctor``: the environment, config, files and cache, checked.

The checks are ``rolecall.core.doctor``'s; this module prints one line a
finding and exits 1 when any is a problem.
"""

from __future__ import annotations

from rolecall.cli.files import check_files
from rolecall.cli.output import say, tell
from rolecall.core.plural import plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["cmd_doctor"]


def cmd_doctor(args: argparse.Namespace) -> int:
    from rolecall.core.doctor import run_checks

    check_files(args, named_config=False)  # (a named config that is missing: a finding)
    findings = run_checks(config=args.config, credentials=args.credentials)
    for finding in findings:
        say(finding.line())
    problems = sum(1 for f in findings if f.level == "problem")
    if problems:
        tell(f"rolecall: doctor found {plural(problems, 'problem')}")
        return 1
    return 0
