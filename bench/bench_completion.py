"""Benchmark of profile-name completion (issue 12 section 2), run side by side.

A Tab on a profile name runs ``python -P -c 'from rolecall.cli.shell_hooks
import hook; hook()' __complete profiles`` (the interpreter that ran
``rolecall shell-init``: the generated completion code calls it; commands,
options and formats are in the code and start no process), with the names
remembered (``--cache``) or read from the files.  Targets: a median <= 50 ms at
1,000 profiles and <= 150 ms at 10,000, whole process.  In the same interleaved
rounds:

* ``rolecall __complete profiles`` through pip's console script, names
  remembered: what a Tab ran before the hook;

* ``python -c pass``: the interpreter's own start, the floor under any Python CLI,
  and ``python -c 'import re'``: the console script pip writes imports ``re`` first;
* ``aws_completer`` for ``aws s3 ls --profile <Tab>``: the AWS CLI's own
  completion of a profile name (awscli v1 has no ``configure list-profiles``),
  the baseline;
* the whole Tab in bash: ``_rolecall_bash`` (the generated function) for
  ``rolecall env <Tab>`` in a bash that has loaded ``rolecall shell-init bash``,
  timed inside bash with ``$EPOCHREALTIME``.

Usage::

    python bench/bench_completion.py                # print the results
    python bench/bench_completion.py --write        # and put them in bench/RESULTS.md
    python bench/bench_completion.py --baseline OLD/src   # and the files-read Tab of an older tree

Everything runs in a temporary HOME with files from ``bench/gen_config.py``
(the mixed shape: role chains, SSO, static keys, in both files).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.gen_config import write_files  # noqa: E402
from bench.rounds import children_cpu, interleave  # noqa: E402
from bench.sides import environment, prepare  # noqa: E402
from rolecall.cli.shell_hooks import hook_command  # noqa: E402

HEADING = "## Completion: profile names on Tab (bench/bench_completion.py)"
TARGETS = {1000: 50.0, 10000: 150.0}
AWS = "aws_completer --profile"
OURS = "the Tab's hook, names remembered"
COLD = "the Tab's hook, files read"
COLD_BASE = "the Tab's hook, files read, baseline tree"
SCRIPT = "rolecall __complete profiles, names remembered"
FLOOR = "python -c pass"
#: pip's console script imports re before rolecall: the floor of any `rolecall ...`
FLOOR_RE = "python -c 'import re'"


def make_home(root: Path, total: int) -> dict[str, str]:
    """A HOME with ``total`` profiles (``bench/gen_config.py``, the mixed shape); returns
    the environment that points at it."""
    home = root / f"home-{total}"
    write_files(home / ".aws", "mixed", total)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env["HOME"] = str(home)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


#: CPU time (user + system) of each contender's runs, by name: on a loaded machine,
#: wall time includes waiting for a CPU; CPU time much less so.
CPU: dict[str, list[float]] = {}


def timed(name: str, argv: Sequence[str], env: Mapping[str, str]) -> Callable[[], float]:
    """One timed run of the whole process ``argv`` (its output must be non-empty); its
    CPU time goes to :data:`CPU` under ``name``."""

    def run() -> float:
        before = children_cpu()
        start = time.perf_counter()
        out = subprocess.run(list(argv), env=dict(env), capture_output=True, check=True)
        took = time.perf_counter() - start
        CPU.setdefault(name, []).append(children_cpu() - before)
        if not out.stdout:
            raise RuntimeError(f"{argv}: no output")
        return took

    return run


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def bash_tab(env: dict[str, str], script: Path, rounds: int) -> list[float]:
    """The Tab itself, in one bash: ``rounds`` calls of the completion function."""
    code = f"""
