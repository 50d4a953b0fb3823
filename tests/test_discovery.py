"""Which files make which deployment (SPEC §2), what happens to files that cannot be read, and
the switches that stop a gate from passing on half a deployment (``require``, ``--list-files``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tcommlint import discover
from tcommlint.classify import named_role

from conftest import run_cli, run_json, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LB = (
    "defaults\n    mode http\nfrontend fe\n    bind :80\n    default_backend be\n"
    "backend be\n    cookie SRV insert indirect nocache\n"
    "    server p1 10.0.0.11:8080 cookie p1\n    server p2 10.0.0.12:8080 cookie p2\n"
)
# Two proxies queue the session twice against this server (TC101): a finding that only a
# deployment holding both files can produce.
DUPLICATE_QUEUING = {
    "proxy/proxy.properties": "AutoCallQueue=true\n",
    "server/rconfig.properties": "enable.callagentMessage=false\n",
    "lb/haproxy.cfg": LB,
}
CLEAN = {
    "proxy/proxy.properties": "AutoCallQueue=true\n",
    "server/rconfig.properties": "enable.callagentMessage=true\n",
    "lb/haproxy.cfg": LB,
}


def _roots(report: dict[str, Any]) -> list[str]:
    return [deployment["root"] for deployment in report["deployments"]]


def _paths(report: dict[str, Any]) -> set[str]:
    return {finding["location"]["path"] for finding in report["findings"]}


def test_file_argument_checks_the_smallest_complete_deployment_around_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b", "c"):
        write_tree(in_tmp / "fleet" / name, DUPLICATE_QUEUING)
    code, report = run_json(["check", "fleet/b/lb/haproxy.cfg", "--select", "TC101"], capsys)
    assert code == 1
    assert _roots(report) == ["fleet/b"]
    assert report["summary"]["files"] == 3
    assert _paths(report) == {"fleet/b/proxy/proxy.properties"}


def test_file_argument_without_a_complete_deployment_is_its_own_directory(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp,
        {
            "proxy/proxy.properties": "AutoCallQueue=true\n",
            "server/r.properties": "enable.callagentMessage=false\n",
        },
    )
    code, report = run_json(["check", "server/r.properties"], capsys)
    assert _roots(report) == ["server"]  # never the working directory by default
    assert "TC101" not in {finding["rule"] for finding in report["findings"]}
    write_tree(in_tmp, {"lb/haproxy.cfg": LB})
    code, report = run_json(["check", "server/r.properties"], capsys)
    assert code == 1 and _roots(report) == ["."]
    assert "TC101" in {finding["rule"] for finding in report["findings"]}


def test_file_argument_belongs_to_its_nearest_manifest_even_above_the_working_directory(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(in_tmp / "prod", {**DUPLICATE_QUEUING, "tcommlint.yaml": "require: [lb]\n"})
    monkeypatch.chdir(in_tmp / "prod" / "server")
    code, report = run_json(["check", "rconfig.properties", "--select", "TC101"], capsys)
    assert code == 1
    assert [Path(root).name for root in _roots(report)] == ["prod"]


def test_the_search_for_a_deployment_is_bounded(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file under a huge unrelated tree (``/tmp``) falls back to its own directory instead of
    reading the whole tree."""
    write_tree(in_tmp / "other", {f"note{index}.txt": "x\n" for index in range(40)})
    write_tree(in_tmp, {k: v for k, v in CLEAN.items() if not k.startswith("lb/")})
    write_tree(in_tmp / "lonely", {"lb/haproxy.cfg": LB})
    code, report = run_json(["check", "lonely/lb/haproxy.cfg"], capsys)
    assert _roots(report) == ["."]  # the whole tree makes a complete deployment
    monkeypatch.setattr(discover, "SEARCH_BUDGET", 10)
    code, report = run_json(["check", "lonely/lb/haproxy.cfg"], capsys)
    assert code == 0
    assert _roots(report) == ["lonely/lb"]


def test_directory_with_one_manifest_still_reads_the_deployments_without_one(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "prod", {**DUPLICATE_QUEUING, "tcommlint.yaml": "deployment: {}\n"})
    write_tree(in_tmp / "staging", DUPLICATE_QUEUING)
    write_tree(in_tmp / "lab", CLEAN)
    write_tree(in_tmp / "shared", {"extra/rconfig.properties": "enable.callagentMessage=true\n"})
    code, report = run_json(["check", ".", "--select", "TC101"], capsys)
    assert code == 1
    assert _roots(report) == [".", "lab", "prod", "staging"]
    assert _paths(report) == {"prod/proxy/proxy.properties", "staging/proxy/proxy.properties"}
    leftover = next(d for d in report["deployments"] if d["root"] == ".")
    assert leftover["name"] != "lab"


