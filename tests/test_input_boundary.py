"""The input boundary (tcommlint/inputs.py): FIFOs and devices, sizes, alias bombs, gzip logs
and one-line errors. Inputs that hang today run in a subprocess with a generous timeout."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from conftest import assert_refused, run_cli, run_json, tcommlint_process, write_tree

PROXY = {"d/proxy.properties": "AutoCallQueue=true\n"}
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


# --- FIFOs and devices given as arguments ---------------------------------------------------


@POSIX
@pytest.mark.parametrize(
    ("args", "fifo", "message"),
    [
        (["check", "x.properties"], "x.properties", "x.properties: not a regular file"),
        (["logs", "x.log"], "x.log", "x.log: cannot read log file: not a regular file"),
        (["check", "d", "--baseline", "b.json"], "b.json", "cannot read baseline: not a regular"),
        (["check", "d", "--config", "c.yaml"], "c.yaml", "cannot read manifest: not a regular"),
        (["check", "d", "--rules", "r"], "r/x.yaml", "r/x.yaml: cannot read rule file: not a"),
        (["check", "d", "--logs", "l"], "l/x.log", "l/x.log: cannot read log file: not a"),
        (["har", "x.har"], "x.har", "x.har: cannot read HAR file: not a regular file"),
    ],
    ids=["check", "logs", "baseline", "config", "rules-dir", "logs-dir", "har"],
)
def test_fifo_is_refused_not_waited_on(
    tmp_path: Path, args: list[str], fifo: str, message: str
) -> None:
    write_tree(tmp_path, PROXY)
    (tmp_path / fifo).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(tmp_path / fifo)
    assert_refused(tcommlint_process(args, tmp_path), message)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/dev/zero"], "/dev/zero: not a regular file"),
        (["logs", "/dev/zero"], "/dev/zero: cannot read log file: not a regular file"),
        (["check", "d", "--baseline", "/dev/zero"], "cannot read baseline: not a regular file"),
        (["check", "d", "--config", "/dev/zero"], "cannot read manifest: not a regular file"),
    ],
    ids=["check", "logs", "baseline", "config"],
)
def test_device_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    write_tree(tmp_path, PROXY)
    assert_refused(tcommlint_process(args, tmp_path), message)


@POSIX
def test_fifo_inside_a_deployment_is_listed_as_skipped(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, PROXY)
    os.mkfifo(in_tmp / "d" / "rconfig.properties")
    code, out, _ = run_cli(["check", "d", "--list-files"], capsys)
    assert code == 0
    assert "d/rconfig.properties" in out
    assert "not a regular file" in out


# --- sizes ----------------------------------------------------------------------------------


def test_gigabyte_baseline_is_refused_by_its_size(tmp_path: Path) -> None:
    write_tree(tmp_path, PROXY)
    with (tmp_path / "b.json").open("wb") as file:
        file.truncate(2**30)  # sparse: a gigabyte of zeros that costs no disk
    done = tcommlint_process(["check", "d", "--baseline", "b.json"], tmp_path)
    assert_refused(done, "b.json: cannot read baseline: larger than the 8 MiB limit")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("app.json", b'{"a": "' + b"x" * (8 * 2**20) + b'"}', "larger than the 8 MiB limit"),
        ("app.yaml", b"a: 1\n\0\n", "not a text file: a NUL byte at offset 5"),
        ("settings.xml", b"<a>\0</a>", "not a text file: a NUL byte at offset 3"),
        ("lb.conf", b"ltm pool p {\n\0}\n", "not a text file"),
    ],
    ids=["json-too-large", "yaml-nul", "xml-nul", "conf-nul"],
)
def test_unreadable_file_with_a_config_extension_is_tc001(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, reason: str
) -> None:
    write_tree(in_tmp, PROXY)
    (in_tmp / "d" / name).write_bytes(content)
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert code == 1
    [finding] = report["findings"]
    assert finding["location"]["path"] == f"d/{name}"
    assert f"cannot be read as a configuration file: {reason}" in finding["message"]


def test_size_limit_names_the_manifest_key(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, PROXY)
    (in_tmp / "d" / "big.properties").write_text("a=" + "x" * (8 * 2**20) + "\n")
    _, report = run_json(["check", "d", "--select", "TC001"], capsys)
    [finding] = report["findings"]
    assert finding["message"].endswith(
        "larger than the 8 MiB limit (set max_file_size in tcommlint.yaml)"
    )


def test_max_file_size_in_the_manifest_moves_the_limit(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = "AutoCallQueue=true\n" + "a=" + "x" * 2000 + "\n"
    write_tree(in_tmp, {"d/proxy.properties": big, "d/tcommlint.yaml": "max_file_size: 1KiB\n"})
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert code == 1
    assert "larger than the 1 KiB limit" in report["findings"][0]["message"]
    write_tree(in_tmp, {"d/tcommlint.yaml": "max_file_size: 20MB\n"})
    (in_tmp / "d" / "proxy.properties").write_text(big + "b=" + "y" * (9 * 2**20) + "\n")
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert (code, report["findings"]) == (0, [])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8 parsecs", "tcommlint.yaml:1: field 'max_file_size'"),
        ("2GiB", "tcommlint.yaml:1: field 'max_file_size': '2GiB' is not between 1 byte and 1 GiB"),
    ],
)
def test_bad_max_file_size_is_a_one_line_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    write_tree(in_tmp, {**PROXY, "d/tcommlint.yaml": f"max_file_size: {value}\n"})
    code, _, err = run_cli(["check", "d"], capsys)
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1


# --- logs -----------------------------------------------------------------------------------


def test_gzip_bomb_log_is_read_up_to_the_limit(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcommlint import logs

    monkeypatch.setattr(logs, "MAX_LOG_BYTES", 2**20)
    line = b"2024-05-01 10:00:00 ERROR [t] proxy - UnOpenedSessionNotAllowed sessionId=abcd1234\n"
    with gzip.open(in_tmp / "proxy.log.gz", "wb", compresslevel=1) as file:
        file.write(line)
        file.write(b"\0" * (16 * 2**20))  # one line of 16 MiB zeros, and more after it
        file.write(b"\n" * 2**20)
    code, out, err = run_cli(["logs", "proxy.log.gz"], capsys)
    assert code == 1
    assert "UnOpenedSessionNotAllowed" in out or "1 signature" in out
    assert err.startswith("tcommlint: warning: proxy.log.gz: only the first 4,000,000 lines or")
    assert len(err.splitlines()) == 1


def test_log_is_read_up_to_its_line_limit(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcommlint import logs

    monkeypatch.setattr(logs, "MAX_LOG_LINES", 1000)
    (in_tmp / "server.log").write_text("x\n" * 5000)
    code, out, err = run_cli(["logs", "server.log"], capsys)
    assert code == 0
    assert "(1000 lines)" in out
    assert "searched" in err


# --- one-line errors ------------------------------------------------------------------------


def test_usage_error_spanning_lines_is_printed_on_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcommlint import cli
    from tcommlint.errors import UsageError

    def fail(args: object) -> int:
        raise UsageError("first\n  second", "x.yaml", 3)

    monkeypatch.setitem(cli._COMMANDS, "rules", fail)
    code, _, err = run_cli(["rules"], capsys)
    assert (code, err) == (2, "tcommlint: error: x.yaml:3: first second\n")
