"""The one exception of a console sign-in, and its codes.

A failure of the STS calls before it is an :class:`~rolecall.core.sts.AssumeError`;
everything after (the destination, the partition, the federation endpoint) is a
:class:`ConsoleError`, a subclass of it.  Its ``str()`` is one line, and it never holds a secret:
the sign-in URL and the Session JSON are credentials, so no message quotes them.
"""

from __future__ import annotations

from rolecall.core.sts.errors import AssumeError

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


class ConsoleError(AssumeError):
    """A console failure a person can act on: ``str(e)`` is one line, message and hint.

    It has the shape of :class:`~rolecall.core.sts.AssumeError` (a message, a hint,
    a code), and is one: whatever reports an assume's failure reports this too.

    >>> str(ConsoleError("no browser", "pass --print", NO_BROWSER))
    'no browser; pass --print'
    """