def test_directory_without_any_manifest_is_one_deployment(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "site" / "a", DUPLICATE_QUEUING)
    write_tree(in_tmp / "site" / "b", CLEAN)
    code, report = run_json(["check", "site", "--select", "TC101"], capsys)
    assert code == 1 and _roots(report) == ["site"]


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("lb/haproxy.cfg", "an HAProxy configuration"),
        ("proxy-1/conf/config/proxy.properties", "a proxy config"),
        ("server/rconfig.properties", "a server rconfig"),
    ],
)
def test_binary_file_named_or_placed_as_a_config_is_a_parse_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], path: str, what: str
) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "d")
    (in_tmp / "d" / path).write_bytes(bytes(range(256)) * 8)
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert code == 1
    [finding] = report["findings"]
    assert finding["location"] == {"path": f"d/{path}", "line": 1, "column": 1}
    assert (
        f"cannot be read as {what}: not a text file: a NUL byte at offset 0" in (finding["message"])
    )


def test_text_file_named_as_haproxy_config_is_read_as_one(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "d")
    (in_tmp / "d" / "lb" / "haproxy.cfg").write_text("hello world\n")
    code, report = run_json(["check", "d", "--select", "TC001"], capsys)
    assert code == 1
    assert [f["location"]["path"] for f in report["findings"]] == ["d/lb/haproxy.cfg"]


def test_files_that_are_not_configs_are_listed_as_skipped_with_the_reason(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "d")
    write_tree(in_tmp / "d", {"README.md": "# notes\n", "old/settings.json": '{"a": 1}\n'})
    (in_tmp / "d" / "blob.bin").write_bytes(b"\0" * 10)
    (in_tmp / "d" / "link.cfg").symlink_to(in_tmp / "d" / "lb" / "haproxy.cfg")
    code, out, err = run_cli(["check", "d", "--list-files"], capsys)
    assert code == 0, err
    lines = {line.split()[0]: " ".join(line.split()[1:]) for line in out.splitlines() if line}
    assert lines["d/lb/haproxy.cfg"] == "HAProxy configuration"
    assert lines["d/server/rconfig.properties"] == "server rconfig"
    assert lines["d/proxy-1/conf/config/captcha"] == "captcha file"
    assert lines["d/blob.bin"] == "skipped: not a text file: a NUL byte at offset 0"
    assert lines["d/README.md"].startswith("skipped: holds no known proxy or server key")
    assert lines["d/old/settings.json"] == (
        "skipped: read as json: holds no known proxy or server key"
    )
    assert lines["d/link.cfg"] == "skipped: a symbolic link (not followed)"
    assert out.splitlines()[-1] == "1 deployment, 12 files read, 4 skipped"


def test_excluded_files_are_listed_with_the_pattern(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "d")
    (in_tmp / "d" / "tcommlint.yaml").write_text('exclude: ["server/**"]\n')
    code, out, _ = run_cli(["check", "d", "--list-files"], capsys)
    assert code == 0
    lines = [line.split(maxsplit=1) for line in out.splitlines() if line.startswith("  ")]
    assert ["d/server/rconfig.properties", "skipped: excluded by 'server/**'"] in lines


def _incomplete(report: dict[str, Any], part: str = "") -> list[tuple[str, str]]:
    return [
        (f["severity"], f["message"])
        for f in report["findings"]
        if f["rule"] == "TC006" and part in f["message"]
    ]


def test_missing_required_part_is_an_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {k: v for k, v in CLEAN.items() if not k.startswith("lb/")}
    write_tree(in_tmp / "d", files)
    code, report = run_json(["check", "d"], capsys)
    assert code == 0 and [s for s, _ in _incomplete(report, "load-balancer")] == ["info"]
    code, report = run_json(["check", "d", "--require", "lb,proxy"], capsys)
    assert code == 1
    [(severity, message)] = _incomplete(report, "load-balancer")
    assert severity == "error"
    assert message.startswith("no load-balancer config found in this deployment: a required part")
    write_tree(in_tmp / "d", {"tcommlint.yaml": "require: [lb, server]\n"})
    code, report = run_json(["check", "d"], capsys)
    assert code == 1 and [s for s, _ in _incomplete(report, "load-balancer")] == ["error"]
    assert [s for s, _ in _incomplete(report, "Tomcat")] == ["info"]


def test_required_part_no_rule_needs_is_still_reported(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp / "d", DUPLICATE_QUEUING)
    code, report = run_json(["check", "d", "--require", "tomcat", "--select", "TC006"], capsys)
    assert code == 1
    assert _incomplete(report) == [
        (
            "error",
            "no proxy Tomcat conf tree found in this deployment: a required part (require: tomcat)",
        )
    ]


@pytest.mark.parametrize("argument", ["lb,nginx", "LB,,x"])
def test_unknown_required_part_is_a_usage_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], argument: str
) -> None:
    write_tree(in_tmp / "d", CLEAN)
    code, _, err = run_cli(["check", "d", "--require", argument], capsys)
    assert code == 2
    assert "unknown part" in err and len(err.strip().splitlines()) == 1


