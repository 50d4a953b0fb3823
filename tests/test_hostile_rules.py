"""Hostile rule files: a rule's outputs never reach outside the deployment, and a malformed one
is a one-line usage error that names the rule, never an internal error (issue 15, 3, 4, 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcommlint.reporters import FORMATS

from conftest import run_cli, write_tree

CANARY = "CANARY-7f3a-outside"
RULE_FILE = "rules/XX901.yaml"
DEPLOYMENT = {
    "d/proxy/proxy.properties": "ProxyName=chat-1\nAutoCallQueue=yes\n",
    "d/server/rconfig.properties": "enable.callagentMessage=yes\n",
    "d/notes.txt": CANARY + "\n",  # in the tree, but not a file the deployment reads
}


@pytest.fixture
def deployment(in_tmp: Path) -> Path:
    write_tree(in_tmp, DEPLOYMENT)
    (in_tmp / "canary.txt").write_text(CANARY + "\n")
    return in_tmp


def _rule(root: Path, **fields: str) -> None:
    """A rule XX901 that fires once, on the proxy's AutoCallQueue; ``fields`` are CEL."""
    cel = {"at": "entry.value_loc", **fields}
    fix = {"description": "d", "edits": cel.pop("edits")} if "edits" in cel else None
    rule = {
        "id": "XX901",
        "name": "hostile",
        "severity": "warning",
        "summary": "A rule from a pull request.",
        "for_each": 'deployment.entries.filter(e, e.key == "AutoCallQueue")',
        "as": "entry",
        "when": "true",
        **cel,
        "message": "m",
        **({"fix": fix} if fix else {}),
        "docs": {"what": "w", "why": "w", "fix": "f"},
        "examples": {"fail": [{"files": {}}], "pass": [{"files": {}}]},
    }
    write_tree(root, {RULE_FILE: json.dumps(rule, indent=1)})  # JSON is YAML


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["check", "d", "--rules", "rules", "--select", "XX901", *argv], capsys)


def _refused(code: int, out: str, err: str, reason: str) -> None:
    """Exit 2, one line on stderr that names the rule file and the rule, nothing else."""
    assert code == 2, err
    assert err.count("\n") == 1 and "internal error" not in err
    assert err.startswith(f"tcommlint: error: {RULE_FILE}: rule XX901 failed: "), err
    assert reason in err
    assert CANARY not in out + err


def _outside(root: Path) -> list[str]:
    return [
        "canary.txt:1:1",  # beside the deployment
        f"{root}/canary.txt:1:1",  # by absolute path
        "d/../canary.txt:1:1",
        "d/notes.txt:1:1",  # inside the tree, but skipped
        "/etc/passwd:1:1",
    ]


def _quoted(text: str) -> str:
    return json.dumps(text)


