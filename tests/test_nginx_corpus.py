"""The nginx loader against the real-world corpus in ``../shared/corpus/nginx`` (60 files).

Every file is read as nginx (never "no load-balancer config"), without an exception, each
in its own deployment. Two files of the corpus are not nginx configurations at all (a
collectd plugin file and an upstart job); their names claim nginx, so they are read as nginx
and refused as nginx would refuse them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.classify import format_of, named_role
from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.loaders.nginx.tree import PLUS_HINT

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "nginx"
FILES = sorted(CORPUS.glob("*.conf")) if CORPUS.is_dir() else []
SKIP = pytest.mark.skipif(not FILES, reason=f"the shared corpus is absent ({CORPUS})")

# Corpus file -> the reason nginx refuses it for.
EXPECTED_ERRORS = {
    "nginxinc__NGINX-Demos__nginx-gcp-meetup-demo__nginxplus__stackdriver-plugin.conf": (
        'unexpected ">"'
    ),
    "nginxinc__NGINX-Demos__nginx-openstack-heat-demo__nginxplus__sync.conf": (
        'unexpected end of file, expecting ";" or "}"'
    ),
}


@SKIP
def test_the_corpus_has_its_sixty_files() -> None:
    assert len(FILES) == 60


@SKIP
@pytest.mark.parametrize("path", FILES, ids=[p.name[-60:] for p in FILES])
def test_corpus_file_is_read_as_nginx(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    # by content, else by the name (``nginx*.conf``) as ``load`` decides for a file whose
    # content says nothing (the collectd and upstart files)
    assert (format_of(path, text) or named_role(path)) == "nginx"
    copy = tmp_path / "lb" / path.name
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    result = load_nginx([(str(copy), text)], Includes(tmp_path, tmp_path))
    reasons = [error.reason for error in result.errors]
    if any(PLUS_HINT in reason for reason in reasons) or "nginxplus" in path.name:
        # a file meant for NGINX Plus: open-source nginx refuses it, NGINX Plus reads it
        result = load_nginx([(str(copy), text)], Includes(tmp_path, tmp_path), plus=True)
        reasons = [error.reason for error in result.errors]
    expected = EXPECTED_ERRORS.get(path.name)
    if expected is None:
        assert reasons == [] and len(result.load_balancers) == 1
    else:
        assert reasons == [expected]


OTHER_KINDS = ("haproxy", "f5-tmsh", "apache", "tomcat")


@pytest.mark.skipif(not CORPUS.parent.is_dir(), reason="the shared corpus is absent")
@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_nginx_does_not_claim_other_vendors_files(kind: str) -> None:
    from tcommlint.loaders.registry import claim

    folder = CORPUS.parent / kind
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()] if folder.is_dir() else []
    claimed = [
        p.name
        for p in files
        if (loader := claim(p.read_text(encoding="utf-8", errors="replace"), False)) is not None
        and loader.role == "nginx"
    ]
    assert claimed == []
