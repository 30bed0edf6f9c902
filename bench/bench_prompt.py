"""Benchmark of ``rolecall prompt`` (issue 12 section 2), run side by side with the floor.

A prompt runs ``rolecall prompt`` before every command, so the target is a
median <= 15 ms, whole process.  Starting Python alone may cost more than that
on a machine; so, in the same interleaved rounds:

* ``python -c pass`` and ``python -S -c pass``: the interpreter's start, with and
  without ``site`` (and the ``.pth`` files it runs);
* ``python -c 'import re'``: the console script pip writes imports ``re`` itself;
* ``python -S: rolecall prompt``: the console script's code under ``python -S``
  with rolecall's source on PYTHONPATH, which shows rolecall's own cost;
* ``rolecall_prompt``, the function of ``rolecall shell-init``, timed inside one
  bash and one zsh (``x=$(rolecall_prompt)`` between two reads of
  ``EPOCHREALTIME``, as a PS1 runs it): for a plain name and a UTC expiration the
  shell works the segment out itself; and the command it runs otherwise
  (``python -P -c HOOK_CODE prompt --shell bash``: no console script, no ``re``).
  Outside a session it does nothing at all.

Usage::

    python bench/bench_prompt.py            # print the results
    python bench/bench_prompt.py --write    # and put them in bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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

HOOKED = "rolecall_prompt's fallback (python -P -c HOOK_CODE prompt --shell bash)"
IN_SHELL = ("bash", "zsh")
STARSHIP = (
    "starship's custom module (bash --noprofile --norc: source FILE && rolecall_prompt plain)"
)

HEADING = "## Prompt: `rolecall prompt` (bench/bench_prompt.py)"
TARGET_MS = 15.0
PROGRAM = "import sys; sys.argv[0] = 'rolecall'; from rolecall.cli import entry; entry()"


def in_shell(shell: str, env: dict[str, str], rounds: int) -> list[float]:
    """``rounds`` calls of ``rolecall_prompt`` in one ``shell`` that evaluated
    ``rolecall shell-init SHELL``, each as PS1 runs it (``$(...)``), in seconds."""
    init = subprocess.run(
        [*hook_command(), "shell-init", shell], env=env, capture_output=True, text=True
    )
    script = (
        init.stdout
        or subprocess.run(
            [rolecall_bin(), "shell-init", shell],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    code = f"""
{"zmodload zsh/datetime" if shell == "zsh" else ""}
eval "$ROLECALL_INIT"
for i in $(seq {rounds}); do
    start=$EPOCHREALTIME
    x=$(rolecall_prompt)
    end=$EPOCHREALTIME
    [ -n "$x" ] || exit 3
    echo "$start $end"
done
"""
    argv = [shutil.which(shell) or shell, "-f" if shell == "zsh" else "--norc", "-c", code]
    out = subprocess.run(
        argv, env={**env, "ROLECALL_INIT": script}, capture_output=True, text=True, check=True
    )
    return [float(b) - float(a) for a, b in (line.split() for line in out.stdout.splitlines())]


def fish_mean(env: dict[str, str], rounds: int) -> float | None:
    """The mean cost of ``set x (rolecall_prompt)`` in one fish, in seconds: a run of
    ``rounds`` calls less a run of none (fish has no clock finer than a second)."""
    fish = shutil.which("fish")
    if fish is None:
        return None
    script = subprocess.run(
        [rolecall_bin(), "shell-init", "fish", "--prompt-only"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    took = []
    for count in (0, rounds):
        code = f"{script}\nfor i in (seq {count}); set x (rolecall_prompt); end"
        start = time.perf_counter()
        subprocess.run([fish, "--no-config", "-c", code], env=env, check=True)
        took.append(time.perf_counter() - start)
    return (took[1] - took[0]) / rounds


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
    prompt_file = HERE / ".prompt.bash"  # (the README's ~/.config/rolecall-prompt.bash)
    prompt_file.write_text(
        subprocess.run(
            [rolecall, "shell-init", "bash", "--prompt-only"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    starship = f"source {prompt_file} && rolecall_prompt plain"
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
        STARSHIP: timed(STARSHIP, ["bash", "--noprofile", "--norc", "-c", starship], env),
        "python -c pass": timed("python -c pass", [py, "-c", "print(1)"], env),
        "python -c 'import re'": timed(
            "python -c 'import re'", [py, "-c", "import re; print(1)"], env
        ),
        "python -S -c pass": timed("python -S -c pass", [py, "-S", "-c", "print(1)"], env),
    }
    load_before = load()
    got = interleave(runs, args.rounds)
    load_after = load()
    shells = {s: in_shell(s, env, args.rounds) for s in IN_SHELL if shutil.which(s)}
    fish = fish_mean(env, args.rounds * 5)
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
    for shell, values in shells.items():
        lines.append(
            f"| `rolecall_prompt` in {shell} (`x=$(rolecall_prompt)`) | "
            f"{median_ms(values):.1f} | | |"
        )
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

    prompt_file.unlink()
    starship_ms = median_ms(got[STARSHIP])
    native = ", ".join(
        f"{median_ms(values):.1f} ms in {shell} (target <= {TARGET_MS:.0f} ms: "
        f"**{'met' if median_ms(values) <= TARGET_MS else 'NOT met'}**; "
        f"`rolecall prompt` / this: {ours / median_ms(values):.0f}x)"
        for shell, values in shells.items()
    )
    lines += [
        "",
        f"- `rolecall_prompt` (`rolecall shell-init`'s function, for PS1), in a session with a "
        f"plain name and a UTC expiration, as PS1 runs it: {native}. The shell works the "
        "segment out itself; fish does too, with one `date` process: "
        + (
            f"{fish * 1000:.1f} ms a call in fish (the mean of {args.rounds * 5} calls in one "
            "fish, "
            "less a fish that makes none)."
            if fish is not None
            else "(fish is not installed)."
        ),
        f"- starship's custom module of the README (a whole `bash` that sources the function "
        f"and runs `rolecall_prompt plain`): {starship_ms:.1f} ms (target <= {TARGET_MS:.0f} ms: "
        f"**{'met' if starship_ms <= TARGET_MS else 'NOT met'}**).",
        f"- `rolecall_prompt`'s fallback, for other names and dates: {hooked:.1f} ms "
        f"(target <= {TARGET_MS:.0f} ms: **{hooked_verdict}**), {cpu(HOOKED):.1f} ms of CPU, "
        f"{cpu(HOOKED) - cpu('python -c pass'):.1f} ms of CPU over `python -c pass`. Outside a "
        "session `rolecall_prompt` does nothing (0 ms).",
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
