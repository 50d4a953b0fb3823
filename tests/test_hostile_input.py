"""Inputs found by fuzzing the whole command line: each gave an internal error, a crash or a
wrong edit. Every one must end as a finding, a one-line usage error or a clean run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli, run_json, write_tree

ROOT = Path(__file__).resolve().parents[1]


def _only_finding(
    root: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], rule: str
) -> dict[str, Any]:
    """The one finding of ``rule`` in a deployment ``d`` of ``files`` (exit code 1)."""
    write_tree(root / "d", files)
    code, report = run_json(["check", "d", "--select", rule], capsys)
    assert code == 1
    [finding] = report["findings"]
    assert finding["rule"] == rule
    return finding


def _statuses(report: dict[str, object]) -> dict[str, tuple[str, str]]:
    deployment = report["deployments"][0]  # type: ignore[index]
    return {rule["id"]: (rule["status"], rule["reason"]) for rule in deployment["rules"]}


@pytest.mark.parametrize(
    ("name", "content", "column"),
    [
        ("proxy.properties", "AutoCallQueue=tru\\uD800\n", 15),
        ("proxy.json", '{"AutoCallQueue": "\\ud800"}\n', 19),
    ],
    ids=["properties-escape", "json-escape"],
)
def test_lone_surrogate_in_a_value_is_reported_not_a_crash(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, column: int
) -> None:
    finding = _only_finding(in_tmp, capsys, {name: content}, "TC005")
    assert finding["location"]["line"] == 1
    assert finding["location"]["column"] == column
    assert "\ufffd" in finding["message"]


def test_hundreds_of_keys_stay_within_the_expression_budget(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["AutoCalQueue=true", "autocallqueue=true"] + [f"x{n}=1" for n in range(600)]
    write_tree(in_tmp / "d", {"proxy.properties": "\n".join(lines) + "\n"})
    code, report = run_json(["check", "d", "--select", "TC002,TC003"], capsys)
    assert code == 1
    assert [(f["rule"], f["location"]["line"]) for f in report["findings"]] == [
        ("TC002", 1),
        ("TC003", 2),
    ]
    assert "'AutoCallQueue'" in report["findings"][0]["message"]


NESTED_LOOP_RULE = """\
id: XX001
name: nested-loop
severity: warning
summary: Loops over every entry inside a loop over every entry.
for_each: deployment.entries.filter(e, deployment.entries.exists(f, f.key == e.key + "x"))
as: entry
when: "true"
at: entry.loc
message: "{entry.key}"
docs: {what: Loops., why: To test the budget., fix: None.}
examples:
  fail: [{files: {proxy/proxy.properties: "AutoCallQueue=true\\nAutoCallQueuex=1\\n"}}]
  pass: [{files: {proxy/proxy.properties: "AutoCallQueue=true\\n"}}]
