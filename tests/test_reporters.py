"""Every output format of ``check``: structure, schema, determinism and golden files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tcommlint.reporters import FORMATS
from tcommlint.reporters.github_report import escape_data, escape_property
from tcommlint.resources import schema

from conftest import SHARED, run_cli, write_tree

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
SARIF_SCHEMA = SHARED / "schemas-external" / "sarif-schema-2.1.0.json"
PROXY_1 = "chat-broken/proxy-1/conf/config/proxy.properties"
SERVER = "chat-broken/server/rconfig.properties"
STATIC_FORMATS = [name for name in FORMATS if name != "html"]


@pytest.fixture
def in_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in the project's examples folder with an isolated cache."""
    monkeypatch.chdir(EXAMPLES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return EXAMPLES


@pytest.fixture
def broken_copy(in_tmp: Path) -> Path:
    """A copy of examples/chat-broken as ``chat-broken`` in the temporary working directory."""
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "chat-broken")
    return in_tmp


def render(fmt: str, capsys: pytest.CaptureFixture[str], *paths: str) -> str:
    """``tcommlint check PATHS --format FMT``; the run must end with findings or none."""
    code, out, err = run_cli(["check", *(paths or ("chat-broken",)), "--format", fmt], capsys)
    assert code in (0, 1), err
    return out


def sarif(capsys: pytest.CaptureFixture[str], *paths: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render("sarif", capsys, *paths))
    return log


# --- determinism and golden files ---------------------------------------------------------


