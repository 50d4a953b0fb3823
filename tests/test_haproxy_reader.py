"""The HAProxy reader: words, quoting, escapes, comments, conditional blocks, sections."""

from __future__ import annotations

import pytest

from tcommlint.loaders.haproxy.reader import (
    Block,
    LineError,
    read_haproxy,
    split_words,
)


def texts(raw: str) -> list[str]:
    return [word.text for word in split_words(raw, 1)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bind :80", ["bind", ":80"]),
        ("  \tserver  s1\t10.0.0.1:80  ", ["server", "s1", "10.0.0.1:80"]),
        ("cookie SRV insert # the LB cookie", ["cookie", "SRV", "insert"]),
        ("global#comment", ["global"]),
        ('acl a "b#c"', ["acl", "a", "b#c"]),
        (r"acl a b\#c", ["acl", "a", "b#c"]),
        (r"log-format %{+Q}o\ %t", ["log-format", "%{+Q}o %t"]),
        ("log-format \"%{+Q}o %t\"' %s'\\ %{-Q}r", ["log-format", "%{+Q}o %t %s %{-Q}r"]),
        ("acl a 'x\\ y \"z\" #'", ["acl", "a", 'x\\ y "z" #']),
        (r'acl a "say \"hi\""', ["acl", "a", 'say "hi"']),
        (r"acl a path_reg ^/api\.v1", ["acl", "a", "path_reg", r"^/api\.v1"]),
        (r'acl a "\x41\t"', ["acl", "a", "A\t"]),
        ('set-var "${HOME}"', ["set-var", "${HOME}"]),
        ('bind "fd@$FD_APP1"', ["bind", "fd@$FD_APP1"]),
        ("server s1 ${s1_addr}:${s1_port}", ["server", "s1", "${s1_addr}:${s1_port}"]),
        (r'user "\$HOME"', ["user", "$HOME"]),
        ('http-request set-header X ""', ["http-request", "set-header", "X", ""]),
        ("server s1 10.0.0.1:80 \\", ["server", "s1", "10.0.0.1:80", "\\"]),
    ],
    ids=[
        "plain",
        "blanks-and-tabs",
        "trailing-comment",
        "comment-glued-to-keyword",
        "hash-in-double-quotes",
        "escaped-hash",
        "escaped-space",
        "concatenated-quotes",
        "strong-quotes-interpret-nothing",
        "escaped-double-quote",
        "unknown-escape-keeps-backslash",
        "hex-and-tab-escapes",
        "braced-env-kept",
        "bare-env-kept",
        "unquoted-dollar-literal",
        "escaped-dollar",
        "empty-quoted-word",
        "trailing-backslash-is-literal",
    ],
)
def test_split_words(raw: str, expected: list[str]) -> None:
    assert texts(raw) == expected


def test_env_references_are_recorded_only_inside_double_quotes() -> None:
    words = split_words('server s1 "${ADDR}:$PORT" ${VTC}', 4)
    assert words[2].env == ("${ADDR}", "$PORT")
    assert words[3].env == ()


def test_columns_are_one_based_and_point_at_the_word_or_its_quote() -> None:
    words = split_words('  cookie   SRV "insert" x\\ y', 7)
    assert [(w.line, w.column) for w in words] == [(7, 3), (7, 12), (7, 16), (7, 25)]


@pytest.mark.parametrize(
    ("raw", "column", "reason"),
    [
        ('acl a "unterminated', 7, "unterminated double quote"),
        ("acl a 'unterminated", 7, "unterminated single quote"),
        (r"acl a \xZZ", 7, "hexadecimal"),
        ('bind "${FD"', 7, "unmatched brace"),
    ],
    ids=["double-quote", "single-quote", "bad-hex", "unclosed-env-brace"],
)
def test_split_words_errors(raw: str, column: int, reason: str) -> None:
    with pytest.raises(LineError) as caught:
        split_words(raw, 1)
    assert caught.value.column == column
    assert reason in caught.value.reason


