"""``LazyPattern``: ``re.compile`` deferred to the first search, with the same answers."""

from __future__ import annotations

import re

import pytest

from tcommlint.patterns import LazyPattern


def test_nothing_is_compiled_before_the_first_search() -> None:
    pattern = LazyPattern(r"(unbalanced")  # re.compile would raise here
    with pytest.raises(re.error):
        pattern.search("text")


def test_every_method_answers_as_the_compiled_pattern() -> None:
    text = "key1=a, key2=bb; key3=ccc"
    lazy = LazyPattern(r"key(\d)=(\w+)", re.IGNORECASE)
    eager = re.compile(r"key(\d)=(\w+)", re.IGNORECASE)

    def spans(match: re.Match[str] | None) -> object:
        return None if match is None else (match.span(), match.groups())

    assert spans(lazy.search(text, 3)) == spans(eager.search(text, 3))
    assert spans(lazy.match(text)) == spans(eager.match(text))
    assert spans(lazy.fullmatch("KEY9=z")) == spans(eager.fullmatch("KEY9=z"))
    assert [spans(m) for m in lazy.finditer(text)] == [spans(m) for m in eager.finditer(text)]
    assert lazy.findall(text) == eager.findall(text)
    assert lazy.sub(r"\1", text, 2) == eager.sub(r"\1", text, 2)
    assert lazy.sub(lambda m: m.group(2).upper(), text) == eager.sub(
        lambda m: m.group(2).upper(), text
    )
    assert lazy.split(text, 1) == eager.split(text, 1)
    assert lazy.compiled() is lazy.compiled()


def test_bytes_patterns() -> None:
    lazy = LazyPattern(rb"encoding=\"([\w-]+)\"")
    match = lazy.search(b'<?xml version="1.0" encoding="utf-8"?>')
    assert match is not None and match.group(1) == b"utf-8"