def test_manifest_require_is_validated(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp / "d", {**CLEAN, "tcommlint.yaml": "require: [loadbalancer]\n"})
    code, _, err = run_cli(["check", "d"], capsys)
    assert code == 2 and "d/tcommlint.yaml" in err


def test_readme_shows_what_list_files_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = EXAMPLES.parent
    monkeypatch.chdir(project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    command = "$ tcommlint check --list-files examples/chat-broken\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    code, out, _ = run_cli(["check", "--list-files", "examples/chat-broken"], capsys)
    assert code == 0 and out == shown


def test_the_parts_one_can_require_are_the_parts_rules_need() -> None:
    import json

    from tcommlint.facts import PARTS

    schema = json.loads((EXAMPLES.parent / "schemas" / "manifest.schema.json").read_text())
    assert sorted(schema["properties"]["require"]["items"]["enum"]) == sorted(PARTS)


def test_each_role_is_named_in_one_table() -> None:
    """TC001's sentence and the file listing name a role alike: the listing's name is the
    sentence's without its article."""
    from tcommlint.classify import ROLE_TITLES, role_label, role_title
    from tcommlint.loaders.registry import BY_ROLE

    roles = {*BY_ROLE, "lb", "proxy", "server", "tomcat", "captcha", "unparsed"}
    assert roles <= set(ROLE_TITLES)
    for role in roles:
        article, _, label = role_title(role).partition(" ")
        assert article in ("a", "an") and label == role_label(role)


NUL = bytes(range(256)) * 4
ONE_OF_EACH = {
    "lb/haproxy.cfg": NUL,  # named, unreadable
    "lb/nginx-main.conf": b"hello\n",  # named, content says nothing
    "lb/other.cfg": b"frontend f\n    bind :80\n    default_backend b\nbackend b\n"
    b"    server s 10.0.0.1:80\n",
    "as3.json": b'{"class": "AS3", "declaration": {}}',
    "proxy-1/conf/config/captcha": NUL,
    "proxy-1/conf/server.xml": NUL,  # a conf tree's file, unreadable
    "proxy-1/conf/web.xml": b"<web-app/>",
    "proxy-2/conf/config/proxy.properties": NUL,  # placed as a proxy config, unreadable
    "proxy-2/conf/config/other.properties": b"AutoCallQueue=true\n",
    "proxy-3/proxy.properties": b"# nothing\n",  # named, no key at all
    "server/rconfig.properties": b"nothing=here\n",
    "server/settings.yaml": b"enable.callagentMessage: true\n",
    "server/other.yaml": b"x: 1\n",
    "server/x.json": b'{"AutoCallQueue": true}',
    "server/loose-server.xml": b"<Server port='8005'/>",
    "server/props.xml": b"<properties><entry key='AutoCallQueue'>true</entry></properties>",
    "server/blob.xml": NUL,
    "server/blob.bin": NUL,
    "server/README.md": b"# notes\n",
}


def test_discovery_counts_each_file_as_the_loader_reads_it(in_tmp: Path) -> None:
    """One decision (``classify.identify``) says what a file is, for the loader and for
    deployment discovery (``part_of``): each file read is counted as the part its role is,
    each file skipped as none."""
    from tcommlint.classify import ROLE_PARTS, part_of
    from tcommlint.load import load_deployment

    for relative, data in ONE_OF_EACH.items():
        (in_tmp / "d" / relative).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / "d" / relative).write_bytes(data)
    (plan,) = discover.plan(["d"], in_tmp)
    deployment = load_deployment(plan, None, in_tmp)
    read = {file.path: ROLE_PARTS.get(file.role, file.role) for file in deployment.files}
    skipped = {entry.path for entry in deployment.skipped}
    counted = {f"d/{relative}": part_of(in_tmp / "d" / relative) for relative in ONE_OF_EACH}
    assert counted == {**dict.fromkeys(skipped), **read}
    assert read["d/proxy-1/conf/server.xml"] == "tomcat"  # discovery said "unparsed" before


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("haproxy.cfg", "haproxy"),
        ("HAProxy-edge.cfg", "haproxy"),
        ("haproxy.cfg.bak", None),
        ("old-haproxy.cfg", None),
        ("bigip_base.conf", "f5-tmsh"),
        ("nginx.conf", "nginx"),
        ("httpd-ssl.conf", "apache"),
        ("apache2.conf", "apache"),
        ("rconfig", "server"),
        ("rconfig.properties", "server"),
        ("proxy.properties", "proxy"),
        ("proxy", None),
    ],
)
def test_a_name_claims_a_role_as_its_glob_says(name: str, role: str | None) -> None:
    """``haproxy*.cfg``, ``bigip*.conf``, ``nginx*.conf``, ``httpd*.conf``, ``apache2*.conf``,
    ``rconfig*``, ``proxy*.properties``, in any case."""
    assert named_role(Path("deployment") / name) == role