def test_sections_and_headers() -> None:
    text = (
        "global\n"
        "    maxconn 100\n"
        "defaults base from other\n"
        "defaults from base\n"
        "userlist admins\n"
        "    user admin insecure-password x\n"
        "backend be_api from base\n"
        "    server s1 10.0.0.1:80\n"
    )
    result = read_haproxy("lb/haproxy.cfg", text)
    kinds = [(s.kind, s.name, s.from_name.text if s.from_name else None) for s in result.sections]
    assert kinds == [
        ("global", None, None),
        ("defaults", "base", "other"),
        ("defaults", None, "base"),
        ("userlist", "admins", None),
        ("backend", "be_api", "base"),
    ]
    assert result.sections[4].statements[0].args == ("s1", "10.0.0.1:80")
    assert result.sections[4].from_name is not None
    assert (result.sections[4].from_name.line, result.sections[4].from_name.column) == (7, 21)


def test_no_backslash_continuation() -> None:
    text = "backend b\n    server s1 10.0.0.1:80 \\\n    cookie s1\n"
    result = read_haproxy("h.cfg", text)
    assert not result.errors
    assert [s.keyword for s in result.sections[0].statements] == ["server", "cookie"]


def test_nested_conditional_blocks_keep_every_branch() -> None:
    text = (
        "backend b\n"  # 1
        ".if defined(A)\n"  # 2
        "    cookie A insert\n"  # 3
        "  .if feature(OPENSSL)\n"  # 4
        "    cookie B insert\n"  # 5
        "  .endif\n"  # 6
        ".elif defined(C)\n"  # 7
        "    cookie C prefix\n"  # 8
        ".else\n"  # 9
        "    cookie D rewrite\n"  # 10
        ".endif\n"  # 11
        "    server s1 10.0.0.1:80\n"  # 12
    )
    result = read_haproxy("h.cfg", text)
    assert not result.errors
    blocks = [(s.args[0], s.blocks) for s in result.sections[0].statements]
    if_a = "`.if defined(A)` at line 2"
    elif_c = "`.elif defined(C)` at line 7"
    assert blocks == [
        ("A", (Block(2, 0, f"{if_a} is true"),)),
        (
            "B",
            (
                Block(2, 0, f"{if_a} is true"),
                Block(4, 0, "`.if feature(OPENSSL)` at line 4 is true"),
            ),
        ),
        ("C", (Block(2, 1, f"{if_a} is false and {elif_c} is true"),)),
        ("D", (Block(2, 2, f"{if_a} is false and {elif_c} is false"),)),
        ("s1", ()),
    ]
    assert result.notes == ()


def _kept(text: str) -> list[tuple[str, tuple[Block, ...]]]:
    result = read_haproxy("h.cfg", "backend b\n" + text)
    assert not result.errors
    return [(s.args[0], s.blocks) for s in result.sections[0].statements]


@pytest.mark.parametrize(
    ("text", "kept", "note"),
    [
        (
            ".if version_atleast(2.0)\n  cookie A insert\n.else\n  cookie B insert\n.endif\n",
            ["A"],
            "`.else` at line 4 is never taken: `.if version_atleast(2.0)` at line 2 is always "
            "true: line 5 ignored",
        ),
        (
            ".if version_before(2.2)\n  cookie A insert\n  cookie B insert\n.endif\n",
            [],
            "`.if version_before(2.2)` at line 2 is never true: lines 3, 4 ignored",
        ),
        (
            ".if 0\n  cookie A insert\n.elif 1\n  cookie B insert\n.endif\n",
            ["B"],
            "`.elif 1` at line 4 is always true: read unconditionally",
        ),
        (
            ".if version_before(2.0)\n.if defined(X)\n  cookie A insert\n.endif\n.endif\n"
            "  cookie B insert\n",
            ["B"],
            "`.if version_before(2.0)` at line 2 is never true: line 4 ignored",
        ),
        (
            ".if version_before(2.0)\nfrontend f\n.endif\n  cookie B insert\n",
            ["B"],
            "line 3 ignored",
        ),
    ],
    ids=["else-after-always", "never-if", "elif-always", "nested-in-never", "header-skipped"],
)
def test_decided_branches_are_dropped_or_read_plainly(
    text: str, kept: list[str], note: str
) -> None:
    result = read_haproxy("h.cfg", "backend b\n" + text)
    assert not result.errors
    statements = result.sections[0].statements
    assert [s.args[0] for s in statements] == kept
    assert all(s.blocks == () for s in statements)
    assert any(note in n for n in result.notes), result.notes