. {script}
line='rolecall env '
for i in $(seq {rounds}); do
    COMP_LINE=$line; COMP_POINT=${{#line}}; COMP_WORDS=(rolecall env ''); COMP_CWORD=2
    start=$EPOCHREALTIME
    _rolecall_bash
    end=$EPOCHREALTIME
    [ ${{#COMPREPLY[@]}} -gt 0 ] || exit 3
    echo "$start $end"
done
"""
    bash = shutil.which("bash") or "bash"
    out = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(b) - float(a) for a, b in (line.split() for line in out.stdout.splitlines())]


def rolecall_bin() -> str:
    path = shutil.which("rolecall", path=os.path.dirname(sys.executable))
    if path is None:
        raise SystemExit("bench: the rolecall console script is not installed beside this Python")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="runs of each command")
    parser.add_argument("--sizes", default="1000,10000", help="profile counts")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--baseline", help="an older src/: its files-read Tab runs too")
    args = parser.parse_args()
    baseline = prepare(args.baseline).get("baseline")
    sizes = [int(s) for s in args.sizes.split(",")]
    rolecall = rolecall_bin()
    here = os.path.dirname(sys.executable)
    aws = shutil.which("aws_completer", path=here) or shutil.which("aws_completer")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")])
    load_before = load()
    rows: list[tuple[int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-completion-") as tmp:
        root = Path(tmp)
        for total in sizes:
            env = make_home(root, total)
            script = root / f"init-{total}.bash"
            script.write_text(
                subprocess.run(
                    [rolecall, "shell-init", "bash"], env=env, capture_output=True, check=True
                ).stdout.decode()
            )
            CPU.clear()
            cache = str(root / f"names-{total}")
            hook = [*hook_command(), "__complete", "profiles"]
            warm = [*hook, "--cache", cache]
            subprocess.run(warm, env=env, capture_output=True, check=True)  # (remembered now)
            script_warm = [rolecall, "__complete", "profiles", "--cache", cache]
            runs = {
                OURS: timed(OURS, warm, env),
                COLD: timed(COLD, hook, env),
                SCRIPT: timed(SCRIPT, script_warm, env),
                # (print: a non-empty output, as the others)
                FLOOR: timed(FLOOR, [sys.executable, "-c", "print(1)"], env),
                FLOOR_RE: timed(FLOOR_RE, [sys.executable, "-c", "import re; print(1)"], env),
            }
            if baseline is not None:
                runs[COLD_BASE] = timed(COLD_BASE, hook, environment(env, baseline))
            if aws is not None:
                line = "aws s3 ls --profile "
                aws_env = {**env, "COMP_LINE": line, "COMP_POINT": str(len(line))}
                runs[AWS] = timed(AWS, [aws], aws_env)
            got = interleave(runs, args.rounds)
            medians = {name: median_ms(values) for name, values in got.items()}
            medians.update({f"cpu {name}": median_ms(values) for name, values in CPU.items()})
            medians["bash Tab: _rolecall_bash"] = median_ms(bash_tab(env, script, args.rounds))
            rows.append((total, medians))
    load_after = load()
    lines = [
        HEADING,
        "",
        f"Run on {time.strftime('%Y-%m-%d')}: Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, shared with other "
        f"engineers' jobs (`uptime` load average {load_before} before, {load_after} after).",
        f"Command: `python bench/bench_completion.py --rounds {args.rounds}"
        f"{' --baseline OLD/src' if baseline else ''}`. Medians of "
        f"{args.rounds} runs of each whole process, interleaved; the Tab is timed inside bash.",
        "",
        "| profiles | Tab's hook, names remembered (CPU) | Tab's hook, files read (CPU) | "
        "target | `rolecall __complete`, names remembered (CPU) | "
        "`python -c pass` (CPU) | `python -c 'import re'` (CPU) | "
        "`aws_completer`, `aws s3 ls --profile <Tab>` (CPU) | "
        "aws / rolecall (files read) | bash Tab, `rolecall env <Tab>` |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for total, m in rows:
        target = TARGETS.get(total)
        verdict = ""
        if target is not None:
            met = [name for name in (OURS, COLD) if m[name] <= target]
            verdict = f"<= {target:.0f} ms: " + (
                "**met** by both" if len(met) == 2 else f"met by {len(met)} of 2"
            )
        aws_cell, ratio = "-", "-"
        if AWS in m:
            aws_cell = f"{m[AWS]:.1f} ms ({m['cpu ' + AWS]:.1f})"
            ratio = f"{m[AWS] / m[COLD]:.1f}x"
        lines.append(
            f"| {total:,} | {m[OURS]:.1f} ms ({m['cpu ' + OURS]:.1f}) | "
            f"{m[COLD]:.1f} ms ({m['cpu ' + COLD]:.1f}) | {verdict} | "
            f"{m[SCRIPT]:.1f} ms ({m['cpu ' + SCRIPT]:.1f}) | "
            f"{m[FLOOR]:.1f} ms ({m['cpu ' + FLOOR]:.1f}) | "
            f"{m[FLOOR_RE]:.1f} ms ({m['cpu ' + FLOOR_RE]:.1f}) | {aws_cell} | {ratio} | "
            f"{m['bash Tab: _rolecall_bash']:.1f} ms |"
        )
    lines.append("")
    for total, m in rows:
        target = TARGETS.get(total, 0.0)
        for name, what in ((OURS, "names remembered"), (COLD, "files read")):
            cpu = m["cpu " + name]
            lines.append(
                f"- {total:,} profiles, {what}: {m[name]:.1f} ms wall, {cpu:.1f} ms CPU "
                f"(target <= {target:.0f} ms: wall **{'met' if m[name] <= target else 'NOT met'}**"
                f", CPU {'met' if cpu <= target else 'not met'}); "
                f"{cpu - m['cpu ' + FLOOR]:.1f} ms of CPU over `python -c pass`."
            )
        if COLD_BASE in m:
            lines.append(
                f"- {total:,} profiles, files read, on the baseline tree: {m[COLD_BASE]:.1f} ms "
                f"wall, {m['cpu ' + COLD_BASE]:.1f} ms CPU; the current tree takes "
                f"{m[COLD] / m[COLD_BASE]:.2f}x its wall time, "
                f"{m['cpu ' + COLD] / m['cpu ' + COLD_BASE]:.2f}x its CPU."
            )
        lines.append(
            f"- {total:,} profiles: the console script (names remembered) / the hook: "
            f"{m[SCRIPT] / m[OURS]:.2f}x wall, "
            f"{m['cpu ' + SCRIPT] / m['cpu ' + OURS]:.2f}x CPU."
        )
    lines += [
        "- A Tab runs `PYTHON -P -c 'from rolecall.cli.shell_hooks import hook; hook()' "
        "__complete profiles --cache FILE` (PYTHON: the interpreter that ran `rolecall "
        "shell-init`): the names are read from FILE while neither AWS file has changed (its "
        "first line holds both files' inode, size, mtime and ctime), else the section "
        "headers of both files are read and FILE is written again. Through pip's console "
        "script (`rolecall __complete`), the same Tab also imports `re`, the command line's "
        "program and the config reader.",
        "- The files are read at the first Tab after either AWS file changes (and after each "
        "`--config` or `--credentials` typed on the line): those Tabs read the section headers "
        "alone (`rolecall.core.ini.section_names`, sorted into profiles as botocore does by "
        "`rolecall.core.config.available_profiles`), not the whole files, plus about 15 ms of "
        "imports; every other Tab is the names-remembered column.",
        "- The bash Tab column is `_rolecall_bash` as bash calls it for `rolecall env <Tab>` "
        "(every name offered), names remembered; rolecall filters, cuts and quotes the names so "
        "that bash only reads them (`mapfile`): a bash loop over 10,000 names took 1.2 s.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(HERE / "RESULTS.md", HEADING, text)
    return 0


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace the section under ``heading`` in RESULTS.md (or append it); keep the rest."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    start = old.find(heading)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        end = old.find("\n## ", start + 3)
        rest = "" if end < 0 else old[end + 1 :]
        new = old[:start] + section + ("\n" + rest if rest else "")
    path.write_text(new.rstrip("\n") + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
