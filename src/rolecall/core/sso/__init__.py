"""IAM Identity Center (SSO), end to end: log in, refresh, log out, discover, populate.

One job a module; nothing here is imported by ``rolecall list`` or by a cache
hit, and boto3 is imported only inside the functions that make a call
(:mod:`.clients`)::

    errors      SsoError and its codes: one line and a hint, never a traceback
    session     which ``[sso-session]`` (or legacy ``sso_start_url``) a command means
    token       the token cache, in the AWS CLI v2's exact format (shared both ways)
    clients     boto3's ``sso-oidc`` and ``sso`` clients: unsigned, short timeouts
    login       the OIDC device authorization flow and the silent refresh
    logout      the portal's ``Logout``, then the token and cached role credentials
    discovery   every account and role the token grants, cached for an hour
    credentials any discovered role's credentials (GetRoleCredentials), cached as botocore does
    populate    one profile per discovered role, written losslessly (``core.edit``)

This package's ``__init__`` imports nothing, so that importing one module
costs only that module.
"""