@pytest.mark.parametrize("fmt", STATIC_FORMATS)
def test_same_input_gives_byte_identical_output(
    fmt: str, in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = render(fmt, capsys)
    assert first
    assert render(fmt, capsys) == first


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("json", "report.json"), ("text", "report.txt"), ("sarif", "report.sarif")],
    ids=["json", "text", "sarif"],
)
def test_golden_output_of_chat_broken(
    fmt: str, golden: str, in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actual = render(fmt, capsys)
    path = GOLDEN / golden
    if os.environ.get("TCOMMLINT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.is_file(), f"{path} missing; run with TCOMMLINT_UPDATE_GOLDEN=1"
    assert actual.encode("utf-8") == path.read_bytes(), (
        f"{golden} differs; if the change is intended, run with TCOMMLINT_UPDATE_GOLDEN=1"
    )


# --- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["chat-broken", "chat-fixed"])
def test_json_report_matches_its_schema(
    example: str, in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    report = json.loads(render("json", capsys, example))
    jsonschema.validate(report, schema("report.schema.json"))


# --- SARIF ----------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"../shared/schemas-external not present: {SARIF_SCHEMA} is missing")
    import jsonschema

    sarif_schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    errors = sorted(validator.iter_errors(sarif(capsys)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_driver_lists_every_rule_with_documentation(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tcommlint.ruleset import load_rules

    run = sarif(capsys)["runs"]
    assert len(run) == 1
    driver = run[0]["tool"]["driver"]
    assert driver["name"] == "tcommlint"
    rules = [rule for rule in load_rules() if rule.facts == "deployment"]  # check's rules
    assert [r["id"] for r in driver["rules"]] == [r.id for r in rules]
    tc101 = driver["rules"][[r.id for r in rules].index("TC101")]
    assert tc101["name"] == "duplicate-queuing"
    assert tc101["shortDescription"]["text"].startswith("Proxy AutoCallQueue is true")
    assert "enable.callagentMessage" in tc101["fullDescription"]["text"]
    assert tc101["help"]["markdown"].startswith("# TC101 duplicate-queuing")
    assert "## How to fix" in tc101["help"]["text"]
    assert tc101["defaultConfiguration"]["level"] == "error"


def test_sarif_results_point_at_the_rule_and_the_location(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = sarif(capsys)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["message"]["text"]
        levels.add(result["level"])
    assert levels == {"error", "warning"}


def test_sarif_tc101_has_the_server_key_as_related_location(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = [r for r in sarif(capsys)["runs"][0]["results"] if r["ruleId"] == "TC101"]
    assert len(results) == 1
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == PROXY_1
    assert location["region"] == {"startLine": 10, "startColumn": 1}
    (related,) = results[0]["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == SERVER
    assert related["physicalLocation"]["region"]["startLine"] == 7
    assert related["message"]["text"] == "enable.callagentMessage=false"


def test_sarif_fingerprints_survive_moved_lines(
    broken_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fingerprints() -> dict[tuple[str, int], str]:
        results = sarif(capsys)["runs"][0]["results"]
        return {
            (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r[
                "partialFingerprints"
            ]["tcommlint/v1"]
            for r in results
        }

    before = fingerprints()
    proxy = broken_copy / PROXY_1
    proxy.write_text("# moved\n\n" + proxy.read_text(encoding="utf-8"), encoding="utf-8")
    after = fingerprints()
    assert before[("TC101", 10)] == after[("TC101", 12)]
    assert sorted(before.values()) == sorted(after.values())


def test_sarif_info_level_is_note(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp / "d", {"proxy/conf/config/proxy.properties": "AutoCallQueue=true\n"})
    results = sarif(capsys, "d")["runs"][0]["results"]
    assert results and {r["level"] for r in results if r["ruleId"] == "TC006"} == {"note"}


# --- JUnit ----------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_rule_with_failures(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tcommlint.ruleset import load_rules

    root = ET.fromstring(render("junit", capsys))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    check_rules = [rule for rule in load_rules() if rule.facts == "deployment"]
    assert len(cases) == len(check_rules) == int(suite.get("tests", ""))
    assert {c.get("classname") for c in cases} == {"prod-eu"}
    failed = {
        c.get("name", ""): failure for c in cases if (failure := c.find("failure")) is not None
    }
    assert set(failed) == {
        "TC005 non-canonical-boolean",
        "TC101 duplicate-queuing",
        "TC104 proxies-disagree",
        "TC205 persistence-timeout-too-short",
        "TC209 session-cookie-not-learned",
        "TC211 pool-members-mismatch",
        "TC301 captcha-file-empty",
    }
    assert suite.get("failures") == root.get("failures") == "7"
    assert failed["TC005 non-canonical-boolean"].get("message", "").startswith("2 findings")
    assert f"{PROXY_1}:10:1: TC101" in (failed["TC101 duplicate-queuing"].text or "")
    assert failed["TC211 pool-members-mismatch"].get("type") == "warning"


def test_junit_not_evaluable_rules_are_skipped_with_the_reason(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", {"proxy/conf/config/proxy.properties": "AutoCallQueue=true\n"})
    root = ET.fromstring(render("junit", capsys, "d"))
    (suite,) = root.findall("testsuite")
    skipped = {
        c.get("name", "").split()[0]: c.find("skipped")
        for c in suite.findall("testcase")
        if c.find("skipped") is not None
    }
    assert "TC101" in skipped and "TC201" in skipped
    assert skipped["TC101"] is not None and skipped["TC101"].get("message")
    assert int(suite.get("skipped", "")) == len(skipped) == int(root.get("skipped", ""))


# --- GitHub ---------------------------------------------------------------------------------


def test_github_annotations(in_examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = render("github", capsys).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 8
    assert lines[-1].startswith("7 errors, 1 warning")
    tc101 = next(line for line in commands if "TC101" in line)
    assert tc101.startswith(
        f"::error file={PROXY_1},line=10,col=1,title=TC101 duplicate-queuing::AutoCallQueue is true"
    )
    assert f"%0Arelated: {SERVER}:7:1: enable.callagentMessage=false" in tc101
    assert any(line.startswith("::warning file=") and "TC211" in line for line in commands)


@pytest.mark.parametrize(
    ("function", "raw", "escaped"),
    [
        (escape_data, "100% a\r\nb", "100%25 a%0D%0Ab"),
        (escape_data, "a:b,c", "a:b,c"),
        (escape_property, "a:b,c%\n", "a%3Ab%2Cc%25%0A"),
    ],
    ids=["data", "data-keeps-colon-comma", "property"],
)
def test_github_escaping(function: Any, raw: str, escaped: str) -> None:
    assert function(raw) == escaped


def test_github_property_escaping_in_a_file_name(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "a,b", {"proxy/conf/config/proxy.properties": "AutoCallQueue=yes\n"})
    out = render("github", capsys, "a,b")
    assert "file=a%2Cb/proxy/conf/config/proxy.properties,line=1," in out


# --- GitLab ---------------------------------------------------------------------------------


def test_gitlab_code_quality(in_examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issues = json.loads(render("gitlab", capsys))
    assert isinstance(issues, list) and len(issues) == 8
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    severities = {issue["check_name"].split()[0]: issue["severity"] for issue in issues}
    assert severities["TC101"] == "critical"
    assert severities["TC211"] == "major"
    tc101 = next(i for i in issues if i["check_name"] == "TC101 duplicate-queuing")
    assert tc101["location"] == {"path": PROXY_1, "lines": {"begin": 10}}


def test_gitlab_info_severity(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp / "d", {"proxy/conf/config/proxy.properties": "AutoCallQueue=true\n"})
    issues = json.loads(render("gitlab", capsys, "d"))
    assert {i["severity"] for i in issues if i["check_name"].startswith("TC006")} == {"info"}


def test_clean_deployment_gives_empty_reports(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json.loads(render("gitlab", capsys, "chat-fixed")) == []
    assert sarif(capsys, "chat-fixed")["runs"][0]["results"] == []
    root = ET.fromstring(render("junit", capsys, "chat-fixed"))
    assert root.get("failures") == "0"


def test_the_manifest_schema_lists_the_registered_formats() -> None:
    """One list of formats: the reporters' registry; the schema's enum must follow it."""
    import importlib

    from tcommlint.reporters import REGISTRY

    schema_path = Path(__file__).resolve().parents[1] / "schemas" / "manifest.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert schema["properties"]["format"]["enum"] == list(FORMATS)
    for entry in REGISTRY:  # every registered format has its reporter
        assert callable(importlib.import_module(f"tcommlint.reporters.{entry.name}_report").render)
