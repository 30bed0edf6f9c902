"""The one exception of a console sign-in, and its codes.

A failure of the STS calls before it is an :class:`~rolecall.core.sts.AssumeError`;
everything after (the destination, the partition, the federation endpoint) is a
:class:`ConsoleError`.  Its ``str()`` is one line, and it never holds a secret:
the sign-in URL and the Session JSON are credentials, so no message quotes them.
"""

from __future__ import annotations

__all__ = [
    "BAD_DESTINATION",
    "BAD_DURATION",
    "BAD_ENDPOINT",
    "BAD_REGION",
    "ENDPOINT_REFUSED",
    "ENDPOINT_UNREACHABLE",
    "MALFORMED_ANSWER",
    "NO_BROWSER",
    "UNKNOWN_PARTITION",
    "ConsoleError",
]

#: ``--destination`` is neither an https URL nor a service name.
BAD_DESTINATION = "BadDestination"
#: ``--duration`` outside what the console session allows.
BAD_DURATION = "BadDuration"
#: ``--region`` is not in the role's partition.
BAD_REGION = "BadRegion"
#: ``$ROLECALL_FEDERATION_URL`` is not a URL rolecall may send credentials to.
BAD_ENDPOINT = "BadEndpoint"
#: A partition with no public sign-in endpoint (and no override).
UNKNOWN_PARTITION = "UnknownPartition"
#: The federation endpoint answered with an HTTP error.
ENDPOINT_REFUSED = "EndpointRefused"
#: The federation endpoint could not be reached (or timed out).
ENDPOINT_UNREACHABLE = "EndpointUnreachable"
#: The federation endpoint answered without a SigninToken.
MALFORMED_ANSWER = "MalformedAnswer"
#: No browser could be opened.
NO_BROWSER = "NoBrowser"


class ConsoleError(Exception):
    """A console failure a person can act on: ``str(e)`` is one line, message and hint.

    >>> str(ConsoleError("no browser", "pass --print", NO_BROWSER))
    'no browser; pass --print'
    """

    def __init__(self, message: str, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())

    def __repr__(self) -> str:
        return f"ConsoleError({self.message!r}, hint={self.hint!r}, code={self.code!r})"
