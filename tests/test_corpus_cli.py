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


def test_nginx_is_not_mistaken_for_a_supported_format(
    corpus: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    code, _, err = run_cli(["check", "nginx"], capsys)
    assert code == 2
    assert err == "tcommlint: error: no configuration found in nginx\n"
