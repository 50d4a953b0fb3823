"""The Tomcat conf/ tree loader: precedence, defaults, spans, captcha files, the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tcommlint.loaders.tomcat import is_tomcat_root_element, load_tomcat_conf
from tcommlint.model import CaptchaFile
from tcommlint.source import Located, Span

FIXTURES = Path(__file__).parent / "fixtures" / "loaders" / "tomcat"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ROOT1 = "examples/x/proxy1/conf"


def test_full_tree_precedence_and_spans() -> None:
    conf, errors, suppressions = load_tomcat_conf(FIXTURES / "proxy1" / "conf", ROOT1)
    assert errors == ()
    assert conf.root == ROOT1
    assert conf.header == Span(f"{ROOT1}/server.xml", 1, 1)
    # Context sessionCookieName wins over web.xml <cookie-config><name>.
    assert conf.session_cookie_name == Located("TCOMMSESSION", Span(f"{ROOT1}/context.xml", 3, 29))
    assert conf.jvm_route == Located("proxy1", Span(f"{ROOT1}/server.xml", 17, 63))
    assert conf.context_path == Located("/api", Span(f"{ROOT1}/server.xml", 24, 24))
    assert conf.session_cookie_path == Located(
        "/api", Span(f"{ROOT1}/server.xml", 24, 24), True, "Tomcat default: the context path"
    )
    assert conf.session_timeout_minutes == Located(20, Span(f"{ROOT1}/web.xml", 20, 26))
    # web.xml <http-only> wins over Context useHttpOnly.
    assert conf.cookie_http_only == Located(False, Span(f"{ROOT1}/web.xml", 23, 24))
    assert conf.cookie_secure == Located(True, Span(f"{ROOT1}/web.xml", 24, 21))
    assert conf.has_config_dir
    assert conf.captcha_files == (
        CaptchaFile(f"{ROOT1}/config/captcha", True),
        CaptchaFile(f"{ROOT1}/config/chat/captcha", False),
    )
    assert [(s.span, s.rule_ids, s.applies_to) for s in suppressions] == [
        (Span(f"{ROOT1}/context.xml", 5, 5), ("TC207",), 6)
    ]


def test_defaults_when_absent() -> None:
    root = "deploy/proxy2/conf"
    conf, errors, _ = load_tomcat_conf(FIXTURES / "proxy2" / "conf", root)
    header = Span(f"{root}/server.xml", 1, 1)
    assert errors == ()
    assert conf.session_cookie_name == Located(
        "JSESSIONID", header, True, "Tomcat default session cookie name"
    )
    assert conf.session_timeout_minutes.value == 30
    assert conf.session_timeout_minutes.inherited
    # The default is changed in web.xml: it points there, not at the first file read.
    assert conf.session_timeout_minutes.span == Span(f"{root}/web.xml", 1, 1)
    assert conf.web_xml == Span(f"{root}/web.xml", 1, 1)
    assert conf.jvm_route is None
    assert conf.context_path is None
    # web.xml (Java EE namespace) cookie-config path is used when the Context sets none.
    assert conf.session_cookie_path == Located("/", Span(f"{root}/web.xml", 9, 19))
    assert conf.cookie_http_only is not None and conf.cookie_http_only.inherited
    assert conf.cookie_secure is None
    assert not conf.has_config_dir
    assert conf.captcha_files == ()


def _write(conf: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (conf / name).parent.mkdir(parents=True, exist_ok=True)
        (conf / name).write_text(text, encoding="utf-8")
    return conf


def test_root_context_path_gives_slash_and_trailing_slash_option(tmp_path: Path) -> None:
    conf_dir = _write(
        tmp_path,
        {
            "server.xml": '<Server><Service><Engine><Host name="h">\n'
            '<Context path="" docBase="ROOT"/></Host></Engine></Service></Server>',
            "context.xml": '<Context sessionCookiePathUsesTrailingSlash="true"/>',
        },
    )
    conf, _, _ = load_tomcat_conf(conf_dir, "")
    assert conf.header == Span("server.xml", 1, 1)
    assert conf.session_cookie_path is not None
    assert conf.session_cookie_path.value == "/"
    conf_dir = _write(
        tmp_path,
        {
            "context.xml": '<Context path="/chat" sessionCookiePathUsesTrailingSlash="true"/>',
            "server.xml": "<Server/>",
        },
    )
    conf, _, _ = load_tomcat_conf(conf_dir, "")
    assert conf.session_cookie_path is not None
    assert conf.session_cookie_path.value == "/chat/"


@pytest.mark.parametrize(
    ("files", "at", "fragment"),
    [
        (
            {"server.xml": "<Server>\n  <Service>\n</Server>\n"},
            ("server.xml", 3),
            # libxml2 said "Opening and ending tag mismatch: Service line 2 and Server"
            "end tag </server> does not match <service> opened at line 2",
        ),
        (
            {
                "web.xml": "<web-app><session-config>\n<session-timeout>half an hour"
                "</session-timeout></session-config></web-app>"
            },
            ("web.xml", 2),
            "whole number",
        ),
        ({"context.xml": ""}, ("context.xml", 1), "empty"),
        (
            {"server.xml": '<?xml version="1.0" encoding="undefined"?>\n<Server/>\n'},
            ("server.xml", 1),
            "undefined",
        ),
        (
            {"web.xml": "<?xml version='1.0' encoding='idna'?>\n<!-- <web-app> -->\n<web-app/>"},
            ("web.xml", 1),
            "idna",
        ),
        (
            {"context.xml": '<?xml version="1.0" encoding="zlib_codec"?>\n<Context/>\n'},
            ("context.xml", 1),
            "zlib_codec",
        ),
    ],
    ids=[
        "broken-server-xml",
        "non-numeric-timeout",
        "empty-context-xml",
        "encoding-undefined",
        "encoding-idna",
        "encoding-not-text",
    ],
)
def test_errors_are_reported_not_raised(
    tmp_path: Path, files: dict[str, str], at: tuple[str, int], fragment: str
) -> None:
    conf, errors, _ = load_tomcat_conf(_write(tmp_path, files), "c")
    assert len(errors) == 1
    assert (errors[0].span.path, errors[0].span.line) == (f"c/{at[0]}", at[1])
    assert fragment in errors[0].reason.lower()
    assert conf.session_timeout_minutes.value == 30


def test_no_files_at_all(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    conf, errors, _ = load_tomcat_conf(tmp_path, "p/conf")
    assert errors == ()
    assert conf.header == Span("p/conf", 1, 1)
    assert conf.has_config_dir
    assert conf.captcha_files == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Server", True),
        ("Context", True),
        ("web-app", True),
        ("server", False),
        ("properties", False),
        ("Host", False),
    ],
)
def test_is_tomcat_root_element(name: str, expected: bool) -> None:
    assert is_tomcat_root_element(name) is expected


def _corpus_files() -> list[Path]:
    folder = CORPUS / "tomcat"
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []


def _role(path: Path) -> str:
    for name in ("server.xml", "context.xml", "web.xml"):
        if path.name.endswith(name):
            return name
    return "server.xml"


@pytest.mark.parametrize("corpus_file", _corpus_files(), ids=lambda p: p.name)
def test_corpus_files_load(tmp_path: Path, corpus_file: Path) -> None:
    shutil.copyfile(corpus_file, tmp_path / _role(corpus_file))
    conf, errors, _ = load_tomcat_conf(tmp_path, "corpus/conf")
    assert errors == ()
    assert conf.session_cookie_name.value


def test_corpus_present() -> None:
    if not (CORPUS / "tomcat").is_dir():
        pytest.skip("../shared/corpus not present: Tomcat corpus tests skipped")
    assert _corpus_files()


def test_corpus_server_and_web_xml_values(tmp_path: Path) -> None:
    folder = CORPUS / "tomcat"
    if not folder.is_dir():
        pytest.skip("../shared/corpus not present: Tomcat corpus tests skipped")
    shutil.copyfile(folder / "apache__tomcat__conf__server.xml", tmp_path / "server.xml")
    shutil.copyfile(folder / "apache__tomcat__conf__web.xml", tmp_path / "web.xml")
    conf, errors, _ = load_tomcat_conf(tmp_path, "conf")
    assert errors == ()
    # The jvmRoute Engine in the stock server.xml is inside a comment.
    assert conf.jvm_route is None
    assert conf.session_timeout_minutes.value == 30
    assert not conf.session_timeout_minutes.inherited
    assert conf.session_timeout_minutes.span.path == "conf/web.xml"
    assert conf.session_timeout_minutes.span.line == 614


def test_cached_read_gives_the_same_conf_and_follows_the_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    conf = tmp_path / "conf"
    shutil.copytree(
        Path(__file__).parent.parent / "examples" / "chat-broken" / "proxy-1" / "conf", conf
    )
    (conf / "server.xml").write_text(
        '<Server><Service name="Catalina"><Engine name="Catalina" defaultHost="h" '
        'jvmRoute="p1"><Host name="h"/></Engine></Service></Server>\n'
    )
    first = load_tomcat_conf(conf, "conf")
    assert list((tmp_path / ".cache").rglob("tomcat-*.json")), "the read was not cached"
    again = load_tomcat_conf(conf, "conf")
    assert again == first
    (conf / "server.xml").write_text((conf / "server.xml").read_text().replace("p1", "p9"))
    changed, _, _ = load_tomcat_conf(conf, "conf")
    assert changed.jvm_route is not None and changed.jvm_route.value == "p9"
    (conf / "config" / "captcha").write_text("")  # not XML: read on every run
    assert load_tomcat_conf(conf, "conf")[0].captcha_files[0].empty


def test_session_id_length_from_context(tmp_path: Path) -> None:
    """``<SessionIdGenerator sessionIdLength>`` (Tomcat 8+) or ``<Manager sessionIdLength>``
    (Tomcat 7) in a Context: bytes, whose hex form the application's ids have."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "context.xml").write_text(
        '<Context>\n  <Manager>\n    <SessionIdGenerator sessionIdLength="24"/>\n'
        "  </Manager>\n</Context>\n"
    )
    loaded, errors, _ = load_tomcat_conf(conf, "conf")
    assert errors == ()
    assert loaded.session_id_length == Located(24, Span("conf/context.xml", 3, 42))
    (conf / "context.xml").write_text('<Context><Manager sessionIdLength="20"/></Context>\n')
    assert load_tomcat_conf(conf, "conf")[0].session_id_length is not None
    (conf / "context.xml").write_text("<Context/>\n")
    assert load_tomcat_conf(conf, "conf")[0].session_id_length is None
