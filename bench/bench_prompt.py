"""Benchmark of ``rolecall prompt`` (issue 12 section 2), run side by side with the floor.

A prompt runs ``rolecall prompt`` before every command, so the target is a
median <= 15 ms, whole process.  Starting Python alone may cost more than that
on a machine; so, in the same interleaved rounds:

* ``python -c pass`` and ``python -S -c pass``: the interpreter's start, with and
  without ``site`` (and the ``.pth`` files it runs);
* ``python -c 'import re'``: the console script pip writes imports ``re`` itself;
* ``python -S: rolecall prompt``: the console script's code under ``python -S``
  with rolecall's source on PYTHONPATH, which shows rolecall's own cost;
* ``rolecall_prompt``: what the function of ``rolecall shell-init`` runs in a
  session (``python -P -c HOOK_CODE prompt --shell bash``: no console script, no
  ``re``); outside a session it starts no process at all.

Usage::

    python bench/bench_prompt.py            # print the results
    python bench/bench_prompt.py --write    # and put them in bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_completion import (
    CPU,
    HERE,
    load,
    median_ms,
    rolecall_bin,
    timed,
    write_section,
)
from bench.rounds import interleave
from rolecall.cli.shell_hooks import hook_command

HOOKED = "rolecall_prompt (python -P -c HOOK_CODE prompt --shell bash)"

HEADING = "## Prompt: `rolecall prompt` (bench/bench_prompt.py)"
TARGET_MS = 15.0
PROGRAM = "import sys; sys.argv[0] = 'rolecall'; from rolecall.cli import entry; entry()"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41, help="runs of each command")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    rolecall = rolecall_bin()
    src = str(HERE.parent / "src")
    subprocess.run([sys.executable, "-m", "compileall", "-q", src])
    expires = (datetime.now(UTC) + timedelta(minutes=42)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(ROLECALL_PROFILE="dev", AWS_CREDENTIAL_EXPIRATION=expires)
    bare = {**env, "PYTHONPATH": src}
    py = sys.executable
    runs = {
        HOOKED: timed(HOOKED, [*hook_command(), "prompt", "--shell", "bash"], env),
        "rolecall prompt --shell bash": timed(
            "rolecall prompt --shell bash", [rolecall, "prompt", "--shell", "bash"], env
        ),
        "python -S: rolecall prompt --shell bash": timed(
            "python -S: rolecall prompt --shell bash",
            [py, "-S", "-c", PROGRAM, "prompt", "--shell", "bash"],
            bare,
        ),
        "python -c pass": timed("python -c pass", [py, "-c", "print(1)"], env),
        "python -c 'import re'": timed(
            "python -c 'import re'", [py, "-c", "import re; print(1)"], env
        ),
        "python -S -c pass": timed("python -S -c pass", [py, "-S", "-c", "print(1)"], env),
    }
    load_before = load()
    got = interleave(runs, args.rounds)
    load_after = load()
    ours = median_ms(got["rolecall prompt --shell bash"])
    hooked = median_ms(got[HOOKED])
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, shared with other "
        f"engineers' jobs (`uptime` load average {load_before} before, {load_after} after).",
        f"Command: `python bench/bench_prompt.py --rounds {args.rounds}` (whole processes, "
        "interleaved; the commands print a line, as the prompt does).",
        "",
        "| command | median ms | median CPU ms | over `python -c pass` |",
        "| --- | ---: | ---: | ---: |",
    ]
    floor = median_ms(got["python -c pass"])
    for name, values in got.items():
        wall = median_ms(values)
        lines.append(
            f"| `{name}` | {wall:.1f} | {median_ms(CPU[name]):.1f} | {wall - floor:+.1f} ms |"
        )
    bare_floor = median_ms(got["python -S -c pass"])
    verdict = "met" if ours <= TARGET_MS else "NOT met"
    hooked_verdict = "met" if hooked <= TARGET_MS else "NOT met"

    def cpu(name: str) -> float:
        return median_ms(CPU[name])

    own = cpu("rolecall prompt --shell bash") - cpu("python -c 'import re'")
    bare_own = cpu("python -S: rolecall prompt --shell bash") - cpu("python -S -c pass")

    lines += [
        "",
        f"- `rolecall_prompt` (`rolecall shell-init`'s function, in a session): {hooked:.1f} ms "
        f"(target <= {TARGET_MS:.0f} ms: **{hooked_verdict}**), {cpu(HOOKED):.1f} ms of CPU, "
        f"{cpu(HOOKED) - cpu('python -c pass'):.1f} ms of CPU over `python -c pass`; "
        f"`rolecall prompt` / `rolecall_prompt`: {ours / hooked:.2f}x. Outside a session "
        "`rolecall_prompt` starts no process (0 ms).",
        f"- `rolecall prompt`: {ours:.1f} ms (target <= {TARGET_MS:.0f} ms: **{verdict}**), "
        f"{cpu('rolecall prompt --shell bash'):.1f} ms of CPU; the interpreter alone "
        f"(`python -c pass`) takes {floor:.1f} ms here ({cpu('python -c pass'):.1f} ms of CPU), "
        f"`python -S -c pass` {bare_floor:.1f} ms: the target is below what starting Python "
        "costs on this machine.",
        "- pip's console script imports `re` before rolecall's code runs, so its floor is "
        "`python -c 'import re'`: rolecall's own part is "
        f"{own:.1f} ms of CPU over it ({bare_own:.1f} ms over `python -S -c pass` under `-S`, "
        "`re` included): the verb is read without "
        "argparse, and imports `rolecall.cli`, `rolecall.core.prompt` (no `re`, no date "
        "library) and `time`; it reads no file.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(HERE / "RESULTS.md", HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
