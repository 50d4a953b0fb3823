"""The tmsh reader: objects, nested blocks, quoted strings, raw Tcl bodies, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.f5.sniff import looks_like_tmsh
from tcommlint.loaders.f5.tmsh import read_tmsh, tcl_block_end

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "f5-tmsh"
PREFIX = "f5devcentral__f5-corkscrew__tests__"

# Files of the corpus that are not tmsh at all: each yields exactly one ParseError.
NOT_TMSH = {
    # "This represents a .conf file that does not have the right content" (a prose line)
    PREFIX + "artifacts__badBigip.conf": 3,
    # "this is a test file for the unPacker function"
    PREFIX + "artifacts__unPacker_test.conf": 1,
    # a partition file of a deliberately broken archive: one line of prose
    PREFIX + "archive_generator__badArchive1__config__partitions__bd2__bigip.conf": 1,
}


def _corpus() -> list[Path]:
    return sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_corpus_reads_without_exception(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    objects, errors = read_tmsh(path.name, text)
    if path.name in NOT_TMSH:
        assert not looks_like_tmsh(text)
        assert [e.span.line for e in errors] == [NOT_TMSH[path.name]]
        assert "without a '{ … }' body" in errors[0].reason
    else:
        assert errors == []
        if looks_like_tmsh(text):
            assert objects


def test_corpus_present() -> None:
    if not _corpus():
        pytest.skip("../shared/corpus not present: no f5-tmsh files")
    assert len(_corpus()) > 300


POOL = """#TMSH-VERSION: 15.1.0

