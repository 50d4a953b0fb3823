"""The tmsh reader: objects, nested blocks, quoted strings, raw Tcl bodies, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.tmsh import looks_like_tmsh, read_tmsh, tcl_block_end

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
