"""README.md shows what the tool prints and names only documents the repository holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
COMMAND = "tcommlint check examples/chat-broken"
ELISION = "..."


def sample_of(command: str) -> list[str]:
    """The lines of the ```text block that shows ``$ command``, after that line."""
    block = re.search(rf"```text\n\$ {re.escape(command)}\n(.*?)```", README, re.DOTALL)
    assert block, f"no sample of '{command}' in README.md"
    return block.group(1).splitlines()


def matches(sample: list[str], output: list[str]) -> str:
    """Why the output does not match the sample, or "".

    ``...`` stands for any number of lines. Every other line of the sample is in the output,
    whole and in the same order, and the last line of the sample (the summary) is the last line
    of the output.
    """
    if not sample or sample[-1] == ELISION:
        return "the sample must end with the summary line"
    if sample[-1] != (output[-1] if output else ""):
        return f"last line differs: {sample[-1]!r} != {output[-1:]!r}"
    position = 0
    for line in sample:
        if line == ELISION:
            continue
        try:
            position = output.index(line, position) + 1
        except ValueError:
            return f"not in the output (in this order): {line!r}"
    return ""


def test_the_comparison_is_strict_about_order_and_summary() -> None:
    output = ["a", "b", "c", "summary"]
    assert matches(["a", ELISION, "c", "summary"], output) == ""
    assert matches(["c", "a", "summary"], output).startswith("not in the output")
    assert matches(["a", "b [...]", ELISION, "summary"], output).startswith("not in the output")
    assert matches(["a", ELISION, "c"], output).startswith("last line differs")
    assert matches(["a", ELISION], output) != ""


def test_readme_sample_output_is_what_check_prints(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")]),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tcommlint", *COMMAND.split()[1:]],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert matches(sample_of(COMMAND), run.stdout.splitlines()) == ""


# docs/…, schemas/… and any *.md, in a Markdown link or in the text; a web address is not one.
_PATH = re.compile(
    r"(?<![\w./:-])((?:docs|schemas)/[\w./-]*|[\w./-]+\.md)(?![\w/-])",
)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
# "SPEC §6": a section of a named document.
_SECTION = re.compile(r"\b([A-Za-z][\w.-]*)\s+§\s*\d")


def named_documents(text: str) -> set[str]:
    links = {target for target in _LINK.findall(text) if "://" not in target}
    paths = {match.rstrip(".") for match in _PATH.findall(text)}
    sections = set(_SECTION.findall(text))
    return {name.split("#")[0] for name in links | paths} | {
        name if name.endswith(".md") else f"{name}.md" for name in sections
    }


def test_the_document_finder_finds_every_kind_of_mention() -> None:
    text = (
        "see [rules](docs/rules.md#tc201), `schemas/rule.schema.json`, CHANGELOG.md, docs/, "
        "the manifest (SPEC §6) and https://example.com/docs/x.md"
    )
    assert named_documents(text) == {
        "docs/rules.md",
        "schemas/rule.schema.json",
        "CHANGELOG.md",
        "docs/",
        "SPEC.md",
    }


def test_readme_names_only_documents_in_the_repository() -> None:
    names = named_documents(README)
    assert "docs/rules.md" in names
    missing = sorted(name for name in names if not (PROJECT / name).exists())
    assert missing == []
