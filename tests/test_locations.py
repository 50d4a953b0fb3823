"""Every location a finding names, primary or related, is a file a user can open."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json, write_tree

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
CONFIG_SUFFIXES = {".cfg", ".conf", ".json", ".xml", ".properties", ".yaml"}
NOT_CONFIG = {"har", "logs"}  # browser captures and logs, read by other commands


def holds_configuration(folder: Path) -> bool:
    return any(f.suffix in CONFIG_SUFFIXES for f in folder.rglob("*") if f.is_file())


DEPLOYMENTS = [
    "examples/chat-broken",
    "examples/chat-fixed",
    "tests/fixtures",
    *sorted(
        folder.relative_to(PROJECT).as_posix()
        for folder in FIXTURES.rglob("*")
        if folder.is_dir()
        and not NOT_CONFIG & set(folder.relative_to(FIXTURES).parts)
        and holds_configuration(folder)
    ),
]


def locations(report: dict[str, object]) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [
        f"{place['path']} ({finding['rule']})"
        for finding in findings
        for place in [finding["location"], *finding["related"]]
    ]


def not_files(report: dict[str, object], cwd: Path) -> list[str]:
    return [where for where in locations(report) if not (cwd / where.split(" (")[0]).is_file()]


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_bundled_deployments_point_at_files(
    deployment: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _, report = run_json(["check", deployment, "--fail-on", "never"], capsys)
    assert not_files(report, PROJECT) == []


def test_the_broken_example_has_related_locations_to_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _, report = run_json(["check", "examples/chat-broken"], capsys)
    assert len(locations(report)) > len(report["findings"])  # type: ignore[arg-type]


HAPROXY = (PROJECT / "examples" / "chat-broken" / "lb" / "haproxy.cfg").read_text(encoding="utf-8")
PROXY = (PROJECT / "examples" / "chat-broken" / "proxy-1" / "conf" / "config").joinpath(
    "proxy.properties"
)


def tc205(report: dict[str, object]) -> dict[str, object]:
    findings = report["findings"]
    assert isinstance(findings, list)
    (finding,) = [f for f in findings if f["rule"] == "TC205"]
    assert isinstance(finding, dict)
    return finding


def test_tc205_without_web_xml_names_no_tomcat_location(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tomcat's built-in 30 minutes, and no web.xml that would hold the setting.
    write_tree(
        in_tmp,
        {
            "chat/lb/haproxy.cfg": HAPROXY,
            "chat/proxy-1/conf/config/proxy.properties": PROXY.read_text(encoding="utf-8"),
            "chat/proxy-1/conf/config/captcha": "length=6\n",
        },
    )
    _, report = run_json(["check", "chat"], capsys)
    related = [r["path"] for r in tc205(report)["related"]]  # type: ignore[union-attr]
    assert related == ["chat/lb/haproxy.cfg"]
    assert not_files(report, in_tmp) == []


def test_tc205_default_timeout_points_at_line_1_of_web_xml(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp,
        {
            "chat/lb/haproxy.cfg": HAPROXY,
            "chat/proxy-1/conf/config/proxy.properties": PROXY.read_text(encoding="utf-8"),
            "chat/proxy-1/conf/config/captcha": "length=6\n",
            "chat/proxy-1/conf/context.xml": '<Context path="">\n</Context>\n',
            "chat/proxy-1/conf/web.xml": "<web-app>\n  <display-name>chat</display-name>\n"
            "</web-app>\n",
        },
    )
    _, report = run_json(["check", "chat"], capsys)
    related = tc205(report)["related"]
    assert {"path": "chat/proxy-1/conf/web.xml", "line": 1, "column": 1} in [
        {k: r[k] for k in ("path", "line", "column")}
        for r in related  # type: ignore[union-attr]
    ]
    assert not_files(report, in_tmp) == []


def test_a_conf_tree_without_xml_files_is_pointed_at_by_a_file(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TC302's related location was the conf folder when the tree held no Tomcat XML file."""
    write_tree(
        in_tmp / "d",
        {"proxy/conf/config/proxy.properties": "AutoCallQueue=true\nEnableCaptcha=true\n"},
    )
    code, report = run_json(["check", "d", "--select", "TC302"], capsys)
    assert code == 1
    assert not_files(report, in_tmp) == []
    [finding] = report["findings"]
    assert [place["path"] for place in finding["related"]] == [
        "d/proxy/conf/config/proxy.properties"
    ]
