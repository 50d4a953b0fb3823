"""The output boundary: no credential and no control character from the input reaches any
output, whoever wrote the rule and whatever the files are named (issue 15, items 5 and 6)."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tcommlint.output import json_text, printable
from tcommlint.redact import MASK, Redactor, is_sensitive, redact_line, secret_values
from tcommlint.reporters import FORMATS

from conftest import run_cli, write_tree

SECRETS = {
    "properties": "S3cretValue",
    "xml": "XmlS3cret99",
    "yaml": "YamlS3cret42",
    "userlist": "HaS3cret77",
    "stats": "StatsS3cret55",
    "url": "UrlS3cret31",
}

DEPLOYMENT = {
    "proxy/proxy.properties": (
        "AutoCallQueue=yes\n"
        f"db.password={SECRETS['properties']}\n"
        "EnableCaptcha=yes\n"
        f"jdbc.url=jdbc:postgresql://chat:{SECRETS['url']}@db.example.com/chat\n"
    ),
    "server/rconfig.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">\n'
        "<properties>\n"
        '  <entry key="enable.callagentMessage">false</entry>\n'
        f'  <entry key="TCommServerPassword">{SECRETS["xml"]}</entry>\n'
        "</properties>\n"
    ),
    "lb/haproxy.cfg": (
        "userlist admins\n"
        f"    user ops insecure-password {SECRETS['userlist']}\n"
        "frontend fe\n"
        "    bind :443\n"
        f"    stats auth admin:{SECRETS['stats']}\n"
        "    default_backend be_api\n"
        "backend be_api\n"
        "    server p1 10.0.0.11:8443\n"
        "    server p2 10.0.0.12:8443\n"
    ),
    "extra/secrets.yaml": f"AutoCallQueue: true\nchat:\n  api_token: {SECRETS['yaml']}\n",
}

# A rule someone else wrote: it prints the value of every credential, with and without its key.
LEAKY_RULE = """\
id: XX900
name: prints-credentials
severity: warning
summary: Prints every credential it finds.
for_each: deployment.entries.filter(e, e.key.contains("assword") || e.key.contains("token"))
as: entry
when: "true"
at: entry.loc
message: "{entry.key}={entry.value}; the value alone: {entry.value}"
key: "{entry.path}/{entry.key}/{entry.value}"
docs: {what: Prints., why: To test redaction., fix: None.}
examples:
  fail: [{files: {proxy/proxy.properties: "AutoCallQueue=true\\\\ndb.password=x\\\\n"}}]
  pass: [{files: {proxy/proxy.properties: "AutoCallQueue=true\\\\n"}}]
