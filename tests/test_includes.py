"""Included files are read inside the deployment only, bounded, with wildcards expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint import includes as includes_module
from tcommlint.includes import Includes


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    (root / "lb" / "conf.d").mkdir(parents=True)
    (root / "lb" / "conf.d" / "b.conf").write_text("b\n")
    (root / "lb" / "conf.d" / "a.conf").write_text("a\n")
    (root / "lb" / "conf.d" / ".hidden.conf").write_text("h\n")
    (root / "lb" / "conf.d" / "notes.txt").write_text("n\n")
    (tmp_path / "secret.conf").write_text("outside\n")
    return root


def test_glob_expands_wildcards_sorted_and_skips_hidden_files(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = Includes(root, tmp_path).glob(root / "lb" / "conf.d" / "*.conf")
    assert found == [root / "lb" / "conf.d" / "a.conf", root / "lb" / "conf.d" / "b.conf"]
    assert Includes(root, tmp_path).glob(root / "lb" / "*" / "a.conf") == [
        root / "lb" / "conf.d" / "a.conf"
    ]


def test_a_pattern_leading_outside_the_deployment_is_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    reader = Includes(root, tmp_path)
    assert reader.glob(root / ".." / "*.conf") is None
    assert reader.glob(tmp_path / "secret.conf") is None
    outside = reader.read(tmp_path / "secret.conf")
    assert (outside.text, outside.problem) == (None, "outside the deployment")


def test_a_link_out_of_the_deployment_is_not_followed(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "lb" / "link.conf").symlink_to(tmp_path / "secret.conf")
    included = Includes(root, tmp_path).read(root / "lb" / "link.conf")
    assert included.text is None and included.problem == "outside the deployment"


def test_read_gives_text_and_display_path_or_the_reason(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    reader = Includes(root, tmp_path)
    assert reader.read(root / "lb" / "conf.d" / "a.conf") == (
        "deployment/lb/conf.d/a.conf",
        "a\n",
        "",
    )
    (root / "lb" / "bin.conf").write_bytes(b"x\0y")
    assert reader.read(root / "lb" / "bin.conf").problem.startswith("not a text file")
    assert reader.path_of("deployment/lb/conf.d/a.conf") == root / "lb" / "conf.d" / "a.conf"


def test_the_number_of_included_files_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    monkeypatch.setattr(includes_module, "MAX_INCLUDED", 2)
    reader = Includes(root, tmp_path)
    path = root / "lb" / "conf.d" / "a.conf"
    assert reader.read(path).text == reader.read(path).text == "a\n"
    assert reader.read(path).problem == "more than 2 included files"


def test_a_relative_pattern_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Includes(tmp_path, tmp_path).glob(Path("conf.d/*.conf"))
