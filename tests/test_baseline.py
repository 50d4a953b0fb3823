"""Baselines: accept today's findings, keyed on rule + deployment + model key, never on lines."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROXY_1 = "chat-broken/proxy-1/conf/config/proxy.properties"


@pytest.fixture
def broken(in_tmp: Path) -> Path:
    """examples/chat-broken copied to ``chat-broken`` in the temporary working directory."""
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "chat-broken")
    return in_tmp / "chat-broken"


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    """``tcommlint check chat-broken EXTRA``."""
    return run_cli(["check", "chat-broken", *extra], capsys)


def write_baseline(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, _, err = check(capsys, "--write-baseline", "baseline.json", "--quiet")
    data: dict[str, Any] = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    count = len(data["entries"])
    assert (code, err) == (0, f"tcommlint: wrote {count} findings to baseline.json\n")
    return data


def save(data: dict[str, Any]) -> None:
    Path("baseline.json").write_text(json.dumps(data), encoding="utf-8")


def move_every_line(root: Path) -> None:
    """Insert a blank line at the top of every non-empty file (after an XML declaration)."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if not text:
            continue  # the empty captcha file is itself a finding
        if text.startswith("<?xml"):
            declaration, _, rest = text.partition("\n")
            path.write_text(f"{declaration}\n\n{rest}", encoding="utf-8")
        else:
            path.write_text("\n" + text, encoding="utf-8")


