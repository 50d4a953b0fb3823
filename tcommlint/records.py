"""``typing.NamedTuple`` as mypy reads it, defined in a quarter of the time.

A check defines some ninety record classes before it reads a file, and ``typing.NamedTuple``
spends 60 to 130 µs on each: it type-checks every annotation, and ``collections.namedtuple``
compiles a constructor from source for every class. Pre-commit pays that on every commit.

Here a constructor is compiled once per number of fields and each class gets a copy that
names its own parameters (a code object's parameter names are data), and annotations are
left to mypy, which reads these classes as ``typing.NamedTuple``. A record is a plain tuple
subclass with the standard named tuple's behaviour: fields by name and by index, defaults,
keyword arguments, ``_replace``, ``_make``, ``_asdict``, ``_fields``, ``_field_defaults``,
``__match_args__``, the same ``repr``, equality, hashing and pickling.

    from tcommlint.records import NamedTuple

    class Server(NamedTuple):
        name: str
        weight: int = 1
"""

from __future__ import annotations

from collections.abc import Iterable
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Generic

try:  # the C accessor ``collections.namedtuple`` gives its fields
    from collections import _tuplegetter  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - interpreters without the C accelerator
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str | None) -> Any:
        return property(itemgetter(index), doc=doc)


_tuple_new = tuple.__new__
_CONSTRUCTORS: dict[int, CodeType] = {}


def _constructor_code(arity: int) -> CodeType:
    """``lambda _cls, _0, ..., _n: tuple.__new__(_cls, (_0, ..., _n))``, compiled once per
    arity; only this fixed template is ever compiled, never a name from a class."""
    code = _CONSTRUCTORS.get(arity)
    if code is None:
        parameters = [f"_{index}" for index in range(arity)]
        items = "".join(f"{parameter}, " for parameter in parameters)
        source = f"lambda {', '.join(['_cls', *parameters])}: _tuple_new(_cls, ({items}))"
        code = _CONSTRUCTORS[arity] = eval(source, {"_tuple_new": _tuple_new}).__code__
    return code


def _constructor(qualname: str, fields: tuple[str, ...], defaults: tuple[Any, ...]) -> Any:
    """The class's ``__new__``: the template of its arity, its parameters named after the
    fields, so that keyword arguments and error messages read as the standard one's."""
    code = _constructor_code(len(fields)).replace(
        co_varnames=("_cls", *fields), co_name="__new__", co_qualname=f"{qualname}.__new__"
    )
    return FunctionType(code, {"_tuple_new": _tuple_new}, "__new__", defaults or None)


class _Record(tuple[Any, ...]):
    """What every record shares: the standard named tuple's methods."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Any:
        record = _tuple_new(cls, iterable)
        if len(record) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(record)}")
        return record

    def _replace(self, /, **changes: Any) -> Any:
        record = self._make(map(changes.pop, self._fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return record

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    def __repr__(self) -> str:
        fields = zip(self._fields, self, strict=True)
        pairs = ", ".join(f"{name}={value!r}" for name, value in fields)
        return f"{type(self).__name__}({pairs})"

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)


def _fields_and_defaults(
    name: str, namespace: dict[str, Any]
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The annotated names in order, and the defaults of the trailing ones by name."""
    fields = tuple(namespace.get("__annotations__", {}))
    with_default = ""
    for field in fields:
        if field.startswith("_"):
            raise ValueError(f"{name}: field names cannot start with an underscore: {field!r}")
        if field in namespace:
            with_default = field
        elif with_default:
            raise TypeError(f"{name}: field {field} without a default follows {with_default}")
    return fields, {field: namespace[field] for field in fields if field in namespace}


class _RecordMeta(type):
    """Builds the record class from the class statement's annotations and body."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _RecordMeta:
        if any(base is not _RecordBase and base is not Generic for base in bases):
            raise TypeError(f"{name}: a record can only inherit from NamedTuple and Generic")
        fields, defaults = _fields_and_defaults(name, namespace)
        body = {key: value for key, value in namespace.items() if key not in fields}
        body.setdefault("__doc__", f"{name}({', '.join(fields)})")
        qualname = body.get("__qualname__", name)
        body.update(
            __slots__=(),
            __new__=_constructor(qualname, fields, tuple(defaults.values())),
            __match_args__=fields,
            _fields=fields,
            _field_defaults=defaults,
        )
        for index, field in enumerate(fields):
            body[field] = _tuplegetter(index, f"Alias for field number {index}")
        record_bases = tuple(_Record if base is _RecordBase else base for base in bases)
        # A plain class (metaclass ``type``), as ``typing.NamedTuple`` makes: a subclass of a
        # record is an ordinary subclass, not a new record.
        return type(name, record_bases, body)  # type: ignore[return-value]


_RecordBase = type.__new__(_RecordMeta, "NamedTuple", (), {})


class _NamedTupleBase:
    """What ``class X(NamedTuple)`` inherits from: the record machinery above."""

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (_RecordBase,)


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    NamedTuple = _NamedTupleBase()
