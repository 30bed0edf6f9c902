"""The app's flows: what happens between a key (or a timer) and the screen.

Each module is one job, as a plain class given the app as a Protocol of
:mod:`~rolecall.tui.flows.host` (what it may ask of the app) and the other flows
it calls:

* :mod:`~rolecall.tui.flows.loading`: the files and the cache read, reloaded and polled;
* :mod:`~rolecall.tui.flows.discovery`: the roles the SSO sessions grant, as rows;
* :mod:`~rolecall.tui.flows.assume`: a request through the guard, the MFA code or the SSO
  login, to the worker and its result; the queue, and keep-fresh;
* :mod:`~rolecall.tui.flows.shell`: the subshell, with the keys typed for it;
* :mod:`~rolecall.tui.flows.row_actions`: edit, copy, log out, pin, the Switch role form.

The app (``tui/app.py``) wires them: it builds them, hands them its messages and
worker events, and owns the timers.  Nothing here imports the app (an
import-linter contract in pyproject.toml checks it), and no screen or widget
imports a flow.
"""