def test_at_outside_the_deployment_is_refused_in_every_format(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for place in _outside(deployment):
        _rule(deployment, at=_quoted(place))
        for fmt in FORMATS:
            code, out, err = _check(["--format", fmt], capsys)
            _refused(code, out, err, "is not a file of deployment 'd'")


def test_related_outside_the_deployment_is_refused(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for place in _outside(deployment):
        _rule(deployment, related=f'[{{"at": {_quoted(place)}, "message": "see"}}]')
        for fmt in ("html", "text", "json"):
            code, out, err = _check(["--format", fmt], capsys)
            _refused(code, out, err, "'related/at' gives")


def test_fix_edit_outside_the_deployment_is_refused_and_writes_nothing(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = [*_outside(deployment)[:4], "rules/XX901.yaml:1:1"]
    for place in outside:
        edit = f'[{{"at": {_quoted(place)}, "old": "{CANARY}", "new": "PWNED"}}]'
        _rule(deployment, edits=edit)
        for flags in (["--fix", "--unsafe-fixes"], ["--diff", "--unsafe-fixes"]):
            code, out, err = _check(flags, capsys)
            _refused(code, out, err, "is not a file of deployment 'd'")
    assert (deployment / "canary.txt").read_text() == CANARY + "\n"
    assert (deployment / "d" / "notes.txt").read_text() == CANARY + "\n"


def test_fix_edit_of_the_manifest_is_refused(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = "deployment:\n  name: d\n"
    write_tree(deployment, {"d/tcommlint.yaml": manifest})
    _rule(deployment, edits='[{"at": "d/tcommlint.yaml:1:1", "old": "deployment", "new": "x"}]')
    code, out, err = _check(["--fix", "--unsafe-fixes"], capsys)
    _refused(code, out, err, "a fix may only edit the configuration files of deployment 'd'")
    assert (deployment / "d" / "tcommlint.yaml").read_text() == manifest


MALFORMED = [
    pytest.param({"at": '"nonsense"'}, "'at' must give a location", id="at-nonsense"),
    pytest.param({"at": '"a:b:c"'}, "'at' must give a location", id="at-not-numbers"),
    pytest.param({"at": '":1:1"'}, "'' is not a file", id="at-no-path"),
    pytest.param({"at": '"x:0:0"'}, "'x' is not a file", id="at-unknown-file"),
    pytest.param({"at": '"x:-1:1"'}, "'at' must give a location", id="at-negative-line"),
    pytest.param({"at": "1"}, "'at' must give a location", id="at-number"),
    pytest.param(
        {"at": '"d/proxy/proxy.properties:0:1"'}, "no such line and column", id="at-line-0"
    ),
    pytest.param(
        {"at": '"d/proxy/proxy.properties:4:1"'}, "no such line and column", id="at-past-the-end"
    ),
    pytest.param(
        {"at": '"d/proxy/proxy.properties:1:0"'}, "no such line and column", id="at-column-0"
    ),
    pytest.param(
        {"at": '"d/proxy/proxy.properties:99999999999:1"'},
        "no such line and column",
        id="at-huge-line",
    ),
    pytest.param(
        {"at": '"d/proxy/proxy.properties:1:' + "9" * 5000 + '"'},
        "'at' must give a location",
        id="at-5000-digits",
    ),
    pytest.param({"related": '"[1,2]"'}, "'related' must give a list of maps", id="related-text"),
    pytest.param({"related": "[1, 2]"}, "'related' must give a list of maps", id="related-ints"),
    pytest.param(
        {"related": '[{"at": entry.loc, "message": 3}]'},
        "message that is not a string",
        id="related-message-number",
    ),
    pytest.param(
        {"related": '[{"at": entry.loc, "why": "x"}]'}, "unknown key 'why'", id="related-key"
    ),
    pytest.param({"edits": '"[1,2]"'}, "'fix/edits' must give a list of maps", id="edits-text"),
    pytest.param({"edits": "[1, 2]"}, "'fix/edits' must give a list of maps", id="edits-ints"),
    pytest.param(
        {"edits": '[{"at": entry.value_loc, "old": 1, "new": "true"}]'},
        "'at', 'old' and 'new' strings",
        id="edits-old-number",
    ),
    pytest.param(
        {"edits": '[{"at": entry.value_loc, "old": "yes", "new": "true", "exact": "yes"}]'},
        "'exact' true or false",
        id="edits-exact-text",
    ),
    pytest.param(
        {"edits": '[{"at": "d/proxy/proxy.properties:9:1", "old": "yes", "new": "true"}]'},
        "no such line and column",
        id="edits-past-the-end",
    ),
    pytest.param({"severity_when": '"5"'}, "'severity_when' must give one of", id="severity-5"),
    pytest.param({"severity_when": "5"}, "'severity_when' must give one of", id="severity-int"),
    pytest.param(
        {"severity_when": '"Error"'}, "'severity_when' must give one of", id="severity-case"
    ),
]


@pytest.mark.parametrize(("fields", "reason"), MALFORMED)
def test_malformed_rule_output_is_a_usage_error_naming_the_rule(
    deployment: Path, capsys: pytest.CaptureFixture[str], fields: dict[str, str], reason: str
) -> None:
    _rule(deployment, **fields)
    for flags in ([], ["--fix", "--unsafe-fixes"]):
        code, out, err = _check(flags, capsys)
        _refused(code, out, err, reason)
    assert (deployment / "d/proxy/proxy.properties").read_text() == DEPLOYMENT[
        "d/proxy/proxy.properties"
    ]


def test_well_formed_outputs_are_accepted(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rule(
        deployment,
        severity_when='"error"',
        related='[{"at": ""}, {"at": "d/server/rconfig.properties:1:1"}]',
        edits='[{"at": entry.value_loc, "old": "yes", "new": "true", "exact": true}]',
    )
    code, out, err = _check(["--format", "json"], capsys)
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    assert finding["severity"] == "error"
    assert [r["path"] for r in finding["related"]] == ["d/server/rconfig.properties"]
    code, _, err = _check(["--fix"], capsys)
    assert err == "tcommlint: fixed 1 finding\n"
    assert (deployment / "d/proxy/proxy.properties").read_text().endswith("AutoCallQueue=true\n")
