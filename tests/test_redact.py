"""No output leaks a password value."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tcommlint.redact import MASK, Secrets, is_sensitive, redact_line, redact_value

from conftest import run_cli, write_tree

SECRET = "Sup3r-s3cret!"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"TCommServerPassword={SECRET}", f"TCommServerPassword={MASK}"),
        (f"  db.password: {SECRET}", f"  db.password: {MASK}"),
        (f'"passphrase": "{SECRET}"', f'"passphrase": "{MASK}"'),
        (
            f'<Resource password="{SECRET}" user="chat"/>',
            f'<Resource password="{MASK}" user="chat"/>',
        ),
        (f"<api-token>{SECRET}</api-token>", f"<api-token>{MASK}</api-token>"),
        (
            f'    cookie-encryption-passphrase "{SECRET}"',
            f'    cookie-encryption-passphrase "{MASK}"',
        ),
        (f"    stats auth admin:{SECRET}", f"    stats auth {MASK}"),
        (f"    user bob password {SECRET}", f"    user bob password {MASK}"),
        ("AutoCallQueue=true", "AutoCallQueue=true"),
        ("    cookie SRV insert indirect nocache", "    cookie SRV insert indirect nocache"),
        # Blind trial 10: apache2 -t's reason for a ProxyPass line was shown as asterisks.
        ("ProxyPass unknown Balancer parameter", "ProxyPass unknown Balancer parameter"),
        ("ProxyPass /api balancer://chat/api", "ProxyPass /api balancer://chat/api"),
        ("    proxy_pass http://chat;", "    proxy_pass http://chat;"),
        ("fastcgi_pass 127.0.0.1:9000;", "fastcgi_pass 127.0.0.1:9000;"),
        (f"    db_pass {SECRET}", f"    db_pass {MASK}"),
        (
            f"BalancerMember ajp://a:8009 secret={SECRET}",
            f"BalancerMember ajp://a:8009 secret={MASK}",
        ),
    ],
)
def test_redact_line(line: str, expected: str) -> None:
    assert redact_line(line) == expected


def test_redact_value_by_key() -> None:
    assert is_sensitive("TCommServerPassword") and not is_sensitive("AutoCallQueue")
    assert redact_value("chat.api_key", SECRET) == MASK
    assert redact_value("ProxyName", "chat-1") == "chat-1"


@pytest.mark.parametrize(
    "line",
    [
        "ProxyPass /api balancer://chat/api stickysession=JSESSIONID|jsessionid",
        "    proxy_pass http://chat_api;",
        "fastcgi_pass unix:/run/php/php-fpm.sock;",
        "ProxyPassReverse /api balancer://chat/api",
    ],
)
def test_directives_that_pass_a_request_on_are_not_credentials(line: str) -> None:
    assert redact_line(line) == line


@pytest.mark.parametrize("key", ["db.pass", "smtp_pass", "ldapPass", "pass"])
def test_a_pass_of_anything_else_is_a_credential(key: str) -> None:
    assert is_sensitive(key)
    assert redact_line(f"{key}=hunter22") == f"{key}={MASK}"


@pytest.mark.parametrize(
    "output_format", ["text", "json", "sarif", "junit", "github", "gitlab", "html"]
)
def test_no_format_leaks_a_duplicated_password(
    output_format: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp / "d",
        {
            "proxy/proxy.properties": (
                f"AutoCallQueue=true\nTCommServerPassword=old-{SECRET}\n"
                f"EnableCaptcha=yes\nTCommServerPassword={SECRET}\n"
            )
        },
    )
    code, out, err = run_cli(["check", "d", "--format", output_format], capsys)
    assert code == 1, err
    assert "TC004" in out or "duplicate-key" in out
    assert SECRET not in out and SECRET not in err


def test_secrets_are_found_when_first_asked_and_travel_as_values() -> None:
    texts = [f"TCommServerPassword={SECRET}\nAutoCallQueue=true\n", "plain=text\n"]
    secrets = Secrets(texts, iter([("db.password", "hunter2-x"), ("name", "chat")]))
    assert list(secrets) == sorted([SECRET, "hunter2-x"]) and list(secrets) == list(secrets)
    copied = pickle.loads(pickle.dumps(secrets))
    assert copied == secrets and list(copied) == list(secrets)
    assert b"AutoCallQueue" not in pickle.dumps(Secrets(texts))
    assert list(Secrets()) == [] and Secrets() != secrets


def test_a_worker_process_masks_what_the_parent_prints(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--jobs``: each deployment's result comes back pickled; its secrets come with it."""
    for name in ("east", "west"):
        write_tree(
            in_tmp / "fleet" / name,
            {
                "tcommlint.yaml": f"deployment:\n  name: {name}\n",
                "proxy/proxy.properties": (
                    f"AutoCallQueue=true\nTCommServerPassword=old-{SECRET}\n"
                    f"TCommServerPassword={SECRET}\n"
                ),
            },
        )
    code, out, err = run_cli(["check", "fleet", "--jobs", "2", "--format", "json"], capsys)
    assert code == 1, err
    assert out.count("TC004") >= 2 and SECRET not in out and SECRET not in err
