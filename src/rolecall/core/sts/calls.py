"""One STS call: a few bounded retries, checked answers, and what a refusal forgets.

:func:`call` runs the call, retries throttling and server errors (jittered
backoff, :data:`RETRY_ATTEMPTS` in all), and turns any failure into an
:class:`AssumeError` through the pure ``classify.py``; when STS refused
credentials that came from a cache file, that file is removed here.
:func:`checked_credentials` refuses an answer rolecall cannot use before
anything is cached.
"""

from __future__ import annotations

import time

from rolecall.core.cache import entries as _entries
from rolecall.core.cache import timestamps as _timestamps
from rolecall.core.sts.classify import (
    classify_botocore_error,
    classify_client_error,
    is_retryable,
    malformed,
)
from rolecall.core.sts.errors import EXPIRED_CREDENTIALS, AssumeError
from rolecall.core.sts.records import expiry_utc

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from datetime import datetime
    from typing import Any

    from rolecall.core.sts.classify import CallInfo
    from rolecall.core.sts.context import Context
    from rolecall.core.sts.records import Credentials

__all__ = ["RETRY_ATTEMPTS", "RETRY_BASE_DELAY", "call", "caller_arn", "checked_credentials"]

#: Attempts for a throttled (or 5xx) STS call, with jittered exponential backoff.
RETRY_ATTEMPTS = 3
RETRY_BASE_DELAY = 0.4


def call(fn: Callable[[], Any], info: CallInfo, ctx: Context | None) -> Any:
    """Run one STS call; retry throttling and 5xx a few times; classify any failure."""
    import random

    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except ResponseParserError:
            raise malformed(info, "its answer is not valid XML") from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # botocore's parser expects the shape it knows (an empty <AssumeRoleResponse/>
            # raises KeyError there); an error raised anywhere else is a real bug
            if not _raised_in_parser(exc):
                raise
            raise malformed(info, f"{type(exc).__name__} in botocore's parser") from None
        except ClientError as exc:
            if is_retryable(exc) and attempt < RETRY_ATTEMPTS:
                delay = RETRY_BASE_DELAY * (2 ** (attempt - 1))
                time.sleep(delay * (0.5 + random.random() / 2))
                continue
            error, forget = classify_client_error(
                exc, info, attempt, lambda: caller_arn(ctx, info.creds)
            )
            if forget:
                _entries.remove_entry(forget)
            raise error from None
        except BotoCoreError as exc:
            raise classify_botocore_error(exc, info) from None


def _raised_in_parser(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith("botocore/parsers.py"):
            return True
        tb = tb.tb_next
    return False


def caller_arn(ctx: Context | None, creds: Credentials | None) -> str | None:
    """The ARN of ``creds`` (get_caller_identity), or None when that fails too."""
    if ctx is None or creds is None:
        return None
    try:
        client = ctx.client("sts", creds)
        arn = client.get_caller_identity().get("Arn")
    except Exception:
        return None
    return arn if isinstance(arn, str) else None


def checked_credentials(
    response: Any, info: CallInfo, now: datetime
) -> tuple[dict[str, Any], datetime]:
    """``response["Credentials"]`` when it holds usable credentials that have not
    expired yet, with their expiry (UTC, to the second); else an AssumeError."""
    raw = response.get("Credentials") if isinstance(response, dict) else None
    if not isinstance(raw, dict):
        raise malformed(info, "no Credentials")
    for key in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise malformed(info, f"no {key}")
    problem = _entries.credentials_problem(
        raw["AccessKeyId"], raw["SecretAccessKey"], raw["SessionToken"]
    )
    if problem is not None:
        raise malformed(info, problem)
    expiration = expiry_utc(raw.get("Expiration"))
    if expiration is None:
        raise malformed(info, "no readable Expiration")
    if expiration <= now:
        target = f" for {info.role_arn}" if info.role_arn else ""
        raise AssumeError(
            f"STS returned credentials{target} that expired at "
            f"{_timestamps.format_expiration(expiration)}, before they could be used "
            f"(the local time is {_timestamps.format_expiration(now)}); nothing was cached",
            "check the system clock (and its time zone), then try again",
            EXPIRED_CREDENTIALS,
        )
    return dict(raw), expiration