def test_always_true_version_branch_is_noted() -> None:
    result = read_haproxy(
        "h.cfg", "backend b\n.if version_atleast(2.4.0)\n  cookie A insert\n.endif\n"
    )
    assert result.notes == (
        "`.if version_atleast(2.4.0)` at line 2 is always true (conditional blocks need "
        "HAProxy 2.4 or later): read unconditionally",
    )


def test_unknown_branch_after_always_elif_is_never_taken() -> None:
    text = (
        ".if defined(X)\n  cookie A insert\n"  # 2-3
        ".elif version_atleast(2.4)\n  cookie B insert\n"  # 4-5
        ".else\n  cookie C insert\n.endif\n"  # 6-8
    )
    assert _kept(text) == [
        ("A", (Block(2, 0, "`.if defined(X)` at line 2 is true"),)),
        ("B", (Block(2, 1, "`.if defined(X)` at line 2 is false"),)),
    ]


def test_condition_with_environment_variable_is_unknown() -> None:
    assert _kept('.if "$ON"\n  cookie A insert\n.endif\n') == [
        ("A", (Block(2, 0, "`.if $ON` at line 2 is true"),))
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ('backend b\n  cookie "SRV insert\n', 2, 10, "unterminated double quote"),
        ("backend b\n.endif\n", 2, 1, "'.endif' without a matching '.if'"),
        ("backend b\n  .else\n", 2, 3, "'.else' without a matching '.if'"),
        ("backend b\n.if defined(X)\n  cookie A insert\n", 2, 1, "never closed"),
        (".if defined(X)\n.else\n.else\n.endif\n", 3, 1, "after '.else'"),
        ("# header\n  maxconn 100\nglobal\n", 2, 3, "'maxconn' appears before any section"),
    ],
    ids=[
        "unterminated-quote",
        "endif-without-if",
        "else-without-if",
        "unclosed-if",
        "else-after-else",
        "statement-before-section",
    ],
)
def test_errors_haproxy_refuses(text: str, line: int, column: int, reason: str) -> None:
    result = read_haproxy("lb/haproxy.cfg", text)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.span.path, error.span.line, error.span.column) == ("lb/haproxy.cfg", line, column)
    assert reason in error.reason


def test_a_bad_line_does_not_stop_the_reader() -> None:
    text = "backend b\n  acl x 'oops\n  server s1 10.0.0.1:80\n"
    result = read_haproxy("h.cfg", text)
    assert len(result.errors) == 1
    assert [s.keyword for s in result.sections[0].statements] == ["server"]


def test_conditionals_before_the_first_section_are_fine() -> None:
    text = ".if defined(X)\n.endif\n# comment\nglobal\n"
    assert not read_haproxy("h.cfg", text).errors


def test_crlf_line_endings() -> None:
    result = read_haproxy("h.cfg", "backend b\r\n  server s1 10.0.0.1:80\r\n")
    assert result.sections[0].statements[0].args == ("s1", "10.0.0.1:80")


def test_unknown_keywords_and_quoted_section_words_are_statements() -> None:
    result = read_haproxy("h.cfg", "backend b\n  frobnicate 1\n  'listen' x\n")
    assert not result.errors
    assert [s.keyword for s in result.sections[0].statements] == ["frobnicate", "listen"]
