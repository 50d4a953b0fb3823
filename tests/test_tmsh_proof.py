"""The proofs behind the fast tmsh reader, against the exact readers on random text."""

from __future__ import annotations

import random
import re

import pytest

from tcommlint.loaders.f5 import tmsh, tmsh_proof
from tcommlint.loaders.f5.tmsh import TmshSyntaxError, _read_block, tcl_block_end
from tcommlint.loaders.f5.tmsh_proof import (
    TCL_QUOTE_AFTER,
    TMSH_QUOTE_AFTER,
    all_balanced,
    plain_depth,
)

# The characters that decide where a block ends, and a few that do not (one not ASCII: the
# proofs read UTF-8 bytes).
ALPHABET = '{}{}""#\\\n\n  ab;[é'
CASES = 20_000


def _random_bodies(seed: int) -> list[str]:
    chance = random.Random(seed)
    return [
        "\n" + "".join(chance.choice(ALPHABET) for _ in range(chance.randint(0, 24))) + "\n"
        for _ in range(CASES)
    ]


def _tmsh_end(body: str) -> int | None:
    """Where the careful tmsh reader ends the block ``{`` + body + ``}``; None on an error."""
    try:
        return _read_block("{" + body + "}", 0, 1, 1, "test")[1]
    except TmshSyntaxError:
        return None


@pytest.mark.parametrize("seed", range(3))
def test_a_proved_tmsh_body_ends_where_the_careful_reader_ends_it(seed: int) -> None:
    proved = 0
    for body in _random_bodies(seed):
        if plain_depth(body, TMSH_QUOTE_AFTER) == 0:
            proved += 1
            assert _tmsh_end(body) == len(body) + 1, repr(body)
    assert proved > CASES // 20  # the property was put to the test


@pytest.mark.parametrize("seed", range(3))
def test_a_proved_tcl_body_ends_where_the_tcl_counter_ends_it(seed: int) -> None:
    proved = 0
    for body in _random_bodies(seed + 100):
        if plain_depth(body, TCL_QUOTE_AFTER) == 0:
            proved += 1
            assert tcl_block_end(body + "}", 0) == len(body), repr(body)
    assert proved > CASES // 20


@pytest.mark.parametrize("quote_after", [TMSH_QUOTE_AFTER, TCL_QUOTE_AFTER], ids=["tmsh", "tcl"])
def test_a_joint_proof_is_the_proof_of_each_body(quote_after: frozenset[str]) -> None:
    bodies = _random_bodies(7)
    for start in range(0, 2_000, 5):
        group = bodies[start : start + 5]
        each = all(plain_depth(body, quote_after) == 0 for body in group)
        assert all_balanced(group, quote_after) is each
        without_last_newline = [body[:-1] for body in group]
        assert all_balanced(without_last_newline, quote_after, ending="\n") is each


def _blanked_by_regex(text: bytes) -> bytes | None:
    """What _blank_escapes must return: None when an escaped newline ends the text or a
    body in it (before a separator), else every escape blanked."""
    for escape in re.finditer(rb"\\.", text, flags=re.S):
        if escape.group() == b"\\\n" and text[escape.end() : escape.end() + 1] in (b"", b"\x02"):
            return None
    return re.sub(rb"\\.", b"aa", text, flags=re.S)


def test_escapes_are_blanked_like_the_regex_does() -> None:
    chance = random.Random(3)
    ended_by_escaped_newline = 0
    for _ in range(CASES):
        text = "".join(chance.choice('a\\\\\n"{\x02é') for _ in range(chance.randint(0, 30)))
        data = text.encode()
        expected = _blanked_by_regex(data)
        ended_by_escaped_newline += expected is None
        assert tmsh_proof._blank_escapes(data) == expected
    assert ended_by_escaped_newline > 10  # both outcomes were exercised
    many = b"\\x" * 600  # past the loop's budget: the rest goes to the regex
    assert tmsh_proof._blank_escapes(many) == b"aa" * 600
    assert tmsh_proof._blank_escapes(many + b"\\\n\x02") is None
    assert tmsh_proof._blank_escapes(many + b"\\\n") is None
    assert tmsh_proof._blank_escapes(b"\\\\\n\x02") == b"aa\n\x02"  # the backslash is escaped


def test_comment_lines_are_marked_like_the_regex_does() -> None:
    chance = random.Random(4)
    for _ in range(CASES):
        text = "".join(chance.choice("ab #\n\t") for _ in range(chance.randint(0, 30)))
        expected = re.sub(r"\n[ \t]*#[^\n]*", "\n\x01", text).encode()
        assert tmsh_proof._mark_comment_lines(text.encode()) == expected


HEADERS = ("ltm pool /C/p", "ltm rule /C/r", "sys folder /C/f", "ltm virtual /C/v")
GAPS = ("\n", "\n\n", "\n# note {\n", "  \n", "\nltm node /C/n { address 10.0.0.1 }\n")
LINE = '{}""#\\  abc;['
PLAIN = ("    a 1", '    b "x y"', "    c {", "    }", "    d { e }", "# c", "    log x")


def _random_file(chance: random.Random) -> str:
    """A few objects as tmsh saves them, with random lines in their bodies."""
    parts = []
    for number in range(chance.randint(1, 4)):
        lines = [
            chance.choice(("", "    ", "\t")) + "".join(chance.choice(LINE) for _ in range(9))
            if chance.random() < 0.3
            else chance.choice(PLAIN)
            for _ in range(chance.randint(0, 4))
        ]
        body = "".join(f"{line}\n" for line in lines)
        parts.append(f"{chance.choice(HEADERS)}{number} {{\n{body}}}{chance.choice(GAPS)}")
    return "".join(parts)


def test_random_files_read_alike_in_bulk_one_by_one_and_carefully(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_tmsh import _careful_dump, _dump, _one_by_one_dump

    chance = random.Random(11)
    in_bulk = 0
    for _ in range(2_000):
        text = _random_file(chance)
        careful = _careful_dump(text, monkeypatch)
        assert _dump(text) == careful, repr(text)
        assert _one_by_one_dump(text, monkeypatch) == careful, repr(text)
        in_bulk += tmsh._split_in_bulk(tmsh._Source("bigip.conf", text)) is not None
    assert in_bulk > 300  # the bulk path was put to the test
