"""Line ends: every reader accepts the line ends its consuming program accepts.

HAProxy 2.6 (``haproxy -c``) reads CRLF like LF and ends a line's statement at any ``\\r``
(a lone ``\\r`` makes it drop the rest of that line); Java ``Properties``, XML parsers and
YAML end lines at ``\\n``, ``\\r\\n`` and ``\\r``; JSON takes ``\\r`` as whitespace; tmsh files
are LF or CRLF. A CRLF copy of a file gives the same findings and model as the LF file: same
lines, same columns, no value ending in ``\\r``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tcommlint.loaders import registry
from tcommlint.loaders.f5.as3 import load_as3
from tcommlint.loaders.f5.bigip import load_f5_tmsh
from tcommlint.loaders.f5.tmsh import read_tmsh
from tcommlint.loaders.generic.jsonconf import parse_keyvalue_json
from tcommlint.loaders.haproxy.loader import load_haproxy, looks_like_haproxy
from tcommlint.loaders.haproxy.reader import LONE_CR_REASON, read_haproxy
from tcommlint.loaders.tomcat import load_tomcat_conf

from conftest import CORPUS, run_cli, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLE_EVERY = 7  # a corpus sample: every 7th file of a kind, in name order


def _converted(text: bytes, end: bytes) -> bytes:
    return text.replace(b"\r\n", b"\n").replace(b"\n", end)


def _copy_tree(source: Path, target: Path, end: bytes) -> None:
    for file in sorted(source.rglob("*")):
        if file.is_file():
            out = target / file.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(_converted(file.read_bytes(), end))


def _report(
    tmp: Path, example: str, end: bytes, command: list[str], capsys: pytest.CaptureFixture[str]
) -> Any:
    """The JSON output of ``command`` on a copy of an example with the given line ends,
    checked under the same relative name so that paths compare equal."""
    root = tmp / end.hex()
    _copy_tree(EXAMPLES / example, root / example, end)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("XDG_CACHE_HOME", str(tmp / "cache"))
        _, out, err = run_cli([*command, example, "--format", "json"], capsys)
    assert err == ""
    return json.loads(out)


def _findings(report: Any) -> list[tuple[Any, ...]]:
    found = []
    for finding in report["findings"]:
        at = finding["location"]
        found.append((finding["rule"], at["path"], at["line"], at["column"], finding["message"]))
    return found


@pytest.mark.parametrize("example", ["chat-broken", "chat-fixed"])
def test_crlf_example_gives_the_same_findings_and_model(
    example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check = ["check", "--fail-on", "never"]
    lf = _report(tmp_path, example, b"\n", check, capsys)
    crlf = _report(tmp_path, example, b"\r\n", check, capsys)
    assert _findings(crlf) == _findings(lf)
    if example == "chat-broken":
        assert {"TC203", "TC205", "TC209"} & {f[0] for f in _findings(lf)}
        assert "TC006" not in {f[0] for f in _findings(crlf)}
    model = _report(tmp_path, example, b"\n", ["show"], capsys)
    assert _report(tmp_path, example, b"\r\n", ["show"], capsys) == model
    assert "\\r" not in json.dumps(model)


def test_lone_cr_example_differs_only_where_haproxy_would_drop_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Properties, XML and YAML end lines at a lone CR too; HAProxy does not, and says so."""
    check = ["check", "--fail-on", "never"]
    lf = _findings(_report(tmp_path, "chat-broken", b"\n", check, capsys))
    cr = _findings(_report(tmp_path, "chat-broken", b"\r", check, capsys))
    haproxy = "chat-broken/lb/haproxy.cfg"
    assert [f for f in cr if f[1] != haproxy and f[0] != "TC006"] == [
        f for f in lf if f[1] != haproxy
    ]
    assert (("TC001", haproxy, 1, 64, LONE_CR_REASON)) in cr


def test_fix_on_a_crlf_haproxy_file_keeps_crlf(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "defaults\n    mode http\n"
        "frontend fe\n    bind :80\n    default_backend be_api\n"
        "backend be_api\n"
        "    stick-table type string len 52 size 200k expire 30m\n"
        "    stick on req.cook(jsessionid)\n"
        "    stick store-response res.cook(jsessionid)\n"
        "    server p1 10.0.0.11:8080\n    server p2 10.0.0.12:8080\n"
    ).replace("\n", "\r\n")
    target = in_tmp / "d" / "lb" / "haproxy.cfg"
    target.parent.mkdir(parents=True)
    target.write_bytes(config.encode())
    run_cli(["check", "d", "--fix"], capsys)
    assert target.read_bytes() == config.replace("jsessionid", "JSESSIONID").encode()


