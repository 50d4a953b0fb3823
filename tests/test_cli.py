"""The command line contract of SPEC §4: exit codes, messages, selection, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tcommlint import __version__
from tcommlint.resources import schema

from conftest import run_cli, run_json, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

BROKEN_PROXY = {"proxy/proxy.properties": "AutoCallQueue=true\nEnableCaptcha=yes\n"}


def test_examples_broken_fails_and_fixed_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, out, err = run_cli(["check", "chat-broken"], capsys)
    assert code == 1, err
    assert "chat-broken/proxy-1/conf/config/proxy.properties:10:1: TC101 [error]" in out
    assert "    chat-broken/server/rconfig.properties:7:1: enable.callagentMessage=false" in out
    code, out, err = run_cli(["check", "chat-fixed"], capsys)
    assert (code, err) == (0, "")
    assert out == "0 errors, 0 warnings, 0 infos in 1 deployment (12 files)\n"


def test_json_report_validates_and_is_byte_identical(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    monkeypatch.chdir(EXAMPLES)
    first = run_cli(["check", "chat-broken", "--format", "json"], capsys)[1]
    second = run_cli(["check", "chat-broken", "--format", "json"], capsys)[1]
    assert first == second
    report = json.loads(first)
    jsonschema.validate(report, schema("report.schema.json"))
    statuses = {rule["id"]: rule["status"] for rule in report["deployments"][0]["rules"]}
    assert statuses["TC101"] == "fail" and statuses["TC201"] == "pass"
    assert report["deployments"][0]["ha_mode"] == "active-active"


def test_findings_are_sorted_by_path_line_column_rule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLES)
    _, report = run_json(["check", "chat-broken"], capsys)
    keys = [
        (f["location"]["path"], f["location"]["line"], f["location"]["column"], f["rule"])
        for f in report["findings"]
    ]
    assert keys == sorted(keys)


def test_nothing_recognised_is_a_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "empty", {"README.md": "# nothing here\n"})
    code, out, err = run_cli(["check", "empty"], capsys)
    assert (code, out) == (2, "")
    assert err == "tcommlint: error: no configuration found in empty\n"


def test_missing_path_is_a_usage_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["check", "nowhere"], capsys)
    assert code == 2
    assert err == "tcommlint: error: nowhere: no such file or directory\n"


def test_bad_flag_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["check", "--severity", "TC101=fatal"], capsys)
    assert code == 2
    assert "expected ID=error|warning|info" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("flags", "expected_code", "rules"),
    [
        ([], 1, {"TC005", "TC006"}),
        (["--ignore", "TC005"], 0, {"TC006"}),
        (["--select", "TC005"], 1, {"TC005"}),
        (["--select", "TC0"], 1, {"TC005", "TC006"}),  # TC008 is selected and needs an LB
        (["--select", "TC005,TC006"], 1, {"TC005"}),  # TC006 reports only selected rules
        (["--severity", "TC005=info"], 0, {"TC005", "TC006"}),
        (["--fail-on", "never"], 0, {"TC005", "TC006"}),
        (["--fail-on", "info"], 1, {"TC005", "TC006"}),
    ],
    ids=[
        "default",
        "ignore",
        "select",
        "select-prefix",
        "select-two",
        "severity",
        "fail-never",
        "fail-info",
    ],
)
def test_selection_and_fail_on(
    flags: list[str],
    expected_code: int,
    rules: set[str],
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_tree(in_tmp / "d", BROKEN_PROXY)
    code, report = run_json(["check", "d", *flags], capsys)
    assert code == expected_code
    assert {f["rule"] for f in report["findings"]} == rules


def test_inline_suppression_and_unused_suppression(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "proxy/proxy.properties": (
            "AutoCallQueue=true\n"
            "# tcommlint: disable=TC005 -- the proxy build reads yes as true\n"
            "EnableCaptcha=yes\n"
            "# tcommlint: disable=TC002 -- nothing to suppress\n"
            "ProxyName=chat-1\n"
        )
    }
    write_tree(in_tmp / "d", files)
    _, report = run_json(["check", "d", "--ignore", "TC006"], capsys)
    assert [(f["rule"], f["location"]["line"]) for f in report["findings"]] == [("TC007", 4)]
    assert report["summary"]["suppressed"] == 1


def test_mandatory_rule_cannot_be_suppressed(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp / "d",
        {
            "tcommlint.yaml": "rules:\n  mandatory: [TC005]\n  ignore: [TC006]\n",
            "proxy/proxy.properties": "# tcommlint: disable=TC005\nEnableCaptcha=yes\n",
        },
    )
    _, report = run_json(["check", "d"], capsys)
    assert [(f["rule"], f["location"]["line"]) for f in report["findings"]] == [
        ("TC007", 1),
        ("TC005", 2),
    ]


def test_xml_entity_bomb_is_a_parse_error_not_a_crash(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        '<properties><entry key="AutoCallQueue">&lol3;</entry></properties>\n'
    )
    write_tree(in_tmp / "d", {"proxy/proxy.xml": bomb})
    code, report = run_json(["check", "d"], capsys)
    assert code == 1
    assert [f["rule"] for f in report["findings"] if f["severity"] == "error"] == ["TC001"]


def test_invalid_rule_file_names_file_and_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", BROKEN_PROXY)
    rule = in_tmp / "extra-rules" / "XX001-broken.yaml"
    rule.parent.mkdir()
    source = (EXAMPLES.parent / "rules" / "TC005-non-canonical-boolean.yaml").read_text()
    rule.write_text(
        source.replace("id: TC005", "id: XX001").replace('when: "true"', 'when: "entry.value =="')
    )
    code, _, err = run_cli(["check", "d", "--rules", "extra-rules"], capsys)
    assert code == 2
    assert err.startswith("tcommlint: error: extra-rules/XX001-broken.yaml:")
    assert "field 'when': Syntax error" in err


CUSTOM_RULE = """\
id: XX001
name: proxy-name-required
severity: warning
summary: Every proxy config names its node.
requires: [proxy]
for_each: deployment.proxies.filter(p, !("ProxyName" in p.settings))
as: proxy
when: "true"
at: proxy.loc
message: "{proxy.path} does not set ProxyName"
docs: {what: Checks ProxyName., why: Logs name the node., fix: Set ProxyName.}
examples:
  fail: [{files: {proxy/proxy.properties: "AutoCallQueue=true\\n"}}]
  pass: [{files: {proxy/proxy.properties: "ProxyName=p1\\n"}}]
