"""A chain's root credentials, through botocore's own providers.

Static keys are read from the parsed profile.  Every other root (a
``credential_source``, SSO, ``credential_process``, web identity) is loaded by
the botocore provider the AWS CLI would use, fed from the assume's small
session (:mod:`rolecall.core.sts.context`), so botocore never reads the config
files and the CLI's caches are shared: through rolecall's trusted reader and
writer, never botocore's ``JSONFileCache`` (:mod:`rolecall.core.sts.provider_cache`).
Failures go through the pure ``classify_root_error``.
"""

from __future__ import annotations

import contextlib
import os

from rolecall.core.cache import binding as _binding
from rolecall.core.cache import entries as _entries
from rolecall.core.cache import keys as _keys
from rolecall.core.sts.classify import classify_root_error
from rolecall.core.sts.clients import client_config
from rolecall.core.sts.endpoints import FALLBACK_REGION
from rolecall.core.sts.errors import AssumeError, no_credentials
from rolecall.core.sts.lock import NO_LOCK_ENV
from rolecall.core.sts.records import Credentials, expiry_utc

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

    from rolecall.core.sts.context import Context
    from rolecall.core.sts.plan import Root
    from rolecall.core.sts.provider_cache import ProviderCache

__all__ = ["ROLE_ROOTS", "resolve_root"]

#: root kinds whose credentials are role credentials (a hop from them is chaining)
ROLE_ROOTS = frozenset({"sso", "web-identity", "Ec2InstanceMetadata", "EcsContainer"})


def resolve_root(ctx: Context) -> tuple[Credentials, bool]:
    """The root credentials, and whether they are role credentials."""
    root = ctx.plan.root
    ctx.emit("root", f"resolving root credentials: {root.describe()}")
    if root.kind == "static":
        return _checked(_static_keys(ctx, root), root), False
    try:
        if root.kind == "credential_source":
            creds = _source_credentials(ctx, root)
            return _checked(creds, root), root.source in ROLE_ROOTS
        return _checked(_profile_root(ctx, root), root), root.kind in ROLE_ROOTS
    except AssumeError:
        raise
    except Exception as exc:
        raise classify_root_error(exc, root, ctx.display_url) from None


def _checked(creds: Credentials, root: Root) -> Credentials:
    """``creds``, refused when they are not in the alphabets AWS issues (from a
    file, a process or an answer: they would reach a shell and a terminal)."""
    problem = _entries.credentials_problem(
        creds.access_key_id, creds.secret_access_key, creds.session_token
    )
    if problem is not None:
        raise no_credentials(
            f"the credentials of {root.describe()} are not usable: {problem}",
            "check where they come from; AWS never issues such credentials",
        )
    return creds


def _static_keys(ctx: Context, root: Root) -> Credentials:
    values = ctx.profiles[root.profile].values
    akid = values.get("aws_access_key_id")
    secret = values.get("aws_secret_access_key")
    token = values.get("aws_session_token")
    if not isinstance(akid, str) or not isinstance(secret, str) or not akid or not secret:
        raise no_credentials(
            f"profile {root.profile!r} has no usable static keys",
            "set aws_access_key_id and aws_secret_access_key",
        )
    return Credentials(akid, secret, token if isinstance(token, str) and token else None)


def _from_botocore(creds: Any) -> Credentials:
    frozen = creds.get_frozen_credentials()
    expiry = getattr(creds, "_expiry_time", None)
    return Credentials(
        frozen.access_key, frozen.secret_key, frozen.token or None, expiry_utc(expiry)
    )


def _source_credentials(ctx: Context, root: Root) -> Credentials:
    from botocore.credentials import (
        CanonicalNameCredentialSourcer,
        ContainerProvider,
        EnvProvider,
        InstanceMetadataFetcher,
        InstanceMetadataProvider,
    )

    session = ctx.session
    # as botocore's own resolver builds it: AWS_METADATA_SERVICE_TIMEOUT and
    # AWS_METADATA_SERVICE_NUM_ATTEMPTS (or the profile's metadata_service_*)
    # apply, with botocore's defaults of 1 s and 1 attempt
    fetcher = InstanceMetadataFetcher(
        timeout=session.get_config_variable("metadata_service_timeout"),
        num_attempts=session.get_config_variable("metadata_service_num_attempts"),
        user_agent=session.user_agent(),
        config={
            name: session.get_config_variable(name)
            for name in (
                "ec2_metadata_service_endpoint",
                "ec2_metadata_service_endpoint_mode",
                "ec2_metadata_v1_disabled",
            )
        },
    )
    sourcer = CanonicalNameCredentialSourcer(
        [EnvProvider(), ContainerProvider(), InstanceMetadataProvider(iam_role_fetcher=fetcher)]
    )
    creds = sourcer.source_credentials(root.source)
    if creds is None:
        if root.source == "Environment":
            raise no_credentials(
                f"no credentials in the environment (credential_source = Environment "
                f"in profile {root.profile!r})",
                "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) first",
            )
        raise no_credentials(
            f"no {root.source} credentials found (credential_source of profile {root.profile!r})",
            "this only works on EC2 (instance profile) or ECS/Fargate (task role)",
        )
    return _from_botocore(creds)


