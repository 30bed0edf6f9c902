"""The AWS CLI's role-credential cache, the SSO token cache, and rolecall's MFA sessions.

Nothing here imports boto3 or botocore, and nothing makes a network call: a
command served from the cache, and the TUI's countdown column, read these
files only.  One module a job, imports pointing down this list:

* ``mfa_sessions``: rolecall's MFA sessions (``GetSessionToken``): which root
  can use one, its key, reading and writing it;
* ``entries``: :class:`~rolecall.core.cache.entries.CacheEntry`, the CLI
  cache's entries read (checked, bound to their role), written, forgotten;
* ``binding``: an entry is used only for what it says it is (its role, its
  MFA device, its account, its portal);
* ``json_files``: the one trusted reader and the one writer of the cache files;
* ``trust``: who else could have written a directory or file, and the
  warnings that say so;
* ``keys``: the cache directories and each entry's key (the AWS CLI's own);
* ``timestamps``: ``Expiration`` read and written, and shown to people.

A cache hit imports ``entries`` and what it needs (not ``mfa_sessions``), so
this package's ``__init__`` imports nothing: import the module that owns a
name.  The UI's countdowns and change detection are in
:mod:`rolecall.core.expiries`, ``rolecall doctor``'s permission check in
:mod:`rolecall.core.cache_permissions`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover  (the names below, typed for mypy)
    from rolecall.core.cache.binding import mfa_session_mismatch as mfa_session_mismatch
    from rolecall.core.cache.binding import read_bound_json as read_bound_json
    from rolecall.core.cache.binding import role_mismatch as role_mismatch
    from rolecall.core.cache.binding import sso_role_mismatch as sso_role_mismatch
    from rolecall.core.cache.binding import sso_token_mismatch as sso_token_mismatch
    from rolecall.core.cache.entries import EXPIRY_WINDOW as EXPIRY_WINDOW
    from rolecall.core.cache.entries import CacheEntry as CacheEntry
    from rolecall.core.cache.entries import credentials_problem as credentials_problem
    from rolecall.core.cache.entries import credentials_problem_of as credentials_problem_of
    from rolecall.core.cache.entries import read_entry as read_entry
    from rolecall.core.cache.entries import read_role_entry as read_role_entry
    from rolecall.core.cache.entries import remove_entry as remove_entry
    from rolecall.core.cache.entries import write_entry as write_entry
    from rolecall.core.cache.json_files import load_json as load_json
    from rolecall.core.cache.json_files import read_private_json as read_private_json
    from rolecall.core.cache.json_files import remove_private_json as remove_private_json
    from rolecall.core.cache.json_files import write_private_json as write_private_json
    from rolecall.core.cache.keys import cache_key as cache_key
    from rolecall.core.cache.keys import cache_key_for as cache_key_for
    from rolecall.core.cache.keys import cli_cache_dir as cli_cache_dir
    from rolecall.core.cache.keys import mfa_cache_dir as mfa_cache_dir
    from rolecall.core.cache.keys import rolecall_cache_dir as rolecall_cache_dir
    from rolecall.core.cache.keys import sha1_hex as sha1_hex
    from rolecall.core.cache.keys import sso_cache_dir as sso_cache_dir
    from rolecall.core.cache.keys import sso_role_cache_key as sso_role_cache_key
    from rolecall.core.cache.keys import sso_start_url as sso_start_url
    from rolecall.core.cache.keys import sso_token_path as sso_token_path
    from rolecall.core.cache.mfa_sessions import MFA_EXPIRY_WINDOW as MFA_EXPIRY_WINDOW
    from rolecall.core.cache.mfa_sessions import mfa_root as mfa_root
    from rolecall.core.cache.mfa_sessions import mfa_session_key as mfa_session_key
    from rolecall.core.cache.mfa_sessions import read_mfa_session as read_mfa_session
    from rolecall.core.cache.mfa_sessions import write_mfa_session as write_mfa_session
    from rolecall.core.cache.timestamps import format_expiration as format_expiration
    from rolecall.core.cache.timestamps import humanize as humanize
    from rolecall.core.cache.timestamps import now_utc as now_utc
    from rolecall.core.cache.timestamps import parse_expiration as parse_expiration
    from rolecall.core.cache.trust import MAX_CACHE_FILE as MAX_CACHE_FILE
    from rolecall.core.cache.trust import UntrustedCacheError as UntrustedCacheError
    from rolecall.core.cache.trust import directory_problem as directory_problem
    from rolecall.core.cache.trust import file_problem as file_problem
    from rolecall.core.cache.trust import trusted_dir as trusted_dir
    from rolecall.core.cache.trust import warnings_seen as warnings_seen
    from rolecall.core.cache_permissions import entries_mode_ok as entries_mode_ok
    from rolecall.core.cache_permissions import permission_problems as permission_problems
    from rolecall.core.expiries import Expiry as Expiry
    from rolecall.core.expiries import cache_fingerprint as cache_fingerprint
    from rolecall.core.expiries import expiries as expiries
    from rolecall.core.expiries import sso_token_expiry as sso_token_expiry

#: The names this module held before it became a package, and the module that
#: owns each now: ``cache.read_entry`` still works for code written before the
#: split (loaded on first use, so importing the package costs nothing).  New code
#: imports the owning module.  ``on_warning`` is not here: set it on ``trust``.
_MOVED = {
    **dict.fromkeys(
        (
            "EXPIRY_WINDOW",
            "CacheEntry",
            "credentials_problem",
            "credentials_problem_of",
            "read_entry",
            "read_role_entry",
            "remove_entry",
            "write_entry",
        ),
        "cache.entries",
    ),
    **dict.fromkeys(
        (
            "MFA_EXPIRY_WINDOW",
            "mfa_root",
            "mfa_session_key",
            "read_mfa_session",
            "write_mfa_session",
        ),
        "cache.mfa_sessions",
    ),
    **dict.fromkeys(
        (
            "mfa_session_mismatch",
            "read_bound_json",
            "role_mismatch",
            "sso_role_mismatch",
            "sso_token_mismatch",
        ),
        "cache.binding",
    ),
    **dict.fromkeys(
        ("load_json", "read_private_json", "remove_private_json", "write_private_json"),
        "cache.json_files",
    ),
    **dict.fromkeys(
        (
            "MAX_CACHE_FILE",
            "UntrustedCacheError",
            "directory_problem",
            "file_problem",
            "trusted_dir",
            "warnings_seen",
        ),
        "cache.trust",
    ),
    **dict.fromkeys(
        (
            "cache_key",
            "cache_key_for",
            "cli_cache_dir",
            "mfa_cache_dir",
            "rolecall_cache_dir",
            "sha1_hex",
            "sso_cache_dir",
            "sso_role_cache_key",
            "sso_start_url",
            "sso_token_path",
        ),
        "cache.keys",
    ),
    **dict.fromkeys(
        ("format_expiration", "humanize", "now_utc", "parse_expiration"), "cache.timestamps"
    ),
    **dict.fromkeys(("Expiry", "expiries", "sso_token_expiry", "cache_fingerprint"), "expiries"),
    **dict.fromkeys(("permission_problems", "entries_mode_ok"), "cache_permissions"),
}


def __getattr__(name: str) -> object:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(__import__(f"rolecall.core.{module}", fromlist=[name]), name)
