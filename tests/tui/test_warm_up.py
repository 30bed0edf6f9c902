"""The TUI's warm-up loads what an STS call needs, and resolves no credentials.

A boto3 client built without keys walks botocore's default credential chain:
it parses both AWS files (0.3 s at 10,000 profiles, in a thread that holds the
GIL while the UI starts) and asks the EC2 instance metadata service for a
token and a role.  These tests refuse botocore's config parsing, as the test
of ``sts.assume`` does, and point the metadata service at a local recorder,
with the metadata service left enabled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.configloader
import pytest

from rolecall.settings import load_settings
from rolecall.tui.app import RolecallApp
from rolecall.tui.services import Services

CONFIG = """\
[profile base]
aws_access_key_id = AKIAROLECALLTEST0001
aws_secret_access_key = secret

[profile dev]
role_arn = arn:aws:iam::111111111111:role/Dev
source_profile = base
"""


@pytest.fixture
def refused(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What botocore would have read or asked for: config parses, metadata requests."""
    (isolated_env / ".aws").mkdir()
    (isolated_env / ".aws" / "config").write_text(CONFIG)
    (isolated_env / ".aws" / "credentials").write_text(
        "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n"
    )
    seen: list[str] = []

    def parse(path: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(f"botocore parsed {path}")
        return {}  # (as an empty file: botocore goes on to the next provider)

    def load(path: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(f"botocore loaded {path}")
        return {"profiles": {}}

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", parse)
    monkeypatch.setattr(botocore.configloader, "load_config", load)

    class Metadata(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = _record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}/"
    )
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_warm_up_reads_no_file_and_asks_no_metadata(refused: list[str]) -> None:
    services = Services()
    services.warm()
    assert refused == []
    # it did load what a call needs: the next client is built from the same session
    assert services.client_factory is not None


class _Recorded(Services):
    """The real services, noting how the warm-up worker ended (the app ignores its errors)."""

    ended: list[str]

    def warm(self) -> None:
        try:
            super().warm()
        except BaseException as exc:
            self.ended.append(repr(exc))
            raise
        self.ended.append("done")


def test_the_warm_up_worker_of_a_starting_app(refused: list[str], tmp_path: Path) -> None:
    services = _Recorded()
    services.ended = []
    app = RolecallApp(services=services, settings=load_settings(str(tmp_path / "s.toml")))

    async def start() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            for _ in range(200):  # the warm-up worker starts after the first frame
                await app.workers.wait_for_complete()
                if services.ended:
                    break
                await pilot.pause(0.05)

    asyncio.run(start())
    assert services.ended == ["done"]
    assert refused == []