def test_fix_on_crlf_example_properties_keeps_crlf(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _copy_tree(EXAMPLES / "chat-broken", in_tmp / "d", b"\r\n")
    target = in_tmp / "d" / "proxy-2" / "conf" / "config" / "proxy.properties"
    before = target.read_bytes()
    run_cli(["check", "d", "--fix", "--select", "TC005"], capsys)
    after = target.read_bytes()
    assert after != before
    assert after.count(b"\r\n") == before.count(b"\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")


# --- HAProxy: what haproxy -c of 2.6 does with carriage returns ------------------------------


HAPROXY = "backend b\n    cookie JSESSIONID prefix\n    server s1 10.0.0.1:80\n"


@pytest.mark.parametrize("end", ["\r\n", "\r\r\n", "\r  \n", "\r # a comment\n"])
def test_haproxy_cr_before_the_line_feed_is_a_line_end(end: str) -> None:
    lf, other = read_haproxy("h.cfg", HAPROXY), read_haproxy("h.cfg", HAPROXY.replace("\n", end))
    assert other == lf
    assert lf.sections[0].statements[0].args == ("JSESSIONID", "prefix")


def test_haproxy_text_after_a_lone_cr_is_refused_where_the_cr_stands() -> None:
    """haproxy -c reads ``cookie JSESIONID\\r bogus`` as ``cookie JSESIONID`` (valid)."""
    result = read_haproxy("h.cfg", "backend b\n    cookie JSESSIONID\r insert\n")
    assert [(e.span.line, e.span.column, e.reason) for e in result.errors] == [
        (2, 22, LONE_CR_REASON)
    ]
    assert result.sections[0].statements[0].args == ("JSESSIONID",)


def test_haproxy_cr_inside_quotes_ends_the_line_like_haproxy() -> None:
    """haproxy -c: 'unmatched quote' for ``cookie "JSES\\rIONID" prefix``."""
    result = read_haproxy("h.cfg", 'backend b\n    cookie "JSES\rIONID" prefix\n')
    assert [(e.span.line, e.span.column) for e in result.errors] == [(2, 12)]
    assert "unterminated double quote" in result.errors[0].reason


def test_haproxy_file_with_lone_cr_line_ends_is_recognised_and_refused() -> None:
    text = HAPROXY.replace("\n", "\r")
    assert registry.claim(text, registry.TEXT) is registry.BY_ROLE["haproxy"]
    result = load_haproxy("h.cfg", text)
    assert result.load_balancers == ()
    assert result.errors[0].span.line == 1 and result.errors[0].reason == LONE_CR_REASON


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_haproxy_sniff_accepts_crlf(end: str) -> None:
    text = HAPROXY.replace("\n", end)
    assert looks_like_haproxy(text)
    assert registry.claim(text, registry.TEXT) is registry.BY_ROLE["haproxy"]


def test_haproxy_sniff_does_not_backtrack_on_blank_crlf_lines() -> None:
    text = "global\r\n" + "\r\n" * 50_000 + "x"
    assert registry.claim(text, registry.TEXT) is None


# --- tmsh and JSON ------------------------------------------------------------------------------


def test_tmsh_lone_cr_is_refused_at_the_cr() -> None:
    text = "ltm pool /C/a {\n    members {\r        m:80 { }\n    }\n}\n"
    assert registry.claim(text, registry.TEXT) is registry.BY_ROLE["f5-tmsh"]
    objects, errors = read_tmsh("b.conf", text)
    assert objects == []
    assert [(e.span.line, e.span.column) for e in errors] == [(2, 14)]


def test_tmsh_crlf_and_trailing_blanks_are_line_ends() -> None:
    text = "ltm pool /C/a {\n    members {\n        m:80 { }\n    }\n}\n"
    for end in ("\r\n", "\r \n", "\r\r\n"):
        objects, errors = read_tmsh("b.conf", text.replace("\n", end))
        assert errors == [] and [o.name for o in objects] == ["/C/a"]


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_json_positions_count_any_line_end(end: str) -> None:
    text = '{\n  "a": {\n    "AutoCallQueue": true\n  },\n  "b": 1\n}\n'
    lf = parse_keyvalue_json("c.json", text)
    assert parse_keyvalue_json("c.json", text.replace("\n", end)) == lf
    assert [(e.key.span.line, e.key.span.column) for e in lf.entries] == [(3, 5), (5, 3)]


# --- a sample of the corpus --------------------------------------------------------------------


def _sample(kind: str) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not present: {CORPUS} (the corpus lives beside the project)")
    return sorted((CORPUS / kind).iterdir())[::SAMPLE_EVERY]


def _texts(path: Path, end: str) -> str:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\n", end)


def test_corpus_haproxy_sample_reads_the_same_with_crlf() -> None:
    for path in _sample("haproxy"):
        lf = load_haproxy(path.name, _texts(path, "\n"))
        assert load_haproxy(path.name, _texts(path, "\r\n")) == lf, path.name


def test_corpus_tmsh_sample_reads_the_same_with_crlf() -> None:
    for path in _sample("f5-tmsh"):
        lf = load_f5_tmsh([(path.name, _texts(path, "\n"))])
        assert load_f5_tmsh([(path.name, _texts(path, "\r\n"))]) == lf, path.name


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_corpus_as3_sample_reads_the_same(end: str) -> None:
    for path in _sample("f5-as3"):
        lf = load_as3(path.name, _texts(path, "\n"))
        assert load_as3(path.name, _texts(path, end)) == lf, path.name


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_corpus_tomcat_files_read_the_same(end: str, tmp_path: Path) -> None:
    _sample("tomcat")
    names = ("server.xml", "web.xml", "context.xml")
    conf = {name: CORPUS / "tomcat" / f"apache__tomcat__conf__{name}" for name in names}
    results = []
    for line_end in ("\n", end):
        root = tmp_path / line_end.encode().hex() / "conf"
        write_tree(root, {name: _texts(path, line_end) for name, path in conf.items()})
        results.append(load_tomcat_conf(root, "conf"))
    assert results[1] == results[0]


def test_corpus_files_with_their_own_crlf_are_read() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not present: {CORPUS}")
    name = "f5devcentral__f5-automation-config-converter__test__engines__parser__ex11.conf"
    text = (CORPUS / "f5-tmsh" / name).read_bytes().decode("utf-8")
    assert "\r\n" in text
    assert load_f5_tmsh([(name, text)]) == load_f5_tmsh([(name, text.replace("\r\n", "\n"))])