"""


def test_user_rule_directory_adds_rules(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp / "d", BROKEN_PROXY)
    write_tree(in_tmp / "extra-rules", {"XX001-proxy-name-required.yaml": CUSTOM_RULE})
    code, report = run_json(["check", "d", "--rules", "extra-rules", "--select", "XX"], capsys)
    assert code == 1
    assert [(f["rule"], f["message"]) for f in report["findings"]] == [
        ("XX001", "d/proxy/proxy.properties does not set ProxyName")
    ]


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tcommlint", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, f"tcommlint {__version__}\n")


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["rules"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("TC001  parse-error")
    code, out, _ = run_cli(["explain", "tc209"], capsys)
    assert code == 0
    assert out.startswith("# TC209 session-cookie-not-learned\n")
    assert "## How to fix" in out
    code, _, err = run_cli(["explain", "TC999"], capsys)
    assert code == 2 and "unknown rule 'TC999'" in err


def test_yaml_alias_bomb_is_a_parse_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        previous, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = "AutoCallQueue: true\n" + "\n".join(levels) + "\n"
    write_tree(in_tmp / "d", {"proxy/proxy.yaml": bomb})
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert code == 1
    (finding,) = report["findings"]
    assert finding["rule"] == "TC001"
    assert finding["location"]["path"] == "d/proxy/proxy.yaml"


def test_file_arguments_check_their_whole_deployment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, report = run_json(
        ["check", "chat-broken/server/rconfig.properties", "chat-broken/lb/haproxy.cfg"], capsys
    )
    assert code == 1
    assert [d["root"] for d in report["deployments"]] == ["chat-broken"]
    assert "chat-broken/proxy-1/conf/config/proxy.properties" in {
        f["location"]["path"] for f in report["findings"]
    }


def test_jobs_give_the_same_report(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    for name in ("a", "b", "c"):
        shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "repo" / name)
    serial = run_cli(["check", "repo", "--format", "json"], capsys)
    parallel = run_cli(["check", "repo", "--format", "json", "--jobs", "2"], capsys)
    assert serial == parallel
    assert serial[0] == 1
    assert len(json.loads(serial[1])["deployments"]) == 3
    code, _, err = run_cli(["check", "repo", "--jobs", "0"], capsys)
    assert code == 2 and "at least 1" in err


def test_manifest_roles_and_exclude(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        in_tmp / "d",
        {
            "tcommlint.yaml": (
                "deployment:\n  name: lab\n  roles:\n    server: [server/rconfig]\n"
                'exclude: ["**/archive/**"]\n'
            ),
            "proxy/proxy.properties": "AutoCallQueue=true\n",
            "server/rconfig": "custom.setting=1\n",  # no known key: only the role makes it a server
            "archive/old/proxy.properties": "AutoCallQueue=yes\n",
        },
    )
    _, report = run_json(["check", "d", "--select", "TC005,TC103"], capsys)
    assert [(f["rule"], f["location"]["path"]) for f in report["findings"]] == [
        ("TC103", "d/server/rconfig")
    ]


def test_content_not_name_decides(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        in_tmp / "d",
        {
            "lb/current-export": (
                "defaults\n    mode http\nfrontend fe\n    bind :80\n    default_backend be\n"
                "backend be\n    server p1 10.0.0.11:8080\n    server p2 10.0.0.12:8080\n"
            ),
            "notes/haproxy.cfg.txt": "Remember: the backend needs persistence.\n",
        },
    )
    _, report = run_json(["check", "d", "--select", "TC201"], capsys)
    assert [(f["rule"], f["location"]["path"]) for f in report["findings"]] == [
        ("TC201", "d/lb/current-export")
    ]


def test_statistics_and_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, out, _ = run_cli(["check", "chat-broken", "--statistics", "-q"], capsys)
    assert code == 1
    assert out.splitlines()[0] == "    2  TC005  non-canonical-boolean"
    assert len(out.splitlines()) == 7
    _, out, _ = run_cli(["check", "chat-broken", "--quiet"], capsys)
    assert "in 1 deployment" not in out and "TC101 [error]" in out


COMMANDS = ("check", "rules", "explain", "show", "logs", "har", "probe", "diff")


def _help_entries(help_text: str) -> dict[str, str]:
    """Each argument of an argparse help text with its description (empty when it has none)."""
    entries: dict[str, str] = {}
    current = ""
    for line in help_text.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            current, _, description = line.strip().partition("  ")
            entries[current] = description.strip()
        elif line.startswith("    ") and current:
            entries[current] = f"{entries[current]} {line.strip()}".strip()
        else:
            current = ""
    return entries


@pytest.mark.parametrize("command", COMMANDS)
def test_help_describes_every_argument(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli([command, "--help"], capsys)
    assert exit_info.value.code == 0
    entries = _help_entries(capsys.readouterr().out)
    assert entries, "no arguments found in the help text"
    undescribed = sorted(name for name, description in entries.items() if not description)
    assert undescribed == []


def test_severity_help_says_it_overrides_severities(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(["check", "--help"], capsys)
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--severity ID=LEVEL,... override the severity of these rules" in help_text


def test_no_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([], capsys)
    assert (code, out) == (2, "")
    assert err == f"tcommlint: error: a command is required: {', '.join(COMMANDS)} (see --help)\n"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--select", "TC999"], "--select: unknown rule ID or prefix 'TC999'"),
        (
            ["--select", "tc2o1"],
            "--select: unknown rule ID or prefix 'TC2O1' (did you mean 'TC201'?)",
        ),
        (["--ignore", "ALL"], "--ignore: unknown rule ID or prefix 'ALL'"),
        (["--ignore", "TC005,TC9"], "--ignore: unknown rule ID or prefix 'TC9'"),
        (["--severity", "TC999=error"], "--severity: unknown rule ID 'TC999'"),
        (["--severity", "TC00=info"], "--severity: 'TC00' is a prefix; name whole rule IDs here"),
        (["--select", "XX001"], "--select: unknown rule ID or prefix 'XX001'"),
    ],
    ids=[
        "select",
        "did-you-mean",
        "ignore-all",
        "ignore-prefix",
        "severity",
        "severity-prefix",
        "not-loaded",
    ],
)
def test_unknown_rule_ids_are_usage_errors(
    flags: list[str], message: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", BROKEN_PROXY)
    code, out, err = run_cli(["check", "d", *flags], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"tcommlint: error: {message}")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("rules", "line", "message"),
    [
        ("rules:\n  ignore:\n    - TC005\n    - TC999\n", 4, "field 'rules/ignore': unknown rule"),
        ("rules:\n  select: [TC9]\n", 2, "field 'rules/select': unknown rule ID or prefix 'TC9'"),
        ("rules:\n  severity:\n    TC999: error\n", 3, "field 'rules/severity': unknown rule ID"),
        ("rules:\n  mandatory: [TC2]\n", 2, "field 'rules/mandatory': 'TC2' is a prefix"),
    ],
    ids=["ignore", "select", "severity", "mandatory"],
)
def test_unknown_rule_ids_in_a_manifest_are_usage_errors(
    rules: str, line: int, message: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", {**BROKEN_PROXY, "tcommlint.yaml": rules})
    code, out, err = run_cli(["check", "d"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"tcommlint: error: d/tcommlint.yaml:{line}: {message}")


def test_rule_ids_of_loaded_rule_directories_are_known(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", BROKEN_PROXY)
    write_tree(in_tmp / "extra-rules", {"XX001-proxy-name-required.yaml": CUSTOM_RULE})
    settings = "rules:\n  mandatory: [XX001]\n  severity: {XX001: info}\n"
    write_tree(in_tmp, {"tcommlint.yaml": f"rule_dirs: [extra-rules]\n{settings}"})
    code, report = run_json(["check", "d", "--select", "XX", "--severity", "XX001=info"], capsys)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("XX001", "info")]
    write_tree(in_tmp, {"tcommlint.yaml": settings})  # the rules are no longer in use
    code, _, err = run_cli(["check", "d"], capsys)
    assert code == 2
    assert err.startswith("tcommlint: error: tcommlint.yaml:2: field 'rules/mandatory': unknown")


@pytest.mark.parametrize(
    "arguments", [["chat-fixed"], ["chat-broken", "--format", "json"]], ids=["short", "long"]
)
def test_the_command_prints_what_main_prints(
    arguments: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command ends without freeing its objects (``cli.console``): what it printed, the
    part still buffered too, is written, and its exit code is main's."""
    monkeypatch.chdir(EXAMPLES)
    code, out, _ = run_cli(["check", *arguments], capsys)
    command = [sys.executable, "-m", "tcommlint", "check", *arguments]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run(command, capture_output=True, text=True, env=buffered, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, "")


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    command = [sys.executable, "-m", "tcommlint", "check", "chat-broken", "--format", "json"]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen(command, cwd=EXAMPLES, env=buffered, **pipes)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the report is written: every write finds no reader
    errors = process.stderr.read()
    assert (process.wait(), errors) == (2, b"")