ltm pool /Common/pool_api {
    description "API pool \\"primary\\" {not a brace}"
    members {
        /Common/10.0.0.11:8080 { address 10.0.0.11 priority-group 10 }
        /Common/10.0.0.12:8080 {
            address 10.0.0.12
            priority-group 5
        }
    }
    min-active-members 1
    # a comment { with a brace
    rules { /Common/r1 /Common/r2 }
}
"""


def test_objects_blocks_and_positions() -> None:
    objects, errors = read_tmsh("bigip.conf", POOL)
    assert errors == []
    (pool,) = objects
    assert (pool.kind, pool.name) == ("ltm pool", "/Common/pool_api")
    assert (pool.span.line, pool.span.column) == (3, 1)
    description = pool.body.value("description")
    assert description is not None
    assert description.text == 'API pool "primary" {not a brace}'
    assert description.quoted
    members = pool.body.get("members")
    assert members is not None and members.block is not None
    first, second = members.block.items
    assert first.key == "/Common/10.0.0.11:8080"
    assert first.block is not None
    assert first.block.value("priority-group") is not None
    assert first.block.value("address").text == "10.0.0.11"  # type: ignore[union-attr]
    assert second.block is not None
    group = second.block.value("priority-group")
    assert group is not None
    assert (group.text, group.line, group.column) == ("5", 9, 28)
    assert pool.body.value("min-active-members").text == "1"  # type: ignore[union-attr]
    rules = pool.body.get("rules")
    assert rules is not None and rules.block is not None
    assert [w.text for w in rules.block.words()] == ["/Common/r1", "/Common/r2"]


RULE = """ltm rule /Common/r_jsessionid {
when HTTP_REQUEST {
    # a brace in a comment } does not close anything
    if { [HTTP::cookie exists "JSESSIONID"] } {
        log local0. "saw { in a string"
        set x \\{
        persist uie [HTTP::cookie "JSESSIONID"]
    }
}
}
ltm pool /Common/after { }
"""


def test_rule_body_is_raw_tcl() -> None:
    objects, errors = read_tmsh("bigip.conf", RULE)
    assert errors == []
    rule, pool = objects
    assert rule.raw is not None
    assert rule.raw.text.startswith("\nwhen HTTP_REQUEST {")
    assert 'persist uie [HTTP::cookie "JSESSIONID"]' in rule.raw.text
    assert (rule.raw.line, rule.raw.column) == (1, 32)  # just after the "{"
    assert pool.name == "/Common/after"


def test_script_keys_inside_objects_are_raw() -> None:
    text = (
        "sys application template /Common/t {\n"
        "    actions {\n"
        "        definition {\n"
        "            implementation {\n"
        '                regsub -all {"} $x {\\"} x\n'
        "            }\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
    objects, errors = read_tmsh("bigip_script.conf", text)
    assert errors == []
    actions = objects[0].body.get("actions")
    assert actions is not None and actions.block is not None
    definition = actions.block.get("definition")
    assert definition is not None and definition.raw is not None
    assert "regsub" in definition.raw.text


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("ltm pool /Common/p {\n    members {\n", 2, 13, "never closed"),
        ("ltm pool /Common/p {\n    members {\n    }\n", 1, 20, "never closed"),
        ("ltm pool /Common/p {\n}\n}\n", 3, 1, "without a matching"),
        ('ltm pool /Common/p {\n    description "open\n}\n', 2, 17, "unterminated"),
        ("ltm rule /Common/r {\nwhen HTTP_REQUEST {\n}\n", 1, 20, "never closed"),
        ('ltm rule /Common/r {\nwhen X { log "}" }\n', 1, 20, "never closed"),
        ("{ }\n", 1, 1, "without an object header"),
    ],
    ids=[
        "unclosed-nested",
        "unclosed-object",
        "extra-close",
        "unterminated-string",
        "unclosed-irule",
        "brace-in-tcl-string",
        "brace-without-header",
    ],
)
def test_parse_errors_point_at_the_cause(text: str, line: int, column: int, reason: str) -> None:
    _, errors = read_tmsh("bigip.conf", text)
    assert len(errors) == 1
    assert (errors[0].span.line, errors[0].span.column) == (line, column)
    assert reason in errors[0].reason


def test_deep_nesting_is_refused_not_a_crash() -> None:
    text = "ltm pool /Common/p " + "{ a " * 5000 + "}" * 5000
    _, errors = read_tmsh("bigip.conf", text)
    assert errors and "nested deeper" in errors[0].reason


@pytest.mark.parametrize(
    ("body", "closes_at"),
    [
        ("a }", 2),
        ('log "}" }', 8),
        ("set x \\} }", 9),
        ("# comment }\n}", 12),
        ('regsub {"} $e {\\"} e }', 21),
        ("if {1} { set a [expr {1}] } }", 28),
        ('x"}" }', 2),
    ],
    ids=[
        "plain",
        "quoted",
        "escaped",
        "comment",
        "quote-after-brace-is-literal",
        "nested",
        "quote-inside-word-is-literal",
    ],
)
def test_tcl_block_end(body: str, closes_at: int) -> None:
    assert tcl_block_end(body, 0) == closes_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#TMSH-VERSION: 13.1.1\n", True),
        ("ltm virtual /Common/vs {\n}\n", True),
        ("sys global-settings {\n}\n", True),
        ("global\n    daemon\n", False),
        ("ltm is a word\n", False),
        ('{"class": "ADC"}', False),
    ],
    ids=["version", "ltm", "sys", "haproxy", "prose", "json"],
)
def test_looks_like_tmsh(text: str, expected: bool) -> None:
    assert looks_like_tmsh(text) is expected


# --- texts that once tripped a faster reader: where each object ends, and any error ---


TRICKY = {
    "indented-closers": "ltm pool /C/a {\n    members { m { } }\n  }\nltm pool /C/b {\n  }\n",
    "closes-before-column-0": "ltm pool /C/a {\n    x }\n y {\n}\n",
    "brace-line-in-string": 'ltm pool /C/a {\n    description "x\n}\n"\n}\nltm pool /C/b { }\n',
    "comment-with-brace": "ltm pool /C/a {\n    # a } in a comment\n    x 1\n}\n",
    "comment-with-quote": 'ltm pool /C/a {\n    # say "hi\n    x 1\n}\nltm node /C/n { }\n',
    "hash-mid-line": "ltm pool /C/a {\n    x #{\n}\n}\n",
    "escaped-brace": "ltm pool /C/a {\n    x \\{\n}\n}\n",
    "escaped-quote": 'ltm pool /C/a {\n    d "a \\" {"\n}\n',
    "quote-after-brace": 'ltm pool /C/a {\n    v {"a b"}\n}\n',
    "adjacent-strings": 'ltm pool /C/a {\n    v "a""b"\n}\n',
    "quote-in-word": 'ltm pool /C/a {\n    v a"b\n    w "c"\n}\n',
    "unicode-space": "ltm pool /C/a {\n    v\u00a0b {\n    }\n}\n",
    "one-line-bodies": "ltm node /C/a { address 10.0.0.1 }\nltm node /C/b {}\n",
    "deep-but-allowed": "ltm pool /C/a {\n" + "{\n" * 150 + "}\n" * 150 + "}\n",
    "script-key-with-tcl-quote": (
        "sys application template /C/t {\n    actions {\n        definition {\n"
        '            implementation {\n                regsub -all {"} $x {\\"} x\n'
        "            }\n        }\n    }\n}\nltm pool /C/p { }\n"
    ),
    "irule-blocks-at-column-0": RULE,
    "irule-comment-with-quote-and-brace": (
        'ltm rule /C/r {\n# see "docs" {\nwhen HTTP_REQUEST {\n    log "x"\n}\n}\n'
        "ltm pool /C/p { }\n"
    ),
    "irule-continued-comment": (
        "ltm rule /C/r {\n    # comment \\\n    }\n    set a 1\n}\n}\nltm pool /C/p { }\n"
    ),
    "irule-escapes": 'ltm rule /C/r {\n    set a \\{\n    set b "\\"}"\n    set c \\\n    x\n}\n',
    "irule-unclosed": 'ltm rule /C/r {\nwhen X { log "}" }\n}\n',
    "crlf": "ltm pool /C/a {\r\n    members {\r\n        m { }\r\n    }\r\n}\r\n",
    "irule-line-like-a-header": (
        "ltm rule /C/r {\nwhen X {\n}\nltm pool /C/fake {\n}\n    if {1} {\n}\nltm pool /C/p {\n}\n"
    ),
    "quote-after-brace-among-many": "".join(
        f'ltm pool /C/p{n} {{\n    v {{"a"}}\n}}\n' if n == 11 else f"ltm pool /C/p{n} {{\n}}\n"
        for n in range(20)
    ),
    "separator-in-body": "ltm pool /C/a {\n    v \x02\n}\nltm pool /C/b {\n}\n",
    "header-with-two-blanks": "ltm  pool /C/a {\n}\nltm pool /C/b {\n}\n",
    "header-with-a-tab": "ltm pool\t/C/a {\n}\n",
    "one-line-body-with-a-string": 'ltm pool /C/a { description "x" }\nltm pool /C/b {\n}\n',
    "text-after-a-closer": "ltm pool /C/a {\n} x\nltm pool /C/b {\n}\n",
    "unclosed-last-object": "ltm pool /C/a {\n}\nltm pool /C/b {\n    x {\n",
    "transition-inside-an-irule-string": (
        'ltm rule /C/r {\nwhen X {\n    set a "\n}\nltm pool /C/fake {\n"\n}\n}\n'
        "ltm pool /C/p {\n}\n"
    ),
    "comment-lines-between-objects": (
        "ltm pool /C/a {\n}\n\n# a note\n  # indented\nltm pool /C/b {\n}\nltm pool /C/c {\n}\n"
    ),
    "blanks-after-a-closer": "ltm pool /C/a {\n}  \nltm pool /C/b {\n}\nltm pool /C/c {\n}\n",
    "empty-bodies-in-a-row": "ltm pool /C/a {\n}\nltm pool /C/b {\n}\nltm pool /C/c {\n}\n",
    "one-line-objects-between": (
        "ltm pool /C/a {\n}\nltm node /C/n { address 10.0.0.1 }\nltm node /C/m {}\n"
        "ltm pool /C/b {\n    x 1\n}\nltm pool /C/c {\n}\n"
    ),
    "unknown-module-between": "ltm pool /C/a {\n}\nfoo bar /C/x {\n}\nltm pool /C/b {\n}\n",
    "closer-line-with-more": "ltm pool /C/a {\n} x\nltm pool /C/b {\n}\nltm pool /C/c {\n}\n",
    # Found by fuzzing: each took seconds when the proofs were quadratic in such runs.
    "run-of-hashes-on-a-line": "ltm pool /C/a {\n    mirror x" + "#" * 20_000 + "\n}\n",
    "run-of-hashes-and-a-multi-line-string": (
        'ltm pool /C/a {\n    description "a\nb"\n    mirror x' + "#" * 20_000 + "\n}\n"
    ),
    "irule-comment-of-many-hashes": "ltm rule /C/r {\n# " + "# " * 20_000 + "\n}\n",
    "many-strings-right-after-braces": "ltm pool /C/a {\n    d" + ' {"a"}' * 5_000 + "\n}\n",
}


# The object names read from each TRICKY text and the (line, column) of any error, as the
# careful token-by-token reader gave them before it became the only reader.
TRICKY_READS: dict[str, tuple[list[str], list[tuple[int, int]]]] = {
    "indented-closers": (["/C/a", "/C/b"], []),
    "closes-before-column-0": (["/C/a", "y"], []),
    "brace-line-in-string": (["/C/a", "/C/b"], []),
    "comment-with-brace": (["/C/a"], []),
    "comment-with-quote": (["/C/a", "/C/n"], []),
    "hash-mid-line": (["/C/a"], []),
    "escaped-brace": (["/C/a"], []),
    "escaped-quote": (["/C/a"], []),
    "quote-after-brace": (["/C/a"], []),
    "adjacent-strings": (["/C/a"], []),
    "quote-in-word": (["/C/a"], []),
    "unicode-space": (["/C/a"], []),
    "one-line-bodies": (["/C/a", "/C/b"], []),
    "deep-but-allowed": (["/C/a"], []),
    "script-key-with-tcl-quote": (["/C/t", "/C/p"], []),
    "irule-blocks-at-column-0": (["/Common/r_jsessionid", "/Common/after"], []),
    "irule-comment-with-quote-and-brace": (["/C/r", "/C/p"], []),
    "irule-continued-comment": (["/C/r"], [(6, 1)]),
    "irule-escapes": (["/C/r"], []),
    "irule-unclosed": (["/C/r"], []),
    "crlf": (["/C/a"], []),
    "irule-line-like-a-header": ([], [(1, 15)]),
    "quote-after-brace-among-many": (
        [
            "/C/p0",
            "/C/p1",
            "/C/p2",
            "/C/p3",
            "/C/p4",
            "/C/p5",
            "/C/p6",
            "/C/p7",
            "/C/p8",
            "/C/p9",
            "/C/p10",
            "/C/p11",
            "/C/p12",
            "/C/p13",
            "/C/p14",
            "/C/p15",
            "/C/p16",
            "/C/p17",
            "/C/p18",
            "/C/p19",
        ],
        [],
    ),
    "separator-in-body": (["/C/a", "/C/b"], []),
    "header-with-two-blanks": (["/C/a", "/C/b"], []),
    "header-with-a-tab": (["/C/a"], []),
    "one-line-body-with-a-string": (["/C/a", "/C/b"], []),
    "text-after-a-closer": (["/C/a"], [(2, 3)]),
    "unclosed-last-object": (["/C/a"], [(4, 7)]),
    "transition-inside-an-irule-string": (["/C/r", "/C/p"], []),
    "comment-lines-between-objects": (["/C/a", "/C/b", "/C/c"], []),
    "blanks-after-a-closer": (["/C/a", "/C/b", "/C/c"], []),
    "empty-bodies-in-a-row": (["/C/a", "/C/b", "/C/c"], []),
    "one-line-objects-between": (["/C/a", "/C/n", "/C/m", "/C/b", "/C/c"], []),
    "unknown-module-between": (["/C/a", "/C/x", "/C/b"], []),
    "closer-line-with-more": (["/C/a"], [(2, 3)]),
    "run-of-hashes-on-a-line": (["/C/a"], []),
    "run-of-hashes-and-a-multi-line-string": (["/C/a"], []),
    "irule-comment-of-many-hashes": (["/C/r"], []),
    "many-strings-right-after-braces": (["/C/a"], []),
}


@pytest.mark.parametrize("key", TRICKY.keys())
def test_tricky_texts_read_as_before(key: str) -> None:
    objects, errors = read_tmsh("bigip.conf", TRICKY[key])
    names = [obj.name for obj in objects]
    assert (names, [(e.span.line, e.span.column) for e in errors]) == TRICKY_READS[key]


def test_positions_are_counted_from_anywhere() -> None:
    text = "".join(f"ltm node /C/n{i} {{\n    address 10.0.0.{i}\n}}\n" for i in range(50))
    objects, _ = read_tmsh("bigip.conf", text)
    for index in (40, 3, 49, 0, 25):  # out of order: from the nearest known offset
        obj = objects[index]
        assert (obj.span.line, obj.span.column) == (3 * index + 1, 1)
        address = obj.body.value("address")
        assert address is not None
        assert (address.line, address.column) == (3 * index + 2, 13)
