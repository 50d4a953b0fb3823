"""Configuration: ``tcommlint.yaml`` and ``[tool.tcommlint]``, found upward, under the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.settings import find_config

from conftest import run_cli, write_tree

# TC005 (error): Java reads "yes" as false.
BAD_PROXY = {"d/proxy/conf/config/proxy.properties": "AutoCallQueue=yes\n"}


@pytest.fixture
def nested(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deployment two folders below the temporary root, which is the working directory."""
    work = in_tmp / "a" / "b"
    write_tree(work, BAD_PROXY)
    monkeypatch.chdir(work)
    return in_tmp


def test_without_configuration_the_error_fails_the_run(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", "d"], capsys)
    assert code == 1
    assert "TC005" in out


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tcommlint.yaml", "fail_on: never\n"),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.tcommlint]\nfail_on = "never"\n'),
        ("pyproject.toml", 'tool.tcommlint.fail_on = "never"\n'),
    ],
    ids=["yaml", "pyproject-table", "pyproject-dotted-key"],
)
def test_configuration_is_found_upward(
    name: str, content: str, nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / name).write_text(content, encoding="utf-8")
    assert find_config(Path.cwd()) == (nested / name).resolve()
    code, out, err = run_cli(["check", "d"], capsys)
    assert (code, err) == (0, "")
    assert "TC005" in out


