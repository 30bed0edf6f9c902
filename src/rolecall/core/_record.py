"""A tiny dataclass stand-in for the types a cache hit touches.

``import dataclasses`` pulls in ``inspect`` (with ``ast``, ``dis`` and
``tokenize``): about 10 ms, an eighth of the 80 ms a cache-hit
``rolecall env`` may take.  These records keep the dataclass interface that
matters (keyword ``__init__`` written out in each class, value equality, a
readable ``repr``, :meth:`Record.replace`) without that import.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Self


class Record:
    """Subclasses set ``_fields`` (their ``__init__`` parameters, in order)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    #: fields shown as ``'***'`` (set) or None in ``repr``
    _hidden: frozenset[str] = frozenset()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass

    def __repr__(self) -> str:
        parts = []
        for name in self._fields:
            value = getattr(self, name)
            if name in self._hidden:
                shown = "'***'" if value else repr(value)
            else:
                shown = repr(value)
            parts.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (``dataclasses.replace``)."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return type(self)(**values)


class FrozenRecord(Record):
    """A record that refuses attribute changes after ``__init__`` and is hashable."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())