def _profile_root(ctx: Context, root: Root) -> Credentials:
    """The credentials of a root profile that holds SSO, process or web identity settings."""
    builders: dict[str, Callable[[Context, Root], Any]] = {
        "sso": _sso_provider,
        "credential-process": _process_provider,
        "web-identity": _web_identity_provider,
    }
    build = builders.get(root.kind)
    if build is None:
        raise no_credentials(
            f"profile {root.profile!r} has no credentials of its own",
            "give it static keys, SSO, credential_process or web identity settings",
        )
    creds = build(ctx, root).load()
    if creds is None:
        raise no_credentials(
            f"profile {root.profile!r} gave no credentials",
            "check its settings with `rolecall list`",
        )
    return _from_botocore(creds)


def _load_config(ctx: Context) -> Callable[[], Any]:
    """What botocore's providers call to read the config: the assume's small one."""
    config = ctx.session.full_config
    return lambda: config


def _client_creator(ctx: Context) -> Callable[..., Any]:
    """``create_client`` for the providers that call AWS: rolecall's timeouts and region."""
    session = ctx.session

    def creator(service_name: str, **kwargs: Any) -> Any:
        cfg = client_config()
        if kwargs.get("config") is not None:
            cfg = cfg.merge(kwargs.pop("config"))
        else:
            kwargs.pop("config", None)
        kwargs.setdefault("region_name", ctx.region or FALLBACK_REGION)
        return session.create_client(service_name, config=cfg, **kwargs)

    return creator


def _cli_cache(ctx: Context, binding: Callable[[Mapping[str, Any]], str | None]) -> Any:
    """The AWS CLI's cache, shared with it, read and written as rolecall's own
    (an untrusted directory, warned about, is neither read nor written); an entry
    is used only when ``binding`` finds it is the one asked for, and
    ``--no-cache`` reads nothing from it.

    The directory is created here (every missing level 0700) before botocore's
    provider runs: botocore would create it with the umask.
    """
    from rolecall.core import fsutil
    from rolecall.core.sts.provider_cache import ProviderCache, credentials_check

    directory = _keys.cli_cache_dir()
    with contextlib.suppress(OSError):
        fsutil.ensure_private_dir(directory)
    files = ProviderCache(directory, credentials_check(binding))
    return files if ctx.use_cache else _WriteOnly(files)


class _WriteOnly:
    """A botocore cache that never has an entry but keeps what is written
    (``--no-cache``: fetch again, and cache the result for the next time)."""

    def __init__(self, cache: ProviderCache) -> None:
        self._cache = cache

    def __contains__(self, key: object) -> bool:
        return False

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._cache[key] = value


def _sso_settings(ctx: Context, root: Root) -> tuple[str, str]:
    """``(start URL, account id)`` of an SSO root, where botocore's SSOProvider reads
    them: the profile, and its ``sso-session`` section."""
    config = ctx.session.full_config
    values = config.get("profiles", {}).get(root.profile, {})
    session = values.get("sso_session")
    if isinstance(session, str):
        start = config.get("sso_sessions", {}).get(session, {}).get("sso_start_url")
    else:
        start = values.get("sso_start_url")
    return str(start or ""), str(values.get("sso_account_id") or "")


def _sso_provider(ctx: Context, root: Root) -> Any:
    from botocore.credentials import SSOProvider
    from botocore.tokens import SSOTokenProvider

    from rolecall.core.sts.provider_cache import ProviderCache, sso_token_check

    start_url, account_id = _sso_settings(ctx, root)
    token_cache = ProviderCache(_keys.sso_cache_dir(), sso_token_check(start_url))
    return SSOProvider(
        load_config=_load_config(ctx),
        client_creator=_client_creator(ctx),
        profile_name=root.profile,
        cache=_cli_cache(ctx, lambda data: _binding.sso_role_mismatch(data, account_id)),
        token_cache=token_cache,
        token_provider=SSOTokenProvider(ctx.session, cache=token_cache, profile_name=root.profile),
    )


def _process_provider(ctx: Context, root: Root) -> Any:
    import functools
    import subprocess

    from botocore.credentials import ProcessProvider

    env = dict(os.environ)
    env[NO_LOCK_ENV] = "1"  # a nested `rolecall credential-process` must not wait for us
    return ProcessProvider(
        profile_name=root.profile,
        load_config=_load_config(ctx),
        popen=functools.partial(subprocess.Popen, env=env),
    )


def _web_identity_provider(ctx: Context, root: Root) -> Any:
    from botocore.credentials import AssumeRoleWithWebIdentityProvider

    role_arn = str(ctx.profiles[root.profile].role_arn)
    return AssumeRoleWithWebIdentityProvider(
        load_config=_load_config(ctx),
        client_creator=_client_creator(ctx),
        cache=_cli_cache(ctx, lambda data: _binding.role_mismatch(data, role_arn)),
        profile_name=root.profile,
        disable_env_vars=True,
    )