def test_baseline_keeps_the_run_green(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_baseline(capsys)
    assert len(data["entries"]) == 8
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert (code, err) == (0, "")
    assert out == "0 errors, 0 warnings, 0 infos in 1 deployment (12 files); 8 suppressed\n"


def test_entries_name_rule_deployment_and_key_without_lines(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = write_baseline(capsys)["entries"]
    tc101 = [e for e in entries if e["rule"] == "TC101"]
    assert tc101 == [
        {
            "rule": "TC101",
            "deployment": "prod-eu",
            "path": "proxy-1/conf/config/proxy.properties",
            "key": "proxy-1/conf/config/proxy.properties/AutoCallQueue",
            "message": tc101[0]["message"],
        }
    ]
    for entry in entries:
        assert not any(ch.isdigit() for ch in entry["key"].split("/")[-1]), entry
        assert "chat-broken" not in entry["key"]  # relative to the deployment root


def test_baseline_survives_moved_lines(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_baseline(capsys)
    move_every_line(broken)
    code, out, _ = check(capsys, "--format", "json", "--fail-on", "never")
    moved = json.loads(out)["findings"]
    assert len(moved) == 8
    assert any(f["rule"] == "TC101" and f["location"]["line"] == 11 for f in moved)
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert (code, err) == (0, ""), out


def test_baseline_works_from_another_working_directory(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_baseline(capsys)
    monkeypatch.chdir(broken)
    code, out, _ = run_cli(["check", ".", "--baseline", "../baseline.json"], capsys)
    assert code == 0, out


def test_new_problem_fails_the_run(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_baseline(capsys)
    proxy_2 = broken / "proxy-2/conf/config/proxy.properties"
    proxy_2.write_text(
        proxy_2.read_text(encoding="utf-8") + "EnableCaptcha=yes\n", encoding="utf-8"
    )
    code, out, _ = check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert "EnableCaptcha" in out
    assert "8 suppressed" in out


def test_expired_entry_stops_suppressing_and_is_reported(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_baseline(capsys)
    for entry in data["entries"]:
        entry["reason"] = "accepted until the change window"
        entry["expires"] = "2999-12-31"
        if entry["rule"] == "TC101":
            entry["expires"] = "2000-01-01"
    save(data)
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert f"{PROXY_1}:10:1: TC101" in out
    assert "7 suppressed" in out
    assert err.splitlines() == [
        "tcommlint: baseline.json: baseline entry TC101 prod-eu "
        "proxy-1/conf/config/proxy.properties/AutoCallQueue expired on 2000-01-01"
    ]


def test_entry_expiring_today_still_suppresses(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_baseline(capsys)
    for entry in data["entries"]:
        entry["expires"] = datetime.date.today().isoformat()
    save(data)
    assert check(capsys, "--baseline", "baseline.json")[0] == 0


def test_mandatory_rule_is_never_suppressed(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_baseline(capsys)
    manifest = broken / "tcommlint.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "rules:\n  mandatory: [TC101]\n", encoding="utf-8"
    )
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert [line.split()[1] for line in out.splitlines() if line.startswith("chat-broken/")] == [
        "TC101"
    ]
    assert "TC101 is mandatory" in err


def test_rewriting_keeps_reasons_and_expiry(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_baseline(capsys)
    data["entries"][0].update(reason="vendor ticket 42", expires="2999-01-01")
    save(data)
    again = write_baseline(capsys)
    assert again["entries"][0]["reason"] == "vendor ticket 42"
    assert again["entries"][0]["expires"] == "2999-01-01"
    assert again["entries"][1:] == data["entries"][1:]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline file not found"),
        ("{not json", "invalid JSON"),
        ("[]", "expected an object with 'entries'"),
        ('{"entries": [{"rule": "TC101"}]}', "'deployment' is required"),
        ('{"entries": [{"rule": "TC1", "deployment": "d", "key": 3}]}', "expected a string"),
        ('{"entries": [{"rule": "TC1", "deployment": "d", "key": "k", "why": ""}]}', "'why'"),
        (
            '{"entries": [{"rule": "TC1", "deployment": "d", "key": "k", "expires": "2030"}]}',
            "expected YYYY-MM-DD",
        ),
    ],
    ids=["missing", "syntax", "not-object", "required", "type", "unknown-field", "bad-date"],
)
def test_invalid_baseline_is_a_usage_error(
    content: str | None, expected: str, broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if content is not None:
        Path("baseline.json").write_text(content, encoding="utf-8")
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert code == 2
    assert out == ""
    assert err.startswith("tcommlint: error: baseline.json")
    assert expected in err


def test_writing_says_what_it_wrote_and_exits_0(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = broken / "tcommlint.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "rules:\n  mandatory: [TC101]\n", encoding="utf-8"
    )
    code, out, err = check(capsys, "--write-baseline", "baseline.json")
    assert code == 0
    assert "TC101 [error]" in out  # the report is still printed
    assert err == (
        "tcommlint: wrote 7 findings to baseline.json; 1 finding of mandatory rules left out\n"
    )
    assert check(capsys, "--baseline", "baseline.json")[0] == 1  # TC101 still fails the gate


def test_baselines_without_paths_still_suppress(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entries written before ``path`` existed keyed a finding by its key, or its path."""
    data = write_baseline(capsys)
    for entry in data["entries"]:
        path = entry.pop("path")
        if entry["key"] == entry["message"]:  # a finding without a key of its own
            entry["key"] = path
    save(data)
    code, out, err = check(capsys, "--baseline", "baseline.json")
    assert (code, err) == (0, ""), out
    assert out.endswith("; 8 suppressed\n")


def test_root_is_removed_only_where_the_key_starts() -> None:
    from tcommlint.findings import Finding
    from tcommlint.source import Span

    finding = Finding(
        "TC9", "x", "error", "dep", "m", Span("d/proxy.properties", 1),
        key="d/proxy.properties/db.password/x", root="d",
    )  # fmt: skip
    assert finding.identity() == ("TC9", "proxy.properties", "proxy.properties/db.password/x")
    moved = finding._replace(message="see d/server/r.properties:7 and (d/a)", key="")
    assert moved.identity().subject == "see server/r.properties:7 and (a)"


def test_baseline_diff_and_fingerprint_agree_across_a_moved_root(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One identity: the same deployment at two places has the same fingerprints, a baseline
    written at one place accepts every finding at the other, and ``diff`` sees no change."""
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "a" / "chat-broken")
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "b" / "deep" / "chat-broken")
    old, new = "a/chat-broken", "b/deep/chat-broken"

    def fingerprints(path: str) -> list[str]:
        _, out, _ = run_cli(["check", path, "--format", "json", "--fail-on", "never"], capsys)
        return sorted(f["fingerprint"] for f in json.loads(out)["findings"])

    assert fingerprints(old) == fingerprints(new) and len(fingerprints(old)) == 8
    run_cli(["check", old, "--write-baseline", "baseline.json", "--quiet"], capsys)
    code, out, _ = run_cli(["check", new, "--baseline", "baseline.json"], capsys)
    assert code == 0 and out.endswith("; 8 suppressed\n"), out
    code, out, _ = run_cli(["diff", old, new, "--format", "json"], capsys)
    report = json.loads(out)
    assert (code, report["introduced"], report["fixed"]) == (0, [], [])
