"""Every file of ../shared/corpus/apache is read as an Apache httpd configuration, never
skipped, without a crash; the files httpd itself refuses are TC001.

The refusals were checked with the real ``apache2 -t`` (2.4, Debian) on each file included
from a minimal server configuration (mpm_event, proxy, headers, rewrite, ssl... loaded):

- the three PHP templates start with ``<?php``: "<?php> was not closed.";
- httpd's own ``httpd.conf.in`` is a template whose ``@@LoadModule@@`` and ``@@ServerRoot@@``
  placeholders httpd refuses (apache2 stops at ServerRoot, "must be a valid directory";
  tcommlint at the first placeholder directive);
- five whole server configurations ``Include`` files the corpus does not hold (Debian's
  apache2.conf: ``Include ports.conf``, "Could not open configuration file …ports.conf: No such
  file or directory" at line 130, the same line and words from apache2 -t run on the file alone;
  the CentOS, Gentoo, OPENDAP and Polarbear08 files name a ServerRoot that is not on this
  machine, where apache2 stops first, and then include conf.modules.d/, modules.d/, conf.d/,
  conf/extra/…).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.classify import format_of, text_of
from tcommlint.includes import Includes
from tcommlint.loaders.apache.loader import load_apache

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "apache"
REFUSED = {
    "DavidGL17__InfraHTTP__docker-images__apache-reverse-proxy__template__config-template.php",
    "edechambrier__Teaching-HEIGVD-RES-2020-Labo-HTTPInfra__docker-images__apache-reverse-proxy"
    "-dynamic-loadbalance-sticky__templates__config-template.php",
    "zaccariach__Teaching-HEIGVD-RES-2020-Labo-HTTPInfra__docker-images__apache-reverse-proxy"
    "__templates__config-template.php",
    "apache__httpd__docs__conf__httpd.conf.in",
    "OPENDAP__test.opendap.org__httpd__httpd.conf",
    "OPENDAP__test.opendap.org__httpd__httpd.conf.OLD",
    "Polarbear08__httpd-tomcat__httpd__httpd.conf",
    "certbot__certbot__certbot__src__certbot___internal__tests__plugins__apache__testdata__"
    "centos7_apache__apache__httpd__conf__httpd.conf",
    "certbot__certbot__certbot__src__certbot___internal__tests__plugins__apache__testdata__"
    "debian_apache_2_4__default_vhost__apache2__apache2.conf",
    "certbot__certbot__certbot__src__certbot___internal__tests__plugins__apache__testdata__"
    "gentoo_apache__apache__apache2__httpd.conf",
}

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not here ({CORPUS})"
)


def _files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "PROVENANCE.md")


def test_the_corpus_has_its_56_files() -> None:
    assert len(_files()) == 56


@pytest.mark.parametrize("path", _files() if CORPUS.is_dir() else [], ids=lambda p: p.name[-50:])
def test_every_corpus_file_is_read_as_apache(path: Path) -> None:
    text = text_of(path.read_bytes())
    assert format_of(path, text) == "apache"
    balancers, errors, _ = load_apache([(path.name, text)], Includes(CORPUS, CORPUS))
    if path.name in REFUSED:
        assert errors and not balancers
        assert all("\n" not in error.reason for error in errors)
    else:
        assert errors == () and len(balancers) == 1


@pytest.mark.parametrize("other", ["nginx", "haproxy", "f5-tmsh", "f5-as3", "tomcat"])
def test_no_file_of_another_corpus_is_read_as_apache(other: str) -> None:
    root = CORPUS.parent / other
    if not root.is_dir():
        pytest.skip(f"no {other} corpus")
    claimed = [
        p.name
        for p in sorted(root.rglob("*"))
        if p.is_file() and format_of(p, text_of(p.read_bytes())) == "apache"
    ]
    assert claimed == []
