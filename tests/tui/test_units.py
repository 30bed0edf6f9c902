"""Unit tests of the TUI's pure parts: rows, filter, sort, expiry warnings, the form, redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rolecall.tui.lines import progress_line, redact
from rolecall.tui.model import Row, filter_rows, format_countdown, order_rows
from rolecall.tui.state import ExpiryWatch
from rolecall.tui.switch_role_form import validate
from rolecall.tui.watch import Watch
from rolecall.tui.widgets.detail import mask

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def row(name: str, **kw: object) -> Row:
    base: dict[str, object] = dict(
        label=name, color=None, kind="assume-role", account="", role="", region="", source=""
    )
    base.update(kw)
    return Row(name=name, **base)  # type: ignore[arg-type]


def test_countdown_text() -> None:
    assert [format_countdown(s) for s in (0, -5, 0.5, 59, 61, 3599, 3600, 43200)] == [
        "expired",
        "expired",
        "0:00",
        "0:59",
        "1:01",
        "59:59",
        "1:00:00",
        "12:00:00",
    ]


def test_fuzzy_filter_matches_within_one_field() -> None:
    rows = [row("prod-admin", account="222222222222", region="us-east-1"), row("dev")]
    assert [r.name for r in filter_rows(rows, "pad")] == ["prod-admin"]
    assert [r.name for r in filter_rows(rows, "222 use1")] == ["prod-admin"]
    assert [r.name for r in filter_rows(rows, "dn")] == ["prod-admin"]  # prod-admiN
    assert [r.name for r in filter_rows(rows, "")] == ["prod-admin", "dev"]
    # letters split across two fields do not match
    assert filter_rows([row("ab", region="cd")], "bc") == []


def test_label_is_searched_and_literal() -> None:
    rows = [row("prod-admin", label="[prod] admin")]
    assert filter_rows(rows, "[prod]") == rows


def test_sort_orders() -> None:
    rows = [
        row("b", expires_at=NOW + timedelta(minutes=5)),
        row("a"),
        row("c", expires_at=NOW - timedelta(minutes=1)),
        row("d", expires_at=NOW + timedelta(minutes=1)),
        row("z", favorite=True),
    ]
    assert [r.name for r in order_rows(rows, "name", NOW)] == ["z", "a", "b", "c", "d"]
    assert [r.name for r in order_rows(rows, "expires", NOW)] == ["z", "d", "b", "c", "a"]


def test_expiry_warning_once_per_expiry() -> None:
    watch = ExpiryWatch()
    soon, later = NOW + timedelta(minutes=4), NOW + timedelta(minutes=20)
    watch.update({"a": soon, "b": later, "c": None}, NOW)
    assert watch.due(NOW, 300) == [("a", soon)]
    assert watch.due(NOW, 300) == []
    assert watch.due(NOW + timedelta(minutes=16), 300) == [("b", later)]
    renewed = NOW + timedelta(hours=1)
    watch.add("a", renewed)  # a new session warns again, later
    assert watch.due(NOW + timedelta(minutes=56), 300) == [("a", renewed)]


def test_switch_role_validation() -> None:
    ok = validate({"account": "123456789012", "role": "Admin", "source": "default"}, ["default"])
    assert ok.request is not None and ok.request.name == "Admin-123456789012"
    assert ok.request.settings == {
        "role_arn": "arn:aws:iam::123456789012:role/Admin",
        "source_profile": "default",
    }
    bad = validate(
        {"account": "12", "role": "a b", "source": "", "region": "x", "mfa": "short"},
        ["default"],
    )
    assert set(bad.errors) == {"account", "role", "source", "region", "mfa"}
    mismatch = validate(
        {
            "account": "111111111111",
            "role": "arn:aws:iam::222222222222:role/X",
            "source": "default",
        },
        ["default"],
    )
    assert "222222222222" in mismatch.errors["account"]
    # a role ARN that is not one says which part is wrong (the CLI's rule)
    for arn, part in [
        ("arn:aws:iam::12345678901:role/X", "has 11 digits, not 12"),
        ("arn:aws:iam:123456789012:role/X", "'::' is missing after 'iam'"),
    ]:
        wrong = validate({"account": "", "role": arn, "source": "default"}, ["default"])
        assert part in wrong.errors["role"], wrong.errors


def test_secrets_never_shown() -> None:
    assert "abc" not in mask("aws_session_token", "abc")
    assert mask("region", "eu-west-1") == "eu-west-1"
    assert "wJalr" not in redact("error: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY bad")
    assert redact("arn:aws:iam::123456789012:role/Admin") == "arn:aws:iam::123456789012:role/Admin"


def test_progress_events_name_their_hop() -> None:
    class Event:
        kind, profile, message, step, total = "cache-hit", "top", "mid: cached", 1, 2
        arn, hint = None, None
        expiration = NOW

    line, level, hop = progress_line(Event(), ["top", "mid", "root"])
    assert line == "mid: cached" and level == "step" and hop == ("mid", "role", NOW)


def test_watch_polls_a_slow_fingerprint_less_often(tmp_path: Path) -> None:
    calls = []
    dirs = [0]

    def fingerprint() -> tuple[int, ...]:
        calls.append(1)
        import time

        time.sleep(0.004)  # "slow"
        return (len(calls),)

    config = tmp_path / "config"
    watch = Watch(lambda: (str(config), str(tmp_path / "none")), fingerprint, lambda: (dirs[0],))
    watch.seen(watch.now(force=True))
    for _ in range(8):
        watch.changes()
    assert len(calls) == 1  # skipped while the cache directories did not move
    dirs[0] = 1
    assert watch.changes() is not None  # a new entry: at once
    assert len(calls) == 2
    config.write_text("[default]\n")
    change = watch.changes()
    assert change is not None and change[1] is True  # the files changed
