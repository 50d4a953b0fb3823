"""``tcommlint.records.NamedTuple`` behaves as ``typing.NamedTuple`` does, side by side."""

import copy
import pickle
import re
import typing
from pathlib import Path
from typing import Generic, TypeVar

import pytest

from tcommlint import records

T = TypeVar("T")


class Fast(records.NamedTuple):
    """A server."""

    name: str
    port: int
    weight: int = 1
    tags: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"{self.name}:{self.port}"

    LIMIT = 256


class Standard(typing.NamedTuple):
    """A server."""

    name: str
    port: int
    weight: int = 1
    tags: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"{self.name}:{self.port}"

    LIMIT = 256


class Boxed(records.NamedTuple, Generic[T]):
    value: T
    line: int = 0


class Empty(records.NamedTuple):
    pass


class Single(records.NamedTuple):
    only: int


@pytest.mark.parametrize("kind", [Fast, Standard])
def test_a_record_is_the_standard_named_tuple(kind: typing.Any) -> None:
    record = kind("web", 80, tags=("a",))
    assert tuple(record) == ("web", 80, 1, ("a",))
    assert (record.name, record.port, record.weight, record[3]) == ("web", 80, 1, ("a",))
    assert record.address == "web:80" and kind.LIMIT == 256
    assert record == ("web", 80, 1, ("a",)) and hash(record) == hash(tuple(record))
    assert isinstance(record, tuple) and type(record) is kind
    assert kind._fields == ("name", "port", "weight", "tags")
    assert kind._field_defaults == {"weight": 1, "tags": ()}
    assert kind.__match_args__ == kind._fields
    assert kind.__doc__ == "A server."
    assert record._asdict() == {"name": "web", "port": 80, "weight": 1, "tags": ("a",)}
    assert record._replace(port=8080) == kind("web", 8080, 1, ("a",))
    assert type(record._replace(port=1)) is kind
    assert kind._make(["x", 1, 2, ()]) == kind("x", 1, 2)


def test_the_two_print_and_refuse_alike() -> None:
    fast, standard = Fast("web", 80), Standard("web", 80)
    assert repr(fast) == "Fast(name='web', port=80, weight=1, tags=())"
    assert repr(standard) == "Standard(name='web', port=80, weight=1, tags=())"
    for kind in (Fast, Standard):
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'port'"):
            kind("web")
        with pytest.raises(TypeError, match="takes from 3 to 5 positional arguments"):
            kind("web", 80, 1, (), "extra")
        with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
            kind("web", 80, colour="red")
        with pytest.raises(ValueError, match="unexpected field names: \\['colour'\\]"):
            kind("web", 80)._replace(colour="red")
        with pytest.raises(TypeError, match="Expected 4 arguments, got 2"):
            kind._make(["web", 80])
        with pytest.raises(AttributeError):
            kind("web", 80).name = "other"  # type: ignore[misc]


def test_a_record_survives_pickling_and_copies() -> None:
    record = Fast("web", 80, 2, ("a", "b"))
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(record, protocol)) == record
    assert type(pickle.loads(pickle.dumps(record))) is Fast
    assert copy.copy(record) == record and copy.deepcopy(record) == record


def test_a_generic_record_is_subscriptable() -> None:
    boxed: Boxed[str] = Boxed("x", 3)
    assert boxed == ("x", 3) and Boxed[str].__origin__ is Boxed  # type: ignore[attr-defined]
    assert Boxed("y")._replace(line=9) == Boxed("y", 9)


def test_records_of_no_field_and_one_field() -> None:
    assert Empty() == () and repr(Empty()) == "Empty()" and Empty.__doc__ == "Empty()"
    assert Single(1) == (1,) and Single(only=2).only == 2 and repr(Single(3)) == "Single(only=3)"


def test_a_subclass_of_a_record_is_an_ordinary_subclass() -> None:
    class Named(Fast):
        def label(self) -> str:
            return self.name.upper()

    assert Named("web", 80).label() == "WEB" and Named("web", 80) == Fast("web", 80)


def test_a_malformed_record_is_refused_as_the_standard_one_is() -> None:
    with pytest.raises(ValueError, match="underscore"):

        class Hidden(records.NamedTuple):
            _secret: int

    with pytest.raises(TypeError, match="port without a default follows name"):

        class Misordered(records.NamedTuple):
            name: str = "web"
            port: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="only inherit from NamedTuple and Generic"):

        class Mixed(records.NamedTuple, dict):  # type: ignore[misc]
            name: str


def test_every_record_of_the_package_is_defined_the_cheap_way() -> None:
    package = Path(records.__file__).parent
    slow = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.name != "records.py"
        and re.search(r"^from typing import [^\n]*\bNamedTuple\b", path.read_text(), re.M)
    ]
    assert slow == []
