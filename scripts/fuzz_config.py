#!/usr/bin/env python3
"""Fuzz the config layer: rolecall's INI reader and profile model against botocore.

    python scripts/fuzz_config.py [--count 100000] [--seed 1] [--workers 2] [--out DIR]
    python scripts/fuzz_config.py --seed 1 --start 17212 --count 1   # one input again
    python scripts/fuzz_config.py --replay DIR [DIR...]

Every input is a ``(config, credentials)`` pair of files, made one of three ways
(from a seeded ``random.Random``, so input ``i`` of seed ``s`` is always the same):

* **generated** (40%) from the grammar in ``tests/core/ini_gen.py`` (the one the
  hypothesis tests use), half of them profiles built from templates (role chains,
  credential sources, SSO, processes, web identity);
* **generated, then mutated** (20%) at the byte level;
* **corpus, mutated** (40%): a case of ``tests/core/corpus``, mutated with up
  to six byte-level edits, random bytes and lines spliced from other corpus
  files.

Each pair goes through ``tests/core/fuzz_check.py::check_pair``: no exception
escapes rolecall, ``render(parse(x)) == x``, the values equal botocore's (or both
refuse), the profile model's invariants, and botocore's own credential providers
refuse no profile that rolecall finds no problem in.

The files are written to a tmpfs (``/dev/shm`` when there is one) because botocore
reads paths.  Every failing input is saved under ``--out`` as a corpus case
(``config``, ``credentials``, ``expect``, ``note``); ``--minimize`` also saves a
shrunk copy of the first one of each kind; ``--replay`` runs saved cases again.
Exit status: 1 when some input failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.core import fuzz_check  # noqa: E402
from tests.core.fuzz_check import Pair, load_corpus, make_input  # noqa: E402

#: At most this many failing inputs are kept and saved (all are counted).
SAVE_LIMIT = 5000

_CORPUS: tuple[list[Pair], list[bytes]] | None = None


def inputs(seed: int, start: int, stop: int) -> Iterator[tuple[int, Pair]]:
    global _CORPUS
    if _CORPUS is None:
        corpus = load_corpus()
        _CORPUS = corpus, [data for pair in corpus for data in pair if data]
    corpus, donors = _CORPUS
    for index in range(start, stop):
        yield index, make_input(seed, index, corpus, donors)


@dataclass
class Stats:
    count: int = 0
    refused: int = 0
    profiles: int = 0
    chain_refusals: int = 0
    stricter: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    #: failing inputs by kind: (index, config, credentials, detail)
    examples: dict[str, list[tuple[int, bytes | None, bytes | None, str]]] = field(
        default_factory=dict
    )

    def kept(self) -> int:
        return sum(map(len, self.examples.values()))

    def add(self, other: Stats) -> None:
        self.count += other.count
        self.refused += other.refused
        self.profiles += other.profiles
        self.chain_refusals += other.chain_refusals
        self.stricter += other.stricter
        self.failures.update(other.failures)
        for kind, found in other.examples.items():
            room = SAVE_LIMIT - self.kept()
            if room > 0:
                self.examples.setdefault(kind, []).extend(found[:room])


def tmpfs_dir() -> Path:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="rolecall-fuzz-", dir=base))


def run_chunk(job: tuple[str, int, int, int, bool]) -> Stats:
    """Check inputs ``start..stop-1`` of ``seed`` (in a worker process).

    Each worker writes its two files in its own directory under ``base``.
    """
    base, seed, start, stop, chains = job
    stats = Stats()
    workdir = Path(base) / str(os.getpid())
    workdir.mkdir(exist_ok=True)
    for index, (config, credentials) in inputs(seed, start, stop):
        stats.count += 1
        try:
            verdict = fuzz_check.check_pair(config, credentials, workdir, chains=chains)
        except fuzz_check.FuzzFailure as failure:
            stats.failures[failure.kind] += 1
            if stats.kept() < SAVE_LIMIT:
                found = stats.examples.setdefault(failure.kind, [])
                found.append((index, config, credentials, failure.detail))
            continue
        stats.refused += verdict.refused
        stats.profiles += verdict.profiles
        stats.chain_refusals += verdict.chain_refusals
        stats.stricter += verdict.stricter
    return stats


def slug(kind: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in kind).strip("-")[:60]


def failure_of(
    config: bytes | None, credentials: bytes | None, workdir: Path
) -> fuzz_check.FuzzFailure | None:
    try:
        fuzz_check.check_pair(config, credentials, workdir)
    except fuzz_check.FuzzFailure as failure:
        return failure
    return None


def failure_kind(config: bytes | None, credentials: bytes | None, workdir: Path) -> str | None:
    failure = failure_of(config, credentials, workdir)
    return None if failure is None else failure.kind


def _shrink_list(items: list[bytes], keeps: Callable[[list[bytes]], bool]) -> list[bytes]:
    """Remove chunks of ``items`` while ``keeps`` still holds (a simple ddmin)."""
    chunk = max(1, len(items) // 2)
    while chunk >= 1:
        i = 0
        while i < len(items):
            trial = items[:i] + items[i + chunk :]
            if keeps(trial):
                items = trial
            else:
                i += chunk
        chunk //= 2
    return items


def minimize(config: bytes | None, credentials: bytes | None, kind: str, workdir: Path) -> Pair:
    """A smaller pair that fails the same way (no file, then lines, then bytes)."""
    pair: list[bytes | None] = [config, credentials]

    def fails(trial: list[bytes | None]) -> bool:
        return failure_kind(trial[0], trial[1], workdir) == kind

    for slot in (0, 1):
        data = pair[slot]
        if data is None:
            continue
        without = list(pair)
        without[slot] = None
        if fails(without):
            pair = without
            continue
        for pieces in (data.splitlines(keepends=True), None):
            current = pair[slot]
            assert current is not None
            parts = pieces if pieces is not None else [bytes([c]) for c in current]
            base = list(pair)

            def keeps(
                parts: list[bytes], base: list[bytes | None] = base, slot: int = slot
            ) -> bool:
                trial = list(base)
                trial[slot] = b"".join(parts)
                return fails(trial)

            pair[slot] = b"".join(_shrink_list(parts, keeps))
    return pair[0], pair[1]


def save_failures(
    stats: Stats, seed: int, out: Path, minimize_them: bool, workdir: Path
) -> list[Path]:
    """Save every kept failing input as found; with ``minimize_them``, also a
    shrunk copy (``-min``) of the first one of each kind."""
    saved: list[Path] = []
    for kind, found in sorted(stats.examples.items()):
        for n, (index, config, credentials, detail) in enumerate(found):
            versions = [("", config, credentials, detail)]
            if minimize_them and n == 0:
                small = minimize(config, credentials, kind, workdir)
                again = failure_of(*small, workdir)
                versions.append(("-min", *small, again.detail if again else detail))
            for suffix, cfg, cred, why in versions:
                case = out / f"{slug(kind)}-s{seed}-i{index}{suffix}"
                expect = fuzz_check.botocore_expect(cfg, cred, workdir)
                note = f"kind: {kind}\nseed: {seed}\nindex: {index}\nminimized: {bool(suffix)}\n"
                fuzz_check.write_case(case, cfg, cred, expect, note + "\n" + why)
                saved.append(case)
    return saved


def replay(dirs: Sequence[Path]) -> int:
    workdir = tmpfs_dir()
    bad = 0
    found = [p for base in dirs for p in ([base] if (base / "expect").exists() else base.iterdir())]
    cases = sorted(p for p in found if p.is_dir())
    for case in cases:
        config, credentials = fuzz_check.read_case(case)
        try:
            fuzz_check.check_pair(config, credentials, workdir, session=True)
        except fuzz_check.FuzzFailure as failure:
            bad += 1
            print(f"FAIL {case}: {failure.kind}: {failure.detail.splitlines()[-1][:200]}")
        else:
            print(f"ok   {case}")
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{bad} of {len(cases)} case(s) fail")
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000, help="inputs to try (100000)")
    ap.add_argument("--seed", type=int, default=1, help="run seed (1)")
    ap.add_argument(
        "--start", type=int, default=0, help="index of the first input (0): inputs START.."
    )
    ap.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    ap.add_argument(
        "--out", type=Path, default=Path("fuzz-failures"), help="failing inputs go here"
    )
    ap.add_argument("--chunk", type=int, default=500, help="inputs per job (500)")
    ap.add_argument(
        "--no-chains", action="store_true", help="skip the botocore credential-provider check"
    )
    ap.add_argument("--minimize", action="store_true", help="shrink failing inputs before saving")
    ap.add_argument("--replay", type=Path, nargs="+", help="check saved cases again, and exit")
    args = ap.parse_args(argv)
    if args.replay:
        return replay(args.replay)

    base = tmpfs_dir()
    stop = args.start + args.count
    jobs = [
        (str(base), args.seed, start, min(start + args.chunk, stop), not args.no_chains)
        for start in range(args.start, stop, args.chunk)
    ]
    total = Stats()
    started = time.perf_counter()
    next_report = started + 10
    print(
        f"fuzzing {args.count} input pairs, seed {args.seed}, {args.workers} worker(s), "
        f"corpus of {len(load_corpus())} case(s)",
        flush=True,
    )
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    try:
        with ctx.Pool(args.workers) as pool:
            for stats in pool.imap_unordered(run_chunk, jobs):
                total.add(stats)
                now = time.perf_counter()
                if now >= next_report:
                    next_report = now + 10
                    rate = total.count / (now - started)
                    print(
                        f"  {total.count}/{args.count} inputs, {rate:.0f}/s, "
                        f"{sum(total.failures.values())} failure(s)",
                        flush=True,
                    )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    elapsed = time.perf_counter() - started
    failed = sum(total.failures.values())
    print(f"inputs:          {total.count} (seed {args.seed})")
    print(f"time:            {elapsed:.1f} s with {args.workers} worker(s)")
    print(f"rate:            {total.count / elapsed:.0f} inputs/s")
    share = 100 * total.refused / max(total.count, 1)
    print(f"botocore refused: {total.refused} pairs ({share:.1f}%)")
    print(f"profiles built:  {total.profiles}")
    print(
        f"chain checks:    {total.chain_refusals} profiles botocore refuses to resolve "
        f"(all flagged by rolecall unless listed below); {total.stricter} flagged "
        "by rolecall only (ARNs, durations...)"
    )
    print(f"failures:        {failed}")
    for kind, n in total.failures.most_common():
        print(f"  {n:6d}  {kind}")
    if failed:
        workdir = tmpfs_dir()
        try:
            saved = save_failures(total, args.seed, args.out, args.minimize, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"saved {len(saved)} failing input(s) under {args.out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
