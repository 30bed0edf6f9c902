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