def test_pyproject_without_the_table_is_passed_over(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / "tcommlint.yaml").write_text("fail_on: never\n", encoding="utf-8")
    (nested / "a" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 99\n", "utf-8")
    assert find_config(Path.cwd()) == (nested / "tcommlint.yaml").resolve()


def test_nearest_configuration_wins(nested: Path) -> None:
    (nested / "tcommlint.yaml").write_text("fail_on: never\n", encoding="utf-8")
    (nested / "a" / "tcommlint.yaml").write_text("fail_on: error\n", encoding="utf-8")
    assert find_config(Path.cwd()) == (nested / "a" / "tcommlint.yaml").resolve()


def test_cli_wins_over_the_file(nested: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (nested / "tcommlint.yaml").write_text("fail_on: never\nformat: json\n", encoding="utf-8")
    code, out, _ = run_cli(["check", "d", "--fail-on", "error", "--format", "text"], capsys)
    assert code == 1
    assert "\nd/proxy/conf/config/proxy.properties:1:15: TC005 [error]" in out
    assert not out.lstrip().startswith("{")


def test_file_settings_apply(nested: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (nested / "tcommlint.yaml").write_text("format: json\nrules: {ignore: [TC005]}\n", "utf-8")
    code, out, _ = run_cli(["check", "d"], capsys)
    assert out.lstrip().startswith("{")
    assert '"TC005"' not in out.split('"findings"')[1]
    assert code == 0


def test_explicit_config_file(nested: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = nested / "other.yaml"
    other.write_text("fail_on: never\n", encoding="utf-8")
    code, _, err = run_cli(["check", "d", "--config", str(other)], capsys)
    assert (code, err) == (0, "")
    code, _, err = run_cli(["check", "d", "--config", "missing.yaml"], capsys)
    assert code == 2
    assert "missing.yaml" in err


@pytest.mark.parametrize(
    ("where", "content", "expected"),
    [
        ("a/b/d/tcommlint.yaml", "deployment: {ha_mode: both}\n", "deployment/ha_mode"),
        ("tcommlint.yaml", "deployment: {ha_mode: both}\n", "deployment/ha_mode"),
        ("tcommlint.yaml", "deployment:\n  average_session_duration: soon\n", "duration"),
        ("tcommlint.yaml", "fail_on: sometimes\n", "fail_on"),
        ("pyproject.toml", '[tool.tcommlint]\nfail_on = "sometimes"\n', "fail_on"),
        ("tcommlint.yaml", "fail_on: [\n", "invalid YAML"),
        ("pyproject.toml", "[tool.tcommlint]\nfail_on = \n", "invalid TOML"),
    ],
    ids=[
        "deployment-manifest",
        "upward-manifest",
        "bad-duration",
        "bad-enum",
        "pyproject",
        "yaml-syntax",
        "toml-syntax",
    ],
)
def test_bad_configuration_is_a_usage_error_naming_file_and_field(
    where: str, content: str, expected: str, nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / where).write_text(content, encoding="utf-8")
    code, out, err = run_cli(["check", "d"], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("tcommlint: error: ")
    assert Path(where).name in err
    assert expected in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tcommlint.yaml", "bogus: 1\n"),
        ("tcommlint.yaml", "deployment: {name: x, colour: red}\n"),
        ("pyproject.toml", "[tool.tcommlint]\nbogus = 1\n"),
    ],
    ids=["top-level", "nested", "pyproject"],
)
def test_unknown_key_is_rejected(
    name: str, content: str, nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / name).write_text(content, encoding="utf-8")
    code, _, err = run_cli(["check", "d"], capsys)
    assert code == 2
    assert "unknown key" in err
    assert ("bogus" in err) or ("colour" in err)


def test_show_config_prints_the_effective_settings(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / "tcommlint.yaml").write_text("fail_on: error\nformat: json\n", encoding="utf-8")
    code, out, _ = run_cli(
        ["check", "--show-config", "--fail-on", "info", "--ignore", "TC208,tc211"], capsys
    )
    assert code == 0
    lines = out.splitlines()
    config = (nested / "tcommlint.yaml").resolve().as_posix()
    assert lines[0] == f"config: {config}"
    assert f"format: json ({config})" in lines
    assert "fail_on: info (command line)" in lines
    assert "ignore: TC208, TC211 (command line)" in lines


def test_show_config_without_a_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", "--show-config"], capsys)
    assert code == 0
    assert "config: (none)" in out.splitlines()
    assert "fail_on: warning (default)" in out.splitlines()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "deployment:\n  average_session_duration: 45 minutes\n",
            "tcommlint.yaml:2: field 'deployment/average_session_duration': "
            "'45 minutes' is not a duration: write 45m",
        ),
        (
            "deployment:\n  average_session_duration: 1 hour 30 mins\n",
            "'1 hour 30 mins' is not a duration: write 90m",
        ),
        (
            "deployment:\n  average_session_duration: soon\n",
            "'soon' is not a duration (write 90s, 45m, 2h, 1d, d:hh:mm:ss or seconds)",
        ),
        (
            "format: text\nfail-on: error\n",
            "tcommlint.yaml:2: top level: unknown key 'fail-on' (did you mean 'fail_on'?)",
        ),
        (
            "deployment:\n  name: eu\n  sesion_cookie: JSESSIONID\n",
            "tcommlint.yaml:3: field 'deployment': unknown key 'sesion_cookie' "
            "(did you mean 'session_cookie'?)",
        ),
        ("rules:\n  ignor: [TC208]\n", "unknown key 'ignor' (did you mean 'ignore'?)"),
        ("colour: red\n", "tcommlint.yaml:1: top level: unknown key 'colour'\n"),
    ],
    ids=["words", "compound", "no-hint", "top-key", "nested-key", "rules-key", "no-guess"],
)
def test_manifest_errors_say_how_to_write_it(
    content: str, message: str, nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / "tcommlint.yaml").write_text(content, encoding="utf-8")
    code, out, err = run_cli(["check", "d"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("tcommlint: error: ") and len(err.splitlines()) == 1
    assert message in err


def test_show_config_merges_the_rule_settings_and_names_their_sources(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / "a" / "b" / "tcommlint.yaml").write_text(
        "rules:\n  select: [TC0]\n  ignore: [TC005]\n  severity: {TC003: info, TC004: error}\n"
        "  mandatory: [TC001]\n",
        encoding="utf-8",
    )
    argv = ["check", "--show-config", "--ignore", "TC008", "--severity", "TC004=info"]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    assert out.splitlines()[4:] == [
        "select: TC0 (tcommlint.yaml)",
        "ignore: TC008 (command line); TC005 (tcommlint.yaml)",
        "severity: TC004=info (command line); TC003=info (tcommlint.yaml)",
        "mandatory: TC001 (tcommlint.yaml)",
    ]


def test_show_config_with_paths_shows_each_deployment_manifest(
    nested: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (nested / "a" / "b" / "tcommlint.yaml").write_text(
        "rules: {ignore: [TC208]}\n", encoding="utf-8"
    )
    (nested / "a" / "b" / "d" / "tcommlint.yaml").write_text(
        "deployment:\n  name: prod-eu\n  average_session_duration: 45m\n"
        "rules:\n  ignore: [TC211]\n  severity: {TC212: error}\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli(["check", "--show-config", "d"], capsys)
    assert code == 0
    section = out.split("deployment prod-eu: d\n", 1)[1].splitlines()
    assert section[0] == "  manifest: d/tcommlint.yaml"
    assert "  app_path: /api (default)" in section
    assert "  average_session_duration: 45m" in section
    assert "  ignore: TC211 (d/tcommlint.yaml); TC208 (tcommlint.yaml)" in section
    assert "  severity: TC212=error (d/tcommlint.yaml)" in section


def test_show_config_checks_rule_ids(nested: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (nested / "a" / "b" / "tcommlint.yaml").write_text(
        "rules: {ignore: [TC999]}\n", encoding="utf-8"
    )
    code, out, err = run_cli(["check", "--show-config"], capsys)
    assert (code, out) == (2, "")
    assert "unknown rule ID or prefix 'TC999'" in err
