"""``tcommlint har``: session-cookie constancy over browser HAR captures."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tcommlint.cli import main
from tcommlint.har import covers, default_cookie_path, parse_set_cookie, short

from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "har"
FULL_IDS = ("5D41402ABC4B2A76B9719D911017C592", "0CC175B9C0F1B6A831C399E269772661")


def har_json(
    name: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli(["har", str(FIXTURES / name), "--format", "json", *extra], capsys)
    assert err == ""
    data: dict[str, Any] = json.loads(out)
    return code, data


def kinds(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(p["kind"], p["entry"]) for p in data["problems"]]


def test_healthy_capture_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = har_json("healthy.har", capsys)
    assert code == 0
    assert data["problems"] == []
    assert data["established_by"] == 2
    assert data["lb_cookies"] == [{"name": "SRV", "first_entry": 1}]
    assert (data["entries"], data["app_entries"]) == (11, 9)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "value-change.har", [("no-session-found", 5), ("value-changed", 5)], id="value-change"
        ),
        pytest.param(
            "missing-cookie.har", [("missing-cookie", 5), ("missing-cookie", 6)], id="missing"
        ),
        pytest.param(
            "lowercase.har", [("cookie-name-case", 2), ("cookie-name-case", 3)], id="lowercase"
        ),
        pytest.param(
            "wrong-path.har",
            [("cookie-path", 2), ("missing-cookie", 3), ("missing-cookie", 4)],
            id="wrong-path",
        ),
    ],
)
def test_broken_captures(
    name: str, expected: list[tuple[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = har_json(name, capsys)
    assert code == 1
    assert kinds(data) == expected


def test_value_change_names_the_response_and_the_jvm_route(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(["har", str(FIXTURES / "value-change.har")], capsys)
    assert code == 1
    assert (
        "#5 GET /api/messages (404): value-changed: response 404 sets a new JSESSIONID: "
        "5D4140….proxy1 → 0CC175….proxy2 (jvmRoute .proxy1 → .proxy2" in out
    )
    assert "load-balancer cookie BIGipServerpool_chat_api seen (first at #1)" in out
    assert out.endswith("2 problems\n")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.har")))
def test_full_session_ids_never_printed(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run_cli(["har", str(FIXTURES / name), "--format", fmt], capsys)
    assert not any(full in out for full in FULL_IDS)


def test_headers_are_parsed_when_cookie_arrays_are_empty() -> None:
    capture = json.loads((FIXTURES / "missing-cookie.har").read_text(encoding="utf-8"))
    entries = capture["log"]["entries"]
    assert all(not e["request"]["cookies"] and not e["response"]["cookies"] for e in entries)


def test_app_path_and_cookie_name_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = har_json("lowercase.har", capsys, "--session-cookie", "jsessionid")
    assert code == 0
    assert data["established_by"] == 2
    code, data = har_json("wrong-path.har", capsys, "--app-path", "/chat")
    assert code == 0  # nothing under /chat is requested; the cookie covers /chat


def test_lowercase_cookie_in_request_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = {
        "log": {
            "version": "1.2",
            "entries": [
                entry("POST", "/api/session", 201, set_cookie="JSESSIONID=AAAABBBBCCCC; Path=/"),
                entry("GET", "/api/messages", 200, cookie="jsessionid=AAAABBBBCCCC"),
                entry("GET", "/api/messages", 200, cookie="JSESSIONID=DDDDEEEEFFFF"),
            ],
        }
    }
    path = tmp_path / "c.har"
    path.write_text(json.dumps(capture), encoding="utf-8")
    code, out, _ = run_cli(["har", str(path)], capsys)
    assert code == 1
    assert "#2 GET /api/messages (200): missing-cookie" in out
    assert (
        "#2 GET /api/messages (200): cookie-name-case: request sends a cookie named jsessionid"
        in out
    )
    assert "#3 GET /api/messages (200): value-mismatch: request sends JSESSIONID=DDDDEE…" in out


def entry(
    method: str, path: str, status: int, cookie: str = "", set_cookie: str = ""
) -> dict[str, Any]:
    """A minimal HAR entry with cookies only in headers."""
    return {
        "startedDateTime": "2024-05-14T09:12:03.417Z",
        "request": {
            "method": method,
            "url": f"https://chat.example.com{path}",
            "headers": [{"name": "Cookie", "value": cookie}] if cookie else [],
            "cookies": [],
        },
        "response": {
            "status": status,
            "headers": [{"name": "Set-Cookie", "value": set_cookie}] if set_cookie else [],
            "cookies": [],
            "content": {"text": ""},
        },
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param("{not json", "invalid JSON", id="json"),
        pytest.param('{"log": {}}', "no log.entries", id="no-entries"),
        pytest.param("[1, 2]", "no log.entries", id="array"),
        pytest.param('{"log": null}', "no log.entries", id="log-null"),
        pytest.param('{"log": []}', "no log.entries", id="log-array"),
        pytest.param("[" * 10_000, "nested too deeply", id="deep"),
        pytest.param(
            '{"log": {"entries": [{"request": {"url": "/api"}, "response": {"status": 1e400}}]}}',
            "malformed entry",
            id="status-overflow",
        ),
        pytest.param('{"log": {"entries": [{"response": {}}]}}', "malformed entry", id="entry"),
        pytest.param('{"log": {"entries": [1]}}', "malformed entry", id="entry-type"),
    ],
)
def test_invalid_har_is_usage_error(
    content: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.har"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_cli(["har", str(path)], capsys)
    assert (code, out) == (2, "")
    assert reason in err


def test_missing_har_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["har", "no-such.har"], capsys)
    assert code == 2
    assert "cannot read HAR file" in err


@pytest.mark.parametrize(
    ("header", "path", "deleted"),
    [
        pytest.param("JSESSIONID=abc; Path=/api; HttpOnly", "/api", False, id="path"),
        pytest.param("JSESSIONID=abc", None, False, id="no-path"),
        pytest.param("JSESSIONID=; Path=/api", "/api", True, id="empty"),
        pytest.param("JSESSIONID=abc; Max-Age=0", None, True, id="max-age"),
        pytest.param(
            "JSESSIONID=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT", None, True, id="expired"
        ),
        pytest.param("JSESSIONID=abc; Max-Age=-1", None, True, id="max-age-negative"),
        pytest.param("JSESSIONID=abc; Max-Age=000", None, True, id="max-age-zeros"),
        pytest.param("JSESSIONID=abc; Max-Age=3600", None, False, id="max-age-positive"),
        pytest.param("JSESSIONID=abc; Max-Age=\u00b2", None, False, id="max-age-superscript"),
        pytest.param("JSESSIONID=abc; Max-Age=\u0660", None, False, id="max-age-arabic-zero"),
        pytest.param("JSESSIONID=abc; Max-Age=-", None, False, id="max-age-dash"),
        pytest.param("JSESSIONID=abc; Max-Age=" + "9" * 5000, None, False, id="max-age-huge"),
        pytest.param("JSESSIONID=abc; Max-Age=-" + "9" * 5000, None, True, id="max-age-huge-neg"),
        pytest.param(
            "JSESSIONID=abc; Expires=Thu, 01 Jan 99999999999999999999 00:00:00 GMT",
            None,
            False,
            id="expires-out-of-range",
        ),
        pytest.param("JSESSIONID=abc; Expires=soon", None, False, id="expires-unparseable"),
    ],
)
def test_parse_set_cookie(header: str, path: str | None, deleted: bool) -> None:
    from datetime import UTC, datetime

    cookie = parse_set_cookie(header, datetime(2024, 5, 14, tzinfo=UTC))
    assert cookie is not None
    assert (cookie.name, cookie.path, cookie.deleted) == ("JSESSIONID", path, deleted)


@pytest.mark.parametrize(
    ("cookie_path", "app_path", "expected"),
    [
        ("/", "/api", True),
        ("/api", "/api", True),
        ("/api/", "/api", True),
        ("/ap", "/api", False),
        ("/chat", "/api", False),
        ("/api/v2", "/api", False),
    ],
)
def test_covers(cookie_path: str, app_path: str, expected: bool) -> None:
    assert covers(cookie_path, app_path) is expected


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [("/api/session", "/api"), ("/session", "/"), ("/api/v1/session", "/api/v1"), ("x", "/")],
)
def test_default_cookie_path(request_path: str, expected: str) -> None:
    assert default_cookie_path(request_path) == expected


def test_short_keeps_route_and_hides_the_rest() -> None:
    assert short("5D41402ABC4B2A76.proxy1") == "5D4140….proxy1"
    assert short("ABC") == "ABC"


@pytest.mark.parametrize(
    "set_cookie",
    [
        pytest.param("JSESSIONID=AAAABBBBCCCC; Max-Age=\u00b2", id="max-age-superscript"),
        pytest.param(
            "JSESSIONID=AAAABBBBCCCC; Expires=Thu, 01 Jan 99999999999999999999 00:00:00 GMT",
            id="expires-out-of-range",
        ),
    ],
)
def test_ignored_cookie_attributes_keep_the_session(
    set_cookie: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = {"log": {"entries": [entry("POST", "/api/session", 201, set_cookie=set_cookie)]}}
    path = tmp_path / "c.har"
    path.write_text(json.dumps(capture), encoding="utf-8")
    code, out, err = run_cli(["har", str(path)], capsys)
    assert (code, err) == (0, "")
    assert "JSESSIONID first established by #1 POST /api/session (201)" in out


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_unencodable_text_is_escaped_on_stdout(
    fmt: str, encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A HAR may hold a lone surrogate ("\ud800" in its JSON); a real stdout cannot encode it.
    session = "\ud800ABCDEFG"
    capture = {
        "log": {
            "entries": [
                entry("GET", "/api/a", 200, cookie=f"JSESSIONID={session}"),
                entry("GET", "/api/b", 200, cookie="JSESSIONID=OTHER"),
            ]
        }
    }
    path = tmp_path / "c.har"
    path.write_text(json.dumps(capture), encoding="utf-8")
    outputs = []
    for _ in range(2):
        written = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding, write_through=True))
        assert main(["har", str(path), "--format", fmt]) == 1
        outputs.append(written.getvalue())
    assert outputs[0] == outputs[1]
    out = outputs[0].decode(encoding)
    if fmt == "json":
        message = json.loads(out)["problems"][0]["message"]
        assert message.endswith("but the session is \ud800ABCDE\u2026")
    else:
        expected = "\\ud800ABCDE\u2026" if encoding == "utf-8" else "\\ud800ABCDE\\u2026"
        assert f"request sends JSESSIONID=OTHER but the session is {expected}\n" in out