"""


@pytest.fixture
def deployment(in_tmp: Path) -> Path:
    write_tree(in_tmp / "d", DEPLOYMENT)
    write_tree(in_tmp / "rules", {"XX900-prints-credentials.yaml": LEAKY_RULE})
    return in_tmp


def assert_no_secret(*outputs: str) -> None:
    for text in outputs:
        for name, secret in SECRETS.items():
            assert secret not in text, f"the {name} secret is printed"


@pytest.mark.parametrize("rules", [[], ["--rules", "rules"]], ids=["built-in", "user-rule"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_no_format_prints_a_credential(
    deployment: Path, capsys: pytest.CaptureFixture[str], output_format: str, rules: list[str]
) -> None:
    code, out, err = run_cli(["check", "d", *rules, "--format", output_format], capsys)
    assert code == 1, err
    assert_no_secret(out, err)
    if rules:
        assert "XX900" in out and MASK in out


@pytest.mark.parametrize("rules", [[], ["--rules", "rules"]], ids=["built-in", "user-rule"])
def test_diff_baseline_and_report_file_print_no_credential(
    deployment: Path, capsys: pytest.CaptureFixture[str], rules: list[str]
) -> None:
    code, out, err = run_cli(["check", "d", *rules, "--fix", "--diff"], capsys)
    assert code == 1, err
    assert " db.password=********" in out  # the context line, masked
    assert_no_secret(out, err)
    code, out, err = run_cli(["check", "d", *rules, "--write-baseline", "base.json"], capsys)
    assert code == 0, err
    baseline = (deployment / "base.json").read_text(encoding="utf-8")
    assert_no_secret(out, err, baseline)
    code, out, err = run_cli(["check", "d", *rules, "--baseline", "base.json"], capsys)
    assert (code, err) == (0, ""), "the baseline written accepts the same findings"
    run_cli(["check", "d", *rules, "--format", "json", "--output", "report.json"], capsys)
    assert_no_secret((deployment / "report.json").read_text(encoding="utf-8"))


def test_fingerprints_do_not_depend_on_the_credential(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fingerprints() -> list[str]:
        _, out, _ = run_cli(["check", "d", "--rules", "rules", "--format", "json"], capsys)
        return [f["fingerprint"] for f in json.loads(out)["findings"]]

    before = fingerprints()
    other = DEPLOYMENT["proxy/proxy.properties"].replace(SECRETS["properties"], "An0therValue")
    write_tree(deployment / "d", {"proxy/proxy.properties": other})
    assert fingerprints() == before


@pytest.mark.parametrize("show_format", ["text", "json", "mermaid"])
def test_show_prints_no_credential(
    deployment: Path, capsys: pytest.CaptureFixture[str], show_format: str
) -> None:
    code, out, err = run_cli(["show", "d", "--format", show_format, "--trace"], capsys)
    assert code in (0, 1), err
    assert_no_secret(out, err)


def test_diff_command_prints_no_credential(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(deployment / "new", DEPLOYMENT)
    write_tree(deployment / "new", {"proxy/proxy.properties": "AutoCallQueue=true\n"})
    for output_format in ("text", "json"):
        _, out, err = run_cli(["diff", "d", "new", "--format", output_format], capsys)
        assert_no_secret(out, err)


# --- which keys and values are secrets --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("db.password", True),
        ("TCommServerPassword", True),
        ("DB_PASSWORD", True),
        ("keystorePass", True),
        ("chat.api_key", True),
        ("apiKey", True),
        ("privateKey", True),
        ("client_secret", True),
        ("oauth.token", True),
        ("db.password.2", True),
        ("stats auth", True),
        ("insecure-password", True),
        ("cookie-encryption-passphrase", True),
        ("AutoCallQueue", False),
        ("key", False),  # the attribute of <entry key="...">
        ("cookie.key", False),
        ("password.policy", False),
        ("auth.enabled", False),
        ("bypass", False),
    ],
)
def test_which_keys_name_a_credential(key: str, sensitive: bool) -> None:
    assert is_sensitive(key) is sensitive


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("db.password=S3cretValue\n", "S3cretValue"),
        ("chat:\n  password: 'S3cretValue' # old\n", "S3cretValue"),
        ('{"apiKey": "S3cret\\"Value"}', 'S3cret"Value'),
        ('<entry key="db.password">S3cret&amp;Value</entry>', "S3cret&Value"),
        ("<password>S3cretValue</password>", "S3cretValue"),
        ('<Connector keystorePass="S3cretValue"/>', "S3cretValue"),
        ("    stats auth admin:S3cretValue", "S3cretValue"),
        ("    user ops password $6$S3cretValue", "$6$S3cretValue"),
        ('    passphrase "S3cretValue"', "S3cretValue"),
        ("url=https://chat:S3cretValue@db/x", "S3cretValue"),
    ],
)
def test_secret_values_in_every_syntax(text: str, secret: str) -> None:
    assert secret in secret_values(text)
    assert secret not in Redactor(secret_values(text)).text(f"message quoting {secret} alone")


def test_short_secrets_are_masked_only_after_their_key() -> None:
    redactor = Redactor(["a", "abc", "true", "admin", "LongS3cret"])
    assert redactor.text("a cat is true") == "a cat is true"
    assert redactor.text("so pin: abc, password=a here") == f"so pin: abc, password={MASK} here"
    assert redactor.text("user admin, administrator") == f"user {MASK}, administrator"
    assert redactor.text("xLongS3cretx") == f"x{MASK}x"


def test_redact_line_keeps_quotes_and_other_keys() -> None:
    line = '{"user": "chat", "password": "p@ss", "AutoCallQueue": "true"}'
    assert redact_line(line) == f'{{"user": "chat", "password": "{MASK}", "AutoCallQueue": "true"}}'


# --- control characters ------------------------------------------------------------------------


def test_printable_escapes_every_control_character() -> None:
    hostile = "a\x1b[31mb\nc\rd\x9b\u202ee\x7f\udcff\tf"
    assert printable(hostile) == "a\\x1b[31mb\\nc\\rd\\x9b\\u202ee\\x7f\\xff\tf"
    assert printable("ordinary text, é and →") == "ordinary text, é and →"


def test_json_escapes_what_json_itself_leaves_raw() -> None:
    text = json_text({"name": "a\x1b\x9b\u202e\x7fé"})
    assert text == '{\n  "name": "a\\u001b\\u009b\\u202e\\u007fé"\n}\n'
    assert json.loads(text) == {"name": "a\x1b\x9b\u202e\x7fé"}


HOSTILE_NAMES = [
    "proxy\x1b[31m.properties",
    "x\nd/forged.properties:1:1: TC101 [error] forged.properties",
    "cr\rline%25,a:b.properties",
    "<b>&amp;.properties",
    os.fsdecode(b"latin-\xe9.properties"),
]


@pytest.fixture
def hostile(in_tmp: Path) -> Path:
    files = {
        f"d/{name}": "AutoCallQueue=\x1b[31mtrue\nEnableCaptcha=\x9b2Jyes\n"
        for name in HOSTILE_NAMES
    }
    files["d/lb/haproxy\x1b[2J.cfg"] = (
        "frontend fe\x1b]0;pwned\x07\n    bind :443\n    default_backend be\x1b[31m\n"
        "backend be\x1b[31m\n    server p1 10.0.0.11:8443\n    server p2 10.0.0.12:8443\n"
    )
    for relative, content in files.items():
        target = in_tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8", "surrogateescape"))
    return in_tmp


def _no_raw_controls(text: str, allowed: str = "\n") -> None:
    raw = sorted({c for c in text if not c.isprintable() and c not in allowed})
    assert not raw, f"raw control characters in the output: {raw!r}"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "br", "rect", "path"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("output_format", FORMATS)
def test_hostile_names_and_values_are_escaped(
    hostile: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    code, out, err = run_cli(["check", "d", "--format", output_format], capsys)
    assert code == 1, err
    assert "\x1b" not in out and "\x9b" not in out and "\r" not in out
    if output_format in ("json", "sarif", "gitlab"):
        json.loads(out)
        _no_raw_controls(out, "\n ")
    elif output_format == "junit":
        ET.fromstring(out.encode("utf-8"))
        _no_raw_controls(out, "\n")
    elif output_format == "html":
        _check_html(out)
    else:
        _no_raw_controls(out, "\n\t")
        lines = out.splitlines()
        assert not any(line.startswith("d/forged") for line in lines), "a name forged a line"
        if output_format == "github":
            assert all(line.startswith("::") for line in lines[:-1])
            assert "%25" in out and "%3A" in out  # the runner's own escapes still apply


def _check_html(out: str) -> None:
    _no_raw_controls(out, "\n")
    parser = _Collector()
    parser.feed(out)
    parser.close()
    assert parser.open == []
    text = "".join(parser.text)
    assert "<b>&amp;.properties" in text and "\\x1b[31m" in text
    lxml_html = pytest.importorskip("lxml.html")
    lxml_html.document_fromstring(out.encode("utf-8"))


def test_hostile_names_in_list_files_show_and_diff(
    hostile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = [
        run_cli(["check", "d", "--list-files"], capsys)[1],
        run_cli(["show", "d"], capsys)[1],
        run_cli(["show", "d", "--trace", "--format", "mermaid"], capsys)[1],
        run_cli(["check", "d", "--fix", "--diff"], capsys)[1],
    ]
    for out in outputs:
        _no_raw_controls(out, "\n")
        assert not any(line.startswith("d/forged") for line in out.splitlines())
    assert "\\x1b[31m" in outputs[0] and "latin-\\xe9" in outputs[0]
    assert "+AutoCallQueue=\\x1b[31mtrue" not in outputs[3]  # not a canonical boolean: no fix


def test_hostile_names_in_logs_and_har(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    log = in_tmp / "proxy\x1b[31m\n.log"
    source = (fixtures / "logs" / "broken" / "proxy.log").read_text(encoding="utf-8")
    log.write_text(source.replace("UnOpenedSessionNotAllowed", "UnOpenedSessionNotAllowed\x1b[2J"))
    har = in_tmp / "capture\x1b[31m\n.har"
    capture = json.loads((fixtures / "har" / "value-change.har").read_text(encoding="utf-8"))
    for entry in capture["log"]["entries"]:
        entry["request"]["url"] += "?x=\x1b[31m&password=S3cretValue"
    har.write_text(json.dumps(capture), encoding="utf-8")
    for argv in (["logs", str(log)], ["har", str(har)]):
        for output_format in ("text", "json"):
            code, out, err = run_cli([*argv, "--format", output_format], capsys)
            assert code in (0, 1), err
            _no_raw_controls(out, "\n ")
            assert "S3cretValue" not in out
