"""A verb's handler, named by its module and function and imported only when it runs.

The command table (``parser.py``) names every handler; only the one that runs
is imported, so ``rolecall list`` loads ``listing.py`` and not the modules of
``assume``, ``profile`` or ``doctor`` (and the fast path of ``env`` and
``credential-process`` needs no parser at all).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import argparse

__all__ = ["Verb"]


class Verb:
    """``Verb("listing", "cmd_list")(args)`` runs ``rolecall.cli.listing.cmd_list(args)``.

    >>> Verb("listing", "cmd_list").__name__
    'cmd_list'
    """

    __slots__ = ("module", "__name__")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.__name__ = name

    def __call__(self, args: argparse.Namespace) -> int:
        # (__import__, not importlib: importing importlib costs a cache hit 0.5 ms)
        module = __import__(f"rolecall.cli.{self.module}", fromlist=[self.__name__])
        handler = getattr(module, self.__name__)
        code: int = handler(args)
        return code

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verb):
            return NotImplemented
        return (self.module, self.__name__) == (other.module, other.__name__)

    def __hash__(self) -> int:
        return hash((self.module, self.__name__))

    def __repr__(self) -> str:
        return f"Verb({self.module!r}, {self.__name__!r})"
