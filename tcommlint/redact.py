"""Keep secrets out of every output, whoever wrote the rule that prints them.

Configuration files hold credentials next to the settings tcommlint reports on (a TComm
Server password beside ``AutoCallQueue``, an F5 cookie-encryption passphrase, HAProxy
``stats auth``). Two layers keep them out of what tcommlint prints or writes:

- **Known values.** Loading a deployment collects every value that stands after a key that
  names a credential, in any syntax (:func:`secret_values`), and every value of such a key in
  the model. :class:`Redactor` masks each occurrence of those values in any output string,
  even where a rule interpolated the value alone. A value of 8 characters or more is masked
  wherever it stands, even inside a word; one of 4 to 7 characters where it stands as a whole
  token (not next to a letter or digit: ``admin`` is masked, ``administrator`` is not); a
  shorter one, and the placeholder words in :data:`NOT_SECRETS` (``true``, ``none``, ...),
  only after its key, by the second layer, so that a one-letter password cannot mask every
  ``a`` of a report.
- **Key patterns.** In every output string, the value after a credential key is masked:
  ``key=value``, ``key: value``, ``"key": "value"``, ``key="value"``, ``<key>value</key>``,
  ``<entry key="key">value</entry>``, HAProxy ``password``/``insecure-password``/``stats
  auth``, and the password of a ``scheme://user:password@host`` URL.

A key names a credential when its last word (``.``, ``_``, ``-`` and camelCase separate words,
any case) is one of :data:`SECRET_WORDS`, or is ``key`` after a word of :data:`KEY_QUALIFIERS`
(``api_key``, ``privateKey``, ``secret.key``): ``db.password`` and ``TCommServerPassword`` do,
``password.policy``, ``AutoCallQueue``, ``bypass``, ``proxy_pass`` (see :data:`PASSING_WORDS`)
and the XML attribute ``key`` do not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tcommlint.patterns import LazyPattern

if TYPE_CHECKING:
    from tcommlint.findings import Finding, Related
    from tcommlint.run import RunResult

MASK = "********"
MIN_TOKEN_LENGTH = 4  # shorter secret values are masked only after their key
MIN_ANYWHERE_LENGTH = 8  # values this long are masked even inside a longer word

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "token",
        "credential",
        "credentials",
        "auth",
        "authorization",
        "apikey",
        "privatekey",
        "secretkey",
        "accesskey",
    }
)
KEY_QUALIFIERS = frozenset(
    {"api", "private", "secret", "access", "encryption", "signing", "client", "master", "shared"}
    | {"hmac", "license", "auth", "ssh"}
)
# "pass" after these words hands a request on (nginx ``proxy_pass``, ``fastcgi_pass``, Apache
# ``ProxyPass``): a directive, not a password.
PASSING_WORDS = frozenset({"proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"})
# Values that stand after a credential key without being one: masking them everywhere would
# hide half of every report.
NOT_SECRETS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "empty", "enabled"}
    | {"disabled", "default", "required", "optional", "basic", "digest", "bearer", "ntlm"}
)

_WORD = LazyPattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_KEY = r"[\w.\-]+"
_VALUE_END = r"[^\s\"',;&<>}\]]+"

# Each pattern has the groups ``key`` and ``value``; the value is masked when the key names a
# credential. Lines: properties, YAML (also list items and comments), tmsh; anywhere on a line:
# JSON, XML attributes and elements, Java properties XML, HAProxy, key=value in messages.
_PATTERNS = (
    LazyPattern(
        rf'"(?P<key>{_KEY})"\s*:\s*(?P<value>"(?:[^"\\]|\\.)*"|{_VALUE_END})', re.IGNORECASE
    ),
    LazyPattern(
        r"<entry\s+key\s*=\s*[\"'](?P<key>[^\"'<>]*)[\"']\s*>(?P<value>[^<]*)(?=</entry>)",
        re.IGNORECASE,
    ),
    LazyPattern(rf"<(?P<key>{_KEY})(?:\s[^<>]*)?>(?P<value>[^<]*)(?=</(?P=key)\s*>)"),
    LazyPattern(
        rf"^(?:\s*[#!;]+)?\s*(?:-\s+)?(?P<key>{_KEY})(?:\s*[=:]\s*|\s+)(?P<value>\S.*)$",
        re.MULTILINE,
    ),
    LazyPattern(
        r"(?<![\w.\-])(?P<key>password|insecure-password|passphrase|stats\s+auth)\s+"
        r"(?P<value>\"[^\"]*\"|[^\s\"]+)",
        re.IGNORECASE,
    ),
    LazyPattern(
        rf"(?<![\w.\-])(?P<key>{_KEY})[\"']?\s*[=:]\s*(?P<value>\"[^\"]*\"|'[^']*'|{_VALUE_END})"
    ),
)
_URL_PASSWORD = LazyPattern(r"(?P<key>[a-z][a-z0-9+.\-]*://[^\s/:@]*:)(?P<value>[^\s/@]+)(?=@)")
# Searched in lowercased text: an IGNORECASE search is several times slower on large files.
_LOOKS_SECRET = LazyPattern(
    rf"pass|pwd|secret|token|credential|auth|(?:{'|'.join(sorted(KEY_QUALIFIERS))})[\W_]?key|://"
)

# The quick first test of ``is_sensitive``, on the key read backwards. ``_WORD`` cuts a run of
# ASCII letters into words that end where the run ends, and drops the digits: the last word of
# a key is the end of its last run of letters, and the one before it ends where the letters
# before that word end. Anchored at the key's end, the test never searches the key.
_SECRET_ENDINGS = "|".join(word[::-1] for word in sorted(SECRET_WORDS))
_QUALIFIER_ENDINGS = "|".join(word[::-1] for word in sorted(KEY_QUALIFIERS))
_MAYBE_SECRET_BACKWARDS = LazyPattern(
    rf"(?ai)[^a-z]*+(?:{_SECRET_ENDINGS}|yek[^a-z]*+(?:{_QUALIFIER_ENDINGS}))"
)


def is_sensitive(key: str) -> bool:
    """Whether a key names a credential (see the module's docstring for the words)."""
    if key.isascii() and _MAYBE_SECRET_BACKWARDS.match(key[::-1]) is None:
        return False  # the common case: its last word is no credential's word
    words = [word.lower() for word in _WORD.findall(key) if not word.isdigit()]
    if not words:
        return False
    if words[-1] == "pass" and len(words) > 1 and words[-2] in PASSING_WORDS:
        return False
    if words[-1] in SECRET_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in KEY_QUALIFIERS


def redact_value(key: str, value: str) -> str:
    """The value, or a mask when the key names a credential."""
    return MASK if is_sensitive(key) and value else value


def redact_line(line: str) -> str:
    """A source, log or message line with the values after credential keys masked."""
    if not _LOOKS_SECRET.search(line.lower()):
        return line
    for pattern in _PATTERNS:
        line = pattern.sub(_masked, line)
    return _URL_PASSWORD.sub(lambda match: match.group("key") + MASK, line)


def _masked(match: re.Match[str]) -> str:
    value = match.group("value")
    if not is_sensitive(match.group("key")) or value.lstrip("\"'").startswith(MASK):
        return match.group(0)
    quote = value[0] if value[:1] in ('"', "'") and value[-1:] == value[:1] else ""
    start, end = match.span("value")
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + quote + MASK + quote + whole[end - offset :]


def secret_values(text: str) -> set[str]:
    """Every value that stands after a credential key in ``text`` (a file of any format), as
    written and unquoted or unescaped: what :class:`Redactor` must never let through."""
    found: set[str] = set()
    for line in _lines_that_may_hold_one(text):
        for pattern in (*_PATTERNS, _URL_PASSWORD):
            for match in pattern.finditer(line):
                if pattern is _URL_PASSWORD or is_sensitive(match.group("key")):
                    found.update(_forms(match.group("value")))
    return found


# ``_LOOKS_SECRET`` in two searches, for a whole file: the alternation tried at every character
# of a large file costs ten times more than a search for its words (which starts from their
# first letters) and one for a qualified ``key`` (from each "key", looking behind it).
_SECRET_WORD = LazyPattern(r"pass|pwd|secret|token|credential|auth|://")
_QUALIFIER_LAST = "".join(sorted({word[-1] for word in KEY_QUALIFIERS}))
_BEHIND_KEY = [rf"(?<={word}key)|(?<={word}[\W_]key)" for word in sorted(KEY_QUALIFIERS)]
_QUALIFIED_KEY = LazyPattern(
    rf"key(?:(?<=[{_QUALIFIER_LAST}]key)|(?<=[{_QUALIFIER_LAST}][\W_]key))"
    rf"(?:{'|'.join(_BEHIND_KEY)})"
)


def _lines_that_may_hold_one(text: str) -> list[str]:
    """The lines with a word that a credential key holds."""
    lowered = text.lower()
    if not _SECRET_WORD.search(lowered) and not (
        "key" in lowered and _QUALIFIED_KEY.search(lowered)
    ):
        return []
    return [line for line in text.splitlines() if _LOOKS_SECRET.search(line.lower())]


class Secrets:
    """A deployment's credential values: those after credential keys in its files' texts
    and its entries whose key names a credential, found when output first needs them. A run
    without findings prints none of them and never looks (the search compiles a dozen
    patterns at every start). Iterating gives the values, sorted; a pickled copy (a worker's
    result) carries only the values."""

    __slots__ = ("_found", "_keyed", "_texts")

    def __init__(
        self,
        texts: Iterable[str] = (),
        keyed: Iterable[tuple[str, str]] = (),
        found: tuple[str, ...] | None = None,
    ) -> None:
        self._texts = texts
        self._keyed = keyed
        self._found = found

    def values(self) -> tuple[str, ...]:
        """Every secret value, sorted."""
        if self._found is None:
            found = {value for text in self._texts for value in secret_values(text)}
            found.update(value for key, value in self._keyed if is_sensitive(key))
            self._found = tuple(sorted(found))
            self._texts = self._keyed = ()
        return self._found

    def __iter__(self) -> Iterator[str]:
        return iter(self.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secrets) and self.values() == other.values()

    def __hash__(self) -> int:
        return hash(self.values())

    def __repr__(self) -> str:
        return f"Secrets({len(self.values())} values)"

    def __reduce__(self) -> tuple[type[Secrets], tuple[tuple[()], tuple[()], tuple[str, ...]]]:
        return (Secrets, ((), (), self.values()))


def _forms(value: str) -> set[str]:
    """A value as written, without its quotes, and with JSON or XML escapes resolved."""
    value = value.rstrip()
    bare = value.strip("\"'")
    forms = {value, bare}
    if "&" in bare:  # an XML or HTML escape; html is imported only then (start-up)
        from html import unescape

        forms.add(unescape(bare))
    if value.startswith('"'):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            forms.add(decoded)
    quoted = re.match(r"([\"'])(.*?)\1", value)
    if quoted:  # ``password: "value" # comment``
        forms.add(quoted.group(2))
    if ":" in value:  # ``stats auth user:password``
        forms.add(value.partition(":")[2])
    return forms


def maskable(value: str) -> bool:
    """Whether a secret value is masked wherever it stands (else only after its key)."""
    stripped = value.strip()
    return (
        len(stripped) >= MIN_TOKEN_LENGTH
        and stripped.lower() not in NOT_SECRETS
        and set(stripped) != {"*"}
    )


class Redactor:
    """Masks known secret values and the values after credential keys in output strings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({value.strip() for value in secrets if maskable(value)}, key=_longest)
        self.secrets = tuple(values)
        alternatives = [_alternative(value) for value in values]
        self._values = re.compile("|".join(alternatives)) if alternatives else None

    @classmethod
    def of_result(cls, result: RunResult) -> Redactor:
        """A redactor for the secrets of every deployment of a run."""
        return cls(value for item in result.deployments for value in item.deployment.secrets)

    def text(self, text: str) -> str:
        """``text`` with every secret masked."""
        if self._values is not None:
            text = self._values.sub(MASK, text)
        if "\n" not in text:
            return redact_line(text)
        return "\n".join(redact_line(line) for line in text.split("\n"))

    def data(self, data: Any) -> Any:
        """JSON-like data with every string in it (keys too) masked."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {self.text(key): self.data(value) for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.data(item) for item in data]
        return data


def _longest(value: str) -> tuple[int, str]:
    return (-len(value), value)


def _alternative(value: str) -> str:
    if len(value) >= MIN_ANYWHERE_LENGTH:
        return re.escape(value)
    return rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])"


def redact_result(result: RunResult) -> RunResult:
    """The run with every secret masked in what reporters and baselines print: messages,
    related messages, log evidence, fix descriptions and the findings' keys (which make
    fingerprints and baseline entries)."""
    if not result.findings:
        return result
    redactor = Redactor.of_result(result)
    return result._replace(findings=[_finding(f, redactor) for f in result.findings])


def _finding(finding: Finding, redactor: Redactor) -> Finding:
    return finding._replace(
        message=redactor.text(finding.message),
        related=tuple(_related(r, redactor) for r in finding.related),
        key=redactor.text(finding.key),
        evidence=tuple(redactor.text(line) for line in finding.evidence),
        fix=redactor.text(finding.fix),
    )


def _related(related: Related, redactor: Redactor) -> Related:
    return related._replace(message=redactor.text(related.message))
