"""F5 configurations through the session simulator: the verdicts BIG-IP's documentation predicts.

Each case cites the behaviour it relies on (DOMAIN.md §2 tmsh, §3 AS3; SPEC "Semantics every
LB rule relies on"). The simulation plays the canonical chat session (``AppModel()``: the
app under ``/api``, Tomcat's ``JSESSIONID`` with ``Path=/api``, 30-minute pauses, an id
change at login) through the compiled virtual.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tcommlint.loaders.f5.as3 import load_as3
from tcommlint.loaders.f5.bigip import load_f5_tmsh
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.pipeline.outcome import Outcome
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate
from tcommlint.ruleset import load_rules

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus"


class Expect(NamedTuple):
    """The verdict on one virtual: ``cause`` is the first break's code, ``kept_by`` what
    placed the later requests (None: not checked)."""

    verdict: str
    cause: str | None = None
    kept_by: tuple[str, ...] | None = None


STICKY_COOKIE = Expect("sticky", kept_by=("cookie",))


def _tmsh(text: str, path: str = "lb/bigip.conf") -> LoadBalancer:
    result = load_f5_tmsh([(path, text)])
    assert result.load_balancer is not None, result.errors
    return result.load_balancer


def _as3(text: str, path: str = "lb/as3.json") -> LoadBalancer:
    result = load_as3(path, text)
    assert result.load_balancer is not None, result.errors
    return result.load_balancer


def _outcomes(lb: LoadBalancer, app: AppModel | None = None) -> dict[str, Outcome]:
    return {o.service.name.rsplit("/", 1)[-1]: o for o in simulate(lb, app or AppModel())}


def _check(outcome: Outcome, expect: Expect) -> None:
    causes = [b.cause.code for b in outcome.breaks]
    assert outcome.verdict == expect.verdict, (causes, outcome.outside)
    if expect.cause is not None:
        assert causes and causes[0] == expect.cause, causes
    if expect.kept_by is not None:
        assert outcome.kept_by == expect.kept_by


# --- the F5 examples of the rules ---------------------------------------------------------------

# (rule, example title) → the verdict on each virtual the example declares.
EXAMPLES: dict[tuple[str, str], dict[str, Expect]] = {
    # a virtual without persistence over two members: requests are balanced (§2.4)
    ("TC201", "F5 virtual without persistence"): {"vs_chat": Expect("breaks", "no-persistence")},
    # persistenceMethods [] turns AS3's default cookie persistence off (§3)
    ("TC201", "AS3 service with persistence turned off"): {
        "vs_chat": Expect("breaks", "no-persistence")
    },
    # method insert, BIGipServer<pool> (§2.2)
    ("TC201", "F5 cookie insert profile on the virtual"): {"vs_chat": STICKY_COOKIE},
    # omitting persistenceMethods still gives cookie insert (§3)
    ("TC201", "AS3 default persistenceMethods is cookie insert"): {"vs_chat": STICKY_COOKIE},
    # cookie names are case-sensitive (SPEC): hash on "jsessionid" never finds JSESSIONID
    ("TC202", "F5 cookie hash on jsessionid"): {"vs_chat": Expect("breaks", "cookie-name-case")},
    ("TC202", 'F5 iRule reads HTTP::cookie "jsessionid"'): {
        "vs_chat": Expect("breaks", "cookie-name-case")
    },
    ("TC202", "AS3 cookie hash on jsessionid"): {"vs_chat": Expect("breaks", "cookie-name-case")},
    # method hash on JSESSIONID, records learned from the server's Set-Cookie (§2.2)
    ("TC202", "F5 cookie hash on JSESSIONID"): {"vs_chat": STICKY_COOKIE},
    ("TC203", "F5 cookie hash on a misspelt name"): {
        "vs_chat": Expect("breaks", "cookie-name-typo")
    },
    ("TC203", "AS3 cookie hash on a misspelt name"): {
        "vs_chat": Expect("breaks", "cookie-name-typo")
    },
    # insert + cookie-name JSESSIONID overwrites the application's cookie (§2.7 trap 2)
    ("TC204", "F5 method insert with cookie-name JSESSIONID"): {
        "vs_chat": Expect("breaks", "clobbers-session-cookie")
    },
    ("TC204", "F5 insert inherited from /Common/cookie"): {
        "vs_chat": Expect("breaks", "clobbers-session-cookie")
    },
    ("TC204", "AS3 cookieName JSESSIONID with the default cookieMethod insert"): {
        "vs_chat": Expect("breaks", "clobbers-session-cookie")
    },
    ("TC204", "F5 method hash with cookie-name JSESSIONID"): {"vs_chat": STICKY_COOKIE},
    # record timeouts are idle timeouts: 180 s, 300 s, 600 s < a 30-minute pause (§2.7 trap 4)
    ("TC205", "F5 universal persistence with the built-in timeout 180"): {
        "vs_chat": Expect("breaks", "lifetime", ("cookie",))
    },
    ("TC205", "F5 cookie hash with timeout 300"): {"vs_chat": Expect("breaks", "lifetime")},
    ("TC205", "AS3 cookie hash with duration 600"): {"vs_chat": Expect("breaks", "lifetime")},
    ("TC205", "F5 universal persistence with timeout 3600"): {"vs_chat": STICKY_COOKIE},
    # a persistence profile affects only the virtuals that list it (§2.4)
    ("TC206", "F5 persistence on the port 80 virtual, not on the HTTPS one that serves the chat"): {
        "vs_chat_http": STICKY_COOKIE,
        "vs_chat_https": Expect("breaks", "no-persistence"),
    },
    ("TC206", "AS3 persistence turned off on the HTTPS service only"): {
        "vs_chat_http": STICKY_COOKIE,
        "vs_chat_https": Expect("breaks", "no-persistence"),
    },
    ("TC206", "F5 persistence on every virtual that serves the chat"): {
        "vs_chat_http": STICKY_COOKIE,
        "vs_chat_https": STICKY_COOKIE,
    },
    # source_addr keeps clients by address, for the built-in 180 s without a request
    ("TC208", "F5 source_addr persistence"): {
        "vs_chat": Expect("breaks", "lifetime", ("client-address",))
    },
    ("TC208", "AS3 source-address persistence"): {
        "vs_chat": Expect("breaks", "lifetime", ("client-address",))
    },
    # the cookie places every later request; the fallback is never needed
    ("TC208", "F5 source_addr only as fallback of cookie persistence"): {"vs_chat": STICKY_COOKIE},
    # persist uie in HTTP_REQUEST only: the record is made after balancing the second
    # request, which carries the id another member created (§2.3)
    ("TC209", "F5 iRule persists on JSESSIONID only in HTTP_REQUEST"): {
        "vs_chat": Expect("breaks", "not-learned")
    },
    ("TC209", "AS3 iRule persists on JSESSIONID only in HTTP_REQUEST"): {
        "vs_chat": Expect("breaks", "not-learned")
    },
    ("TC209", "F5 iRule learns JSESSIONID in HTTP_RESPONSE"): {"vs_chat": STICKY_COOKIE},
    # HA mode and members do not change stickiness: cookie insert keeps every session
    ("TC210", "F5 priority groups make the pool active-passive"): {"vs_chat": STICKY_COOKIE},
    ("TC210", "F5 priority groups ignored with min-active-members 0"): {"vs_chat": STICKY_COOKIE},
    ("TC210", "AS3 priorityGroup values with the default minimumMembersActive 1"): {
        "vs_chat": STICKY_COOKIE
    },
    ("TC210", "F5 priority group activation for an active-passive deployment"): {
        "vs_chat": STICKY_COOKIE
    },
    ("TC211", "F5 pool member not in the manifest"): {"vs_chat": STICKY_COOKIE},
    ("TC211", "AS3 pool member not in the manifest"): {"vs_chat": STICKY_COOKIE},
    ("TC211", "F5 pool members match the manifest"): {"vs_chat": STICKY_COOKIE},
    # a cookie without Secure is still returned over HTTPS
    ("TC212", "F5 insert cookie with secure disabled on a clientssl virtual"): {
        "vs_chat": STICKY_COOKIE
    },
    ("TC212", "AS3 insert cookie with secure false on Service_HTTPS"): {"vs_chat": STICKY_COOKIE},
    ("TC212", "F5 insert cookie with the built-in secure and httponly"): {"vs_chat": STICKY_COOKIE},
    # a universal profile without a rule persists nothing (§2.3): declared but inert
    ("TC213", "F5 universal profile without a rule"): {"vs_chat": Expect("breaks", "ineffective")},
    # cookie persistence needs an HTTP profile on the virtual (§2.4)
    ("TC213", "F5 cookie persistence on a virtual without an HTTP profile"): {
        "vs_chat": Expect("breaks", "ineffective")
    },
    # a Drafts policy is not applied: the default pool (one member) serves, with its cookie
    ("TC213", "F5 LTM policy left in Drafts"): {"vs_chat": Expect("sticky")},
    # passive expects the server to send BIG-IP's encoded cookie (§2.2)
    ("TC213", "AS3 cookieMethod passive"): {"vs_chat": Expect("breaks", "ineffective")},
    ("TC213", "F5 published LTM policy and cookie persistence with an HTTP profile"): {
        "vs_chat": STICKY_COOKIE
    },
}


def _f5_examples() -> list[Any]:
    cases = []
    for rule in load_rules():
        for kind in ("fail", "pass"):
            for index, example in enumerate(rule.examples[kind]):
                files = example.get("files", {})  # a probe rule's example holds facts
                if any(name.endswith(("bigip.conf", "as3.json")) for name in files):
                    title = example.get("title") or f"{kind} {index}"
                    cases.append(
                        pytest.param(rule.id, title, files, id=f"{rule.id}-{kind}-{index}")
                    )
    return cases


@pytest.mark.parametrize(("rule_id", "title", "files"), _f5_examples())
def test_rule_examples(rule_id: str, title: str, files: dict[str, str]) -> None:
    expected = EXAMPLES.get((rule_id, title))
    assert expected is not None, f"a new F5 example: add the verdict F5 predicts for {title!r}"
    (name, text), *_ = [(n, t) for n, t in files.items() if n.endswith((".conf", ".json"))]
    lb = _tmsh(text, name) if name.endswith(".conf") else _as3(text, name)
    outcomes = _outcomes(lb)
    assert sorted(outcomes) == sorted(expected)
    for service, expect in expected.items():
        _check(outcomes[service], expect)


def test_every_expectation_has_its_example() -> None:
    seen = {(case.values[0], case.values[1]) for case in _f5_examples()}
    assert set(EXAMPLES) <= seen


def test_drafts_example_says_why() -> None:
    (files,) = [
        c.values[2] for c in _f5_examples() if c.values[1] == "F5 LTM policy left in Drafts"
    ]
    outcome = _outcomes(_tmsh(files["lb/bigip.conf"]))["vs_chat"]
    assert outcome.pools == ("/Common/pool_web",)
    assert [str(i.span).rsplit(":", 1)[0] for i in outcome.service.inert] == ["lb/bigip.conf:53"]


# --- the fixtures -----------------------------------------------------------------------------


def test_chat_fixtures_are_sticky() -> None:
    tmsh = (HERE / "fixtures" / "f5" / "chat_bigip.conf").read_text(encoding="utf-8")
    outcome = _outcomes(_tmsh(tmsh))["vs_chat"]
    _check(outcome, STICKY_COOKIE)
    assert outcome.pools == ("/Common/pool_api",)  # the policy's /api rule
    as3 = (HERE / "fixtures" / "f5" / "chat_as3.json").read_text(encoding="utf-8")
    outcome = _outcomes(_as3(as3))["vs_chat"]
    _check(outcome, STICKY_COOKIE)
    assert outcome.pools == ("/Chat/Proxy/pool_api",)


# --- hand-written tmsh ------------------------------------------------------------------------

POOLS = """ltm pool /Common/pool_api {
    members {
        /Common/10.0.0.1:8080 { address 10.0.0.1 }
        /Common/10.0.0.2:8080 { address 10.0.0.2 }
    }
}
ltm pool /Common/pool_web {
    members {
        /Common/10.0.0.9:80 { address 10.0.0.9 }
    }
}
"""
HTTPS = "/Common/http { }\n        /Common/clientssl { context clientside }"


def _vs(
    extra: str = "",
    persist: str = "",
    rules: str = "",
    pool: str = "/Common/pool_api",
    profiles: str = HTTPS,
    more: str = "",
) -> str:
    lines = ["ltm virtual /Common/vs {", "    destination /Common/10.0.0.10:443"]
    if persist:
        lines.append(f"    persist {{ {persist} {{ default yes }} }}")
    lines.append(f"    pool {pool}")
    lines.append(f"    profiles {{\n        {profiles}\n    }}")
    if rules:
        lines.append(f"    rules {{ {rules} }}")
    if more:
        lines.append(more)
    return POOLS + extra + "\n".join(lines) + "\n}\n"


def _rule(body: str, name: str = "/Common/r") -> str:
    return f"ltm rule {name} {{\n{body}\n}}\n"


UIE = (
    "ltm persistence universal /Common/uie {\n    defaults-from /Common/universal\n"
    "    rule /Common/r\n    timeout 3600\n}\n"
)
LOOKUP = 'when HTTP_REQUEST {\n  persist uie [HTTP::cookie "JSESSIONID"]\n}'
LEARN = 'when HTTP_RESPONSE {\n  persist add uie [HTTP::cookie "JSESSIONID"]\n}'

TMSH_CASES = {
    # §2.2: method insert, BIGipServer<pool>, every member encoded in the cookie
    "cookie-insert": (_vs(persist="/Common/cookie"), STICKY_COOKIE),
    # §2.3: lookup in HTTP_REQUEST, record in HTTP_RESPONSE
    "universal-learns": (_vs(UIE + _rule(LOOKUP + "\n" + LEARN), "/Common/uie"), STICKY_COOKIE),
    # §2.3: without `persist add uie` in HTTP_RESPONSE the id is not learned where it is set
    "universal-request-only": (
        _vs(UIE + _rule(LOOKUP), "/Common/uie"),
        Expect("breaks", "not-learned"),
    ),
    # §2.7 trap 2
    "insert-named-jsessionid": (
        _vs(
            "ltm persistence cookie /Common/js {\n    defaults-from /Common/cookie\n"
            "    cookie-name JSESSIONID\n}\n",
            "/Common/js",
        ),
        Expect("breaks", "clobbers-session-cookie"),
    ),
    # §2.2 method hash on the application's cookie
    "cookie-hash": (
        _vs(
            "ltm persistence cookie /Common/h {\n    defaults-from /Common/cookie\n"
            "    method hash\n    cookie-name JSESSIONID\n    timeout 3600\n}\n",
            "/Common/h",
        ),
        STICKY_COOKIE,
    ),
    # source_addr with a timeout longer than the pauses
    "source-addr": (
        _vs(
            "ltm persistence source-addr /Common/src {\n"
            "    defaults-from /Common/source_addr\n    timeout 3600\n}\n",
            "/Common/src",
        ),
        Expect("sticky", kept_by=("client-address",)),
    ),
    # §2.6: /api goes to pool_api, and the virtual has no persistence at all
    "policy-to-pool-without-persistence": (
        _vs(
            "ltm policy /Common/pol {\n    rules {\n        api {\n"
            "            conditions { 0 { http-uri path starts-with values { /api } } }\n"
            "            actions { 0 { forward select pool /Common/pool_api } }\n"
            "        }\n    }\n    strategy /Common/first-match\n}\n",
            pool="/Common/pool_web",
            more="    policies { /Common/pol { } }",
        ),
        Expect("breaks", "no-persistence"),
    ),
    # §2.4: cookie persistence needs an HTTP profile
    "tcp-virtual-cookie": (
        _vs(persist="/Common/cookie", profiles="/Common/tcp { }"),
        Expect("breaks", "ineffective"),
    ),
    # HTTP events never run on a virtual without an HTTP profile
    "tcp-virtual-universal": (
        _vs(UIE + _rule(LOOKUP + "\n" + LEARN), "/Common/uie", profiles="/Common/tcp { }"),
        Expect("breaks", "ineffective"),
    ),
    # §2.5: min-active-members 1 sends everything to the highest priority group
    "priority-group-activation": (
        POOLS.replace("{ address 10.0.0.1 }", "{ address 10.0.0.1 priority-group 10 }").replace(
            "    }\n}\nltm pool /Common/pool_web",
            "    }\n    min-active-members 1\n}\nltm pool /Common/pool_web",
        )
        + "ltm virtual /Common/vs {\n    pool /Common/pool_api\n"
        "    profiles { /Common/http { } }\n}\n",
        Expect("sticky", kept_by=()),
    ),
    # §2.5 trap: different groups with min-active-members 0 are ignored
    "priority-groups-ignored": (
        POOLS.replace("{ address 10.0.0.1 }", "{ address 10.0.0.1 priority-group 10 }")
        + "ltm virtual /Common/vs {\n    pool /Common/pool_api\n"
        "    profiles { /Common/http { } }\n}\n",
        Expect("breaks", "no-persistence"),
    ),
    # an iRule's pool command routes /api; the virtual's cookie follows the request there
    "irule-routes-api": (
        _vs(
            _rule(
                'when HTTP_REQUEST {\n  if { [HTTP::path] starts_with "/api" } { pool pool_api }\n}'
            ),
            "/Common/cookie",
            "/Common/r",
            pool="/Common/pool_web",
        ),
        STICKY_COOKIE,
    ),
    # an iRule picking a node is outside the model: not evaluable, never guessed
    "irule-node": (
        _vs(_rule("when HTTP_REQUEST {\n  node 10.0.0.1 8080\n}"), "/Common/cookie", "/Common/r"),
        Expect("not-evaluable"),
    ),
    # ... unless the chat's requests never reach it
    "irule-node-elsewhere": (
        _vs(
            _rule(
                'when HTTP_REQUEST {\n  if { [HTTP::path] starts_with "/admin" } '
                "{ node 10.0.0.1 8080 }\n}"
            ),
            "/Common/cookie",
            "/Common/r",
        ),
        STICKY_COOKIE,
    ),
    # `persist none` turns persistence off for the chat's requests
    "irule-persist-none": (
        _vs(
            _rule(
                'when HTTP_REQUEST {\n  if { [HTTP::path] starts_with "/api" } { persist none }\n}'
            ),
            "/Common/cookie",
            "/Common/r",
        ),
        Expect("breaks"),
    ),
    # the session id removed from every request: the application makes a new session
    "irule-removes-jsessionid": (
        _vs(
            _rule("when HTTP_REQUEST {\n  HTTP::cookie remove JSESSIONID\n}"),
            "/Common/cookie",
            "/Common/r",
        ),
        Expect("breaks"),
    ),
    # persist uie in the virtual's own iRule, both directions, with explicit timeouts
    "irule-uie-timeouts": (
        _vs(
            _rule(
                "when HTTP_REQUEST {\n  persist uie [HTTP::cookie JSESSIONID] 3600\n}\n"
                "when HTTP_RESPONSE {\n  persist add uie [HTTP::cookie JSESSIONID] 3600\n}"
            ),
            rules="/Common/r",
        ),
        STICKY_COOKIE,
    ),
}


@pytest.mark.parametrize(("text", "expect"), TMSH_CASES.values(), ids=list(TMSH_CASES))
def test_tmsh_snippets(text: str, expect: Expect) -> None:
    (outcome,) = _outcomes(_tmsh(text)).values()
    _check(outcome, expect)


def test_not_evaluable_names_the_irule_line() -> None:
    text, _ = TMSH_CASES["irule-node"]
    (outcome,) = _outcomes(_tmsh(text)).values()
    (step,) = outcome.outside
    assert step.text == "node 10.0.0.1 8080"
    assert (step.span.line, step.span.column) == (14, 3)


def test_tcp_virtual_cookie_points_at_the_profile() -> None:
    text = _vs(
        "ltm persistence cookie /Common/ck {\n    defaults-from /Common/cookie\n}\n",
        "/Common/ck",
        profiles="/Common/tcp { }",
    )
    (outcome,) = _outcomes(_tmsh(text)).values()
    assert outcome.breaks[0].cause.span.line == 12  # the profile's header


def test_https_redirect_virtual_is_left_out() -> None:
    text = _vs(persist="/Common/cookie") + (
        "ltm virtual /Common/vs_80 {\n    destination /Common/10.0.0.10:80\n"
        "    pool /Common/pool_api\n    profiles { /Common/http { } }\n"
        "    rules { /Common/_sys_https_redirect }\n}\n"
    )
    outcomes = _outcomes(_tmsh(text))
    assert sorted(outcomes) == ["vs"]
    _check(outcomes["vs"], STICKY_COOKIE)


# --- hand-written AS3 -------------------------------------------------------------------------


def _declaration(app: dict[str, Any]) -> str:
    pool = {
        "class": "Pool",
        "members": [{"servicePort": 8080, "serverAddresses": ["10.0.0.1", "10.0.0.2"]}],
    }
    adc = {
        "class": "ADC",
        "schemaVersion": "3.36.0",
        "T": {"class": "Tenant", "A": {"class": "Application", "p": pool, **app}},
    }
    return json.dumps(adc, indent=2)


AS3_CASES = {
    # §3: omitting persistenceMethods gives cookie insert
    "default-cookie": ({"vs": {"class": "Service_HTTPS", "pool": "p"}}, STICKY_COOKIE),
    # §3: [] disables it
    "no-persistence": (
        {"vs": {"class": "Service_HTTP", "pool": "p", "persistenceMethods": []}},
        Expect("breaks", "no-persistence"),
    ),
    # §3: Service_TCP defaults to source-address, duration 180
    "tcp-source-address": (
        {"vs": {"class": "Service_TCP", "virtualPort": 8080, "pool": "p"}},
        Expect("breaks", "lifetime", ("client-address",)),
    ),
    # §3: cookieMethod hash on JSESSIONID, duration 0 = indefinite
    "cookie-hash": (
        {
            "vs": {"class": "Service_HTTP", "pool": "p", "persistenceMethods": [{"use": "h"}]},
            "h": {
                "class": "Persist",
                "persistenceMethod": "cookie",
                "cookieMethod": "hash",
                "cookieName": "JSESSIONID",
            },
        },
        STICKY_COOKIE,
    ),
    # §3 Endpoint_Policy: /api to a pool, the service's cookie follows
    "endpoint-policy": (
        {
            "vs": {"class": "Service_HTTP", "pool": "web", "policyEndpoint": "pol"},
            "web": {"class": "Pool", "members": []},
            "pol": {
                "class": "Endpoint_Policy",
                "rules": [
                    {
                        "name": "api",
                        "conditions": [
                            {
                                "type": "httpUri",
                                "path": {"operand": "starts-with", "values": ["/api"]},
                            }
                        ],
                        "actions": [{"type": "forward", "select": {"pool": {"use": "p"}}}],
                    }
                ],
            },
        },
        STICKY_COOKIE,
    ),
    # universal persistence with an iRule that learns the id (AS3 duration 180 < pauses)
    "universal-default-duration": (
        {
            "vs": {"class": "Service_HTTP", "pool": "p", "persistenceMethods": [{"use": "u"}]},
            "u": {"class": "Persist", "persistenceMethod": "universal", "iRule": "r"},
            "r": {"class": "iRule", "iRule": LOOKUP + "\n" + LEARN},
        },
        Expect("breaks", "lifetime", ("cookie",)),
    ),
}


@pytest.mark.parametrize(("app", "expect"), AS3_CASES.values(), ids=list(AS3_CASES))
def test_as3_snippets(app: dict[str, Any], expect: Expect) -> None:
    (outcome,) = _outcomes(_as3(_declaration(app))).values()
    _check(outcome, expect)


# --- the corpus -------------------------------------------------------------------------------


def test_corpus_simulates_without_crash() -> None:
    paths = [
        path
        for kind in ("f5-tmsh", "f5-as3")
        if (CORPUS / kind).is_dir()
        for path in sorted((CORPUS / kind).iterdir())
    ]
    if not paths:
        pytest.skip("../shared/corpus not present: no F5 files")
    app = AppModel(app_path="/", cookie_path="/")
    verdicts: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        result = (
            load_as3(path.name, text)
            if path.suffix == ".json"
            else load_f5_tmsh([(path.name, text)])
        )
        if result.load_balancer is not None:
            verdicts.update(outcome.verdict for outcome in simulate(result.load_balancer, app))
    assert verdicts == {"sticky", "breaks", "not-evaluable"}