"""


def test_rule_over_the_iteration_budget_is_not_evaluable_and_others_run(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["AutoCallQueue=true", "EnableCaptcha=yes"] + [f"x{n}=1" for n in range(120)]
    write_tree(in_tmp / "d", {"proxy.properties": "\n".join(lines) + "\n"})
    write_tree(in_tmp / "rules", {"XX001-nested-loop.yaml": NESTED_LOOP_RULE})
    code, report = run_json(["check", "d", "--rules", "rules"], capsys)
    assert code == 1
    status, reason = _statuses(report)["XX001"]
    assert status == "not-evaluable"
    assert "too large for this rule" in reason
    assert _statuses(report)["TC005"] == ("fail", "")


@pytest.mark.parametrize(
    ("timeout", "finding"),
    [
        ("99999999999999999999", "a Java int), not '99999999999999999999'"),
        ("2147483648", "not '2147483648'"),
        ("1_0", "not '1_0'"),
        (" 30 ", None),
        ("-1", None),
    ],
)
def test_session_timeout_is_read_as_tomcat_reads_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], timeout: str, finding: str | None
) -> None:
    web = f"<web-app><session-config><session-timeout>{timeout}</session-timeout>"
    write_tree(in_tmp / "d", {"conf/web.xml": web + "</session-config></web-app>\n"})
    _, report = run_json(["check", "d", "--select", "TC001"], capsys)
    messages = [f["message"] for f in report["findings"]]
    if finding is None:
        assert messages == []
    else:
        [message] = messages
        assert finding in message


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (
            "deployment:\n  average_session_duration: 99999999999999999999d\n",
            "tcommlint.yaml:2: field 'deployment/average_session_duration': duration out of range",
        ),
        ("deployment:\n  name: " + "9" * 5000 + "\n", "invalid YAML: an integer too long to read"),
        (
            "deployment: " + "[" * 1000 + "]" * 1000 + "\n",
            "invalid YAML: nested deeper than 200 levels",
        ),
        (
            'deployment:\n  roles:\n    lb: ["a\\0b"]\n',
            "field 'deployment/roles/lb/0': 'a\\x00b' is not a path (it holds a NUL character)",
        ),
    ],
    ids=["huge-duration", "huge-integer", "deep-nesting", "nul-in-a-path"],
)
def test_bad_manifest_is_a_one_line_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], manifest: str, message: str
) -> None:
    write_tree(in_tmp / "d", {"tcommlint.yaml": manifest, "proxy.properties": "AutoCallQueue=1\n"})
    code, out, err = run_cli(["check", "d"], capsys)
    assert (code, out) == (2, "")
    assert message in err
    assert len(err.splitlines()) == 1


def test_merge_keys_in_a_manifest_and_a_rule_file(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp / "d",
        {
            "tcommlint.yaml": "base: &base {name: merged}\ndeployment: {<<: *base}\n",
            "proxy.properties": "AutoCallQueue=true\n",
        },
    )
    code, _, err = run_cli(["check", "d"], capsys)
    assert code == 2
    assert "d/tcommlint.yaml:1: top level: unknown key 'base'" in err
    write_tree(in_tmp / "d", {"tcommlint.yaml": "deployment: {<<: {name: merged}}\n"})
    _, report = run_json(["check", "d"], capsys)
    assert report["deployments"][0]["name"] == "merged"
    write_tree(in_tmp / "rules", {"X001.yaml": "d: &d {a: 1}\nid: {<<: *d}\n"})
    code, _, err = run_cli(["rules", "--rules", "rules"], capsys)
    assert code == 2
    assert err.startswith("tcommlint: error: rules/X001.yaml")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("proxy.yaml", "AutoCallQueue: true\nx: " + "[" * 600 + "]" * 600 + "\n", "200 levels"),
        ("proxy.json", '{"AutoCallQueue": true, "x": ' + "[" * 200 + "]" * 200 + "}", "200 levels"),
    ],
    ids=["yaml", "json"],
)
def test_deeply_nested_config_is_a_parse_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, reason: str
) -> None:
    finding = _only_finding(in_tmp, capsys, {name: content}, "TC001")
    assert finding["location"]["path"] == f"d/{name}"
    assert reason in finding["message"]


def test_fix_edits_the_line_the_finding_names_despite_a_form_feed(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "AutoCallQueue=true\nNote=1\fEnableCaptcha=no\nEnableSSL=no\n"
    (in_tmp / "proxy.properties").write_text(text, encoding="utf-8")
    code, _, err = run_cli(["check", ".", "--select", "TC005", "--fix"], capsys)
    assert code == 0, err
    fixed = (in_tmp / "proxy.properties").read_text(encoding="utf-8")
    assert fixed == "AutoCallQueue=true\nNote=1\fEnableCaptcha=no\nEnableSSL=false\n"


def test_utf16_xml_config_is_read(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?>\n<config><AutoCallQueue>yes</AutoCallQueue>'
    (in_tmp / "proxy.xml").write_bytes((xml + "</config>\n").encode("utf-16"))
    code, report = run_json(["check", ".", "--select", "TC005"], capsys)
    assert code == 1
    assert [(f["rule"], f["location"]["line"]) for f in report["findings"]] == [("TC005", 2)]


def _run_in_process(
    args: list[str], cwd: Path, encoding: str = "utf-8"
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)}
    env["XDG_CACHE_HOME"] = str(cwd / ".cache")
    command = [sys.executable, "-m", "tcommlint", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_file_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "d")
    os.mkdir(folder)
    with open(os.path.join(folder, b"proxy-\xff.properties"), "wb") as file:
        file.write(b"AutoCallQueue=yes\n")
    done = _run_in_process(["check", "d", "--select", "TC005"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("d/proxy-\ufffd.properties:1:15: TC005 [error]".encode())
    done = _run_in_process(["check", "d", "--select", "TC005", "--format", "json"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert '"path": "d/proxy-\ufffd.properties"'.encode() in done.stdout


def test_ascii_terminal_gets_escapes_not_a_crash(tmp_path: Path) -> None:
    write_tree(tmp_path / "d", {"proxy.properties": "AutoCallQueue=j\u00e4\n"})
    done = _run_in_process(["check", "d", "--select", "TC005"], tmp_path, encoding="ascii")
    assert (done.returncode, done.stderr) == (1, b"")
    assert b"'AutoCallQueue' is 'j\\xe4'" in done.stdout


def test_json_on_an_ascii_terminal_stays_json(tmp_path: Path) -> None:
    write_tree(tmp_path / "d", {"proxy.properties": "AutoCallQueue=j\u00e4\U0001f600\n"})
    args = ["check", "d", "--select", "TC005", "--format", "json"]
    done = _run_in_process(args, tmp_path, encoding="ascii")
    assert (done.returncode, done.stderr) == (1, b"")
    assert done.stdout.isascii()
    [finding] = json.loads(done.stdout)["findings"]
    assert "'j\u00e4\U0001f600'" in finding["message"]


def test_fix_renames_an_xml_element_whole_and_leaves_an_escaped_key(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = "<config>\n  <ProxyName>p</ProxyName>\n  <autocallqueue>true</autocallqueue>\n</config>\n"
    properties = "enable\\ssl=enablessl\n"
    write_tree(in_tmp / "d", {"proxy.xml": xml, "other/proxy.properties": properties})
    code, _, err = run_cli(["check", "d", "--select", "TC003", "--fix"], capsys)
    assert (code, err) == (1, "tcommlint: fixed 1 finding\n")
    assert (in_tmp / "d" / "proxy.xml").read_text() == xml.replace("autocallqueue", "AutoCallQueue")
    assert (in_tmp / "d" / "other" / "proxy.properties").read_text() == properties
    _, report = run_json(["check", "d", "--select", "TC001,TC003"], capsys)
    assert [(f["rule"], f["location"]["path"]) for f in report["findings"]] == [
        ("TC003", "d/other/proxy.properties")
    ]


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"b.json": '{"entries": [' + "9" * 5000 + "]}"},
            ["--baseline", "b.json"],
            "b.json: invalid JSON: an integer too long to read",
        ),
        (
            {"b.json": "[" * 100_000},
            ["--baseline", "b.json"],
            "b.json: invalid JSON: nested too deeply",
        ),
        (
            {"pyproject.toml": "tool = 1\n[tool.tcommlint.deployment]\n"},
            ["--config", "pyproject.toml"],
            "pyproject.toml: invalid TOML",
        ),
        (
            {"pyproject.toml": "[tool.tcommlint]\nfail_on = " + "9" * 5000 + "\n"},
            [],
            "pyproject.toml: invalid TOML: an integer too long to read",
        ),
        (
            {"pyproject.toml": "[tool.tcommlint]\nx = " + "[" * 3000 + "]" * 3000 + "\n"},
            [],
            "pyproject.toml: invalid TOML: nested too deeply",
        ),
        (
            {"d/tcommlint.yaml": "deployment:\n  name: !!set\n"},
            [],
            "d/tcommlint.yaml: invalid YAML: a tag on a value of the wrong kind",
        ),
        (
            {"d/tcommlint.yaml": 'deployment:\n  session_cookie: "JSESSIONID\\n"\n'},
            [],
            "d/tcommlint.yaml:2: field 'deployment/session_cookie': 'JSESSIONID\\n' does not match",
        ),
    ],
    ids=[
        "baseline-huge-integer",
        "baseline-deep",
        "pyproject-tool-not-a-table",
        "pyproject-huge-integer",
        "pyproject-deep",
        "manifest-tag-on-a-scalar",
        "manifest-newline-after-a-cookie-name",
    ],
)
def test_bad_baseline_or_config_is_a_one_line_usage_error(
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    write_tree(in_tmp, {"d/proxy.properties": "AutoCallQueue=true\n", **files})
    code, out, err = run_cli(["check", "d", *args], capsys)
    assert (code, out) == (2, "")
    assert message in err
    assert len(err.splitlines()) == 1


def test_fix_of_a_value_written_with_escapes_edits_nothing_else(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = '{"enable.callagentMessage": "fals\\u0065", "log.level": false}\n'
    proxy = "AutoCallQueue=true\nProxyName=p\n"
    write_tree(in_tmp / "d", {"proxy/proxy.properties": proxy, "server/rconfig.json": server})
    code, report = run_json(["check", "d", "--select", "TC101"], capsys)
    assert [f["rule"] for f in report["findings"]] == ["TC101"]
    code, out, _ = run_cli(["check", "d", "--select", "TC101", "--diff", "--unsafe-fixes"], capsys)
    assert (code, out) == (0, "")  # --diff: 1 only when there is a change


def test_xml_with_lone_cr_line_ends_places_repeated_elements(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = "<config>\r<EnableSSL>true</EnableSSL>\r<ProxyName>p</ProxyName>\r"
    (in_tmp / "proxy.xml").write_text(xml + "<EnableSSL>yes</EnableSSL>\r</config>\r")
    _, report = run_json(["check", ".", "--select", "TC004,TC005"], capsys)
    assert [
        (f["rule"], f["location"]["line"], f["location"]["column"]) for f in report["findings"]
    ] == [
        ("TC004", 4, 2),
        ("TC005", 4, 12),
    ]


def test_diff_marks_a_last_line_without_newline(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"proxy.properties": "ProxyName=p\nEnableSSL=yes"})
    code, out, _ = run_cli(["check", ".", "--select", "TC005", "--diff"], capsys)
    assert code == 1
    assert out.endswith(
        "-EnableSSL=yes\n\\ No newline at end of file\n"
        "+EnableSSL=true\n\\ No newline at end of file\n"
    )
