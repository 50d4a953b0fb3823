"""Each corpus folder, checked as one deployment through the CLI, gives a report, never a crash."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, run_cli

KINDS = ["haproxy", "f5-tmsh", "f5-as3", "tomcat"]


@pytest.fixture
def corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus not present: {CORPUS} (the corpus lives beside the project)")


@pytest.mark.parametrize("kind", KINDS)
def test_corpus_folder_checks_without_crash(
    kind: str, corpus: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    code, out, err = run_cli(["check", kind, "--format", "json", "--fail-on", "never"], capsys)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["summary"]["files"] > 0
    assert all(f["location"]["path"].startswith(f"{kind}/") for f in report["findings"])


def test_every_nginx_corpus_file_is_read_as_nginx(
    corpus: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    code, out, _ = run_cli(["check", "nginx", "--list-files"], capsys)
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("  nginx/")]
    assert len(rows) == 60
    assert all("nginx config" in row for row in rows)
