"""The CEL adapter: the one place that knows the expression library.

Rule conditions, locations and message placeholders are CEL expressions (cel-expr-python).
They are compiled once at rule load, where syntax and type errors are reported with
line:column; evaluating one that reads a missing field is an error, never a silent false.
Helpers registered here: ``edit_distance``, ``equals_ignore_case``, ``lower``, ``seconds``,
``human_duration``, ``closest``, ``closest_within``, ``path_covers``, ``redacted`` (masks
credentials); and the methods of CEL's strings extension (``charAt``, ``indexOf``,
``lastIndexOf``, ``join``, ``lowerAscii``, ``upperAscii``, ``replace``, ``split``,
``substring``, ``trim``) with bounded results (``expr_cost``). CEL stops an evaluation after
10,000 iterations over all its comprehensions: rules look keys up in maps and leave loops over
long lists to a helper.
"""

from __future__ import annotations

import binascii
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from tcommlint import expr_cost
from tcommlint.digest import sha256_hex
from tcommlint.durations import human_duration, manifest_seconds
from tcommlint.expr_cost import CostExceeded, distance_within, edit_distance
from tcommlint.patterns import LazyPattern
from tcommlint.redact import redact_value

VARIABLES = ("deployment", "item")


class ExpressionError(Exception):
    """A CEL expression failed to compile or to evaluate; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class BudgetExceeded(ExpressionError):
    """An evaluation went past CEL's limit of iterations (over all its comprehensions), or a
    helper's limit on the size of its work or result (``expr_cost``): then ``reason`` is the
    helper's own (``CostExceeded.reason``), else ""."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


ITERATION_BUDGET = 10_000  # cel-expr-python's fixed limit per evaluation
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def cel_safe(value: Any) -> Any:
    """``value`` as CEL can hold it: a lone surrogate in text (from a ``\\uD800`` escape or a
    file name that is not UTF-8) becomes U+FFFD, and an integer beyond CEL's 64 bits is
    clamped to the nearest one CEL has.

    What is already safe (ASCII text, integers in range: nearly everything) is returned as is,
    not copied, so a large view costs one walk and no new objects.
    """
    if isinstance(value, str):
        return value if value.isascii() else _valid_text(value)
    if isinstance(value, dict):
        return _safe_dict(value)
    if isinstance(value, list):
        return _safe_list(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return min(max(value, _INT64_MIN), _INT64_MAX)
    return value


def _safe_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    for key, item in value.items():
        # The common case inline (ASCII key and text, a bool): a call per value costs double.
        if key.__class__ is not str or not key.isascii():
            break
        if item.__class__ is str:
            if not item.isascii():
                break
        elif item.__class__ is not bool and cel_safe(item) is not item:
            break
    else:
        return value if type(value) is dict else dict(value)
    return {cel_safe(key): cel_safe(item) for key, item in value.items()}


def _safe_list(value: list[Any]) -> list[Any]:
    for item in value:
        if item.__class__ is str:
            if not item.isascii():
                break
        elif cel_safe(item) is not item:
            break
    else:
        return value if type(value) is list else list(value)
    return [cel_safe(item) for item in value]


def _valid_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


# --- helpers available to every rule ----------------------------------------------------


def equals_ignore_case(left: str, right: str) -> bool:
    """Java's ``String.equalsIgnoreCase`` for the ASCII names found in configurations."""
    return left.lower() == right.lower()


def closest_within(word: str, candidates: Sequence[str], most: int) -> str:
    """The candidate nearest to ``word`` (ignoring case) when it is at most ``most`` edits
    away, else ""."""
    folded = word.lower()
    best, best_distance = "", most + 1
    for candidate in sorted(candidates):
        distance = distance_within(folded, candidate.lower(), most)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def closest(word: str, candidates: Sequence[str]) -> str:
    """The candidate nearest to ``word`` (ignoring case), ties broken alphabetically."""
    best = ""
    best_distance = -1
    for candidate in sorted(candidates):
        distance = edit_distance(word.lower(), candidate.lower())
        if best_distance < 0 or distance < best_distance:
            best, best_distance = candidate, distance
    return best


def path_covers(cookie_path: str, request_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match: does a cookie with ``cookie_path`` go with ``request_path``?"""
    if not cookie_path or cookie_path == request_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


# --- the CEL environment ----------------------------------------------------------------

# The refusal of a helper during the evaluation under way. cel-expr-python turns an exception
# raised in a function into an ERROR value that holds only its text; the refusal itself, with
# its reason, is kept here for ``Compiled.evaluate``.
_REFUSAL: ContextVar[CostExceeded | None] = ContextVar("refusal", default=None)


def _kept(helper: Callable[..., Any]) -> Callable[..., Any]:
    """``helper``, keeping the refusal (``CostExceeded``) it raises for the evaluation."""

    def call(*args: Any) -> Any:
        try:
            return helper(*args)
        except CostExceeded as refusal:
            _REFUSAL.set(refusal)
            raise

    return call


_ENVIRONMENTS: dict[tuple[str, ...], Any] = {}


def _function_decls(cel: Any) -> list[Any]:
    """CEL's declarations of ``DECLARATIONS``: one per name, with all its overloads."""
    overloads: dict[str, list[Any]] = {}
    for name, result, parameters, member, implementation in DECLARATIONS:
        overloads.setdefault(name, []).append(
            cel.Overload(
                "_".join([name, *(p.replace("<", "_").rstrip(">") for p in parameters)]),
                _cel_type(cel, result),
                [_cel_type(cel, parameter) for parameter in parameters],
                is_member=member,
                impl=implementation,
            )
        )
    return [cel.FunctionDecl(name, declared) for name, declared in overloads.items()]


def _cel_type(cel: Any, name: str) -> Any:
    if name.startswith("list<"):
        return cel.Type.List(_cel_type(cel, name[5:-1]))
    return getattr(cel.Type, name.upper())


def environment_signature() -> str:
    """A digest of the helpers a program is checked against (``DECLARATIONS``; every variable
    is dynamic): a serialized program is read back only where the signature is the same."""
    declared = [declaration[:4] for declaration in DECLARATIONS]
    return sha256_hex(repr(declared).encode())


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _lower_ascii(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _upper_ascii(text: str) -> str:
    return text.translate(_ASCII_UPPER)


_JOIN, _REPLACE, _SPLIT = (_kept(f) for f in (expr_cost.join, expr_cost.replace, expr_cost.split))
# What CEL expressions may call besides CEL's own: (name, result, parameters, called as a
# method of its first parameter, implementation). Types: "string", "int", "bool",
# "list<string>". The methods are those of CEL's strings extension, with bounded results.
DECLARATIONS: tuple[tuple[str, str, tuple[str, ...], bool, Callable[..., Any]], ...] = (
    ("edit_distance", "int", ("string", "string"), False, _kept(edit_distance)),
    ("equals_ignore_case", "bool", ("string", "string"), False, equals_ignore_case),
    ("lower", "string", ("string",), False, str.lower),
    ("seconds", "int", ("string",), False, manifest_seconds),
    ("human_duration", "string", ("int",), False, human_duration),
    ("closest", "string", ("string", "list<string>"), False, _kept(closest)),
    ("closest_within", "string", ("string", "list<string>", "int"), False, closest_within),
    ("path_covers", "bool", ("string", "string"), False, path_covers),
    ("redacted", "string", ("string", "string"), False, redact_value),
    ("charAt", "string", ("string", "int"), True, expr_cost.char_at),
    ("indexOf", "int", ("string", "string"), True, expr_cost.index_of),
    ("indexOf", "int", ("string", "string", "int"), True, expr_cost.index_of),
    ("lastIndexOf", "int", ("string", "string"), True, expr_cost.last_index_of),
    ("lastIndexOf", "int", ("string", "string", "int"), True, expr_cost.last_index_of),
    ("join", "string", ("list<string>",), True, _JOIN),
    ("join", "string", ("list<string>", "string"), True, _JOIN),
    ("lowerAscii", "string", ("string",), True, _lower_ascii),
    ("upperAscii", "string", ("string",), True, _upper_ascii),
    ("replace", "string", ("string", "string", "string"), True, _REPLACE),
    ("replace", "string", ("string", "string", "string", "int"), True, _REPLACE),
    ("split", "list<string>", ("string", "string"), True, _SPLIT),
    ("split", "list<string>", ("string", "string", "int"), True, _SPLIT),
    ("substring", "string", ("string", "int"), True, expr_cost.substring),
    ("substring", "string", ("string", "int", "int"), True, expr_cost.substring),
    ("trim", "string", ("string",), True, str.strip),
)


def environment(variables: Sequence[str] = VARIABLES) -> Any:
    """The CEL environment declaring ``variables``, built once (loading the library takes ~2 ms)."""
    key = tuple(sorted(variables))
    if key not in _ENVIRONMENTS:
        from cel_expr_python import cel

        if not _ENVIRONMENTS:
            _keep_none_alive()
        names = {name: cel.Type.DYN for name in key}
        _ENVIRONMENTS[key] = cel.NewEnv(variables=names, functions=_function_decls(cel))
    return _ENVIRONMENTS[key]


def _keep_none_alive() -> None:
    """Work around cel-expr-python 0.1.3, which drops one reference to ``None`` each time an
    evaluation reads or returns a null. Before Python 3.12 ``None`` is not immortal, so a
    long process (a test run, an editor integration) would free it and abort. Its count is
    raised once, far beyond what any process can drop (3.12 makes it immortal the same way).
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    if hasattr(sys, "gettotalrefcount"):  # a debug build: the count is not the first field
        return
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 48


_POSITION = LazyPattern(r"<input>:(\d+):(\d+): (.*?)(?:\n|$)")


class Compiled:
    """A compiled CEL expression with the source text it came from.

    ``lazy`` defers compiling to the first evaluation; the rule loader uses it for rule files
    whose expressions already compiled cleanly (a content-hash cache hit), since a run
    evaluates only a few of the message and location expressions. ``serialized`` is the
    program as the rule cache keeps it, read back on first use too.
    """

    __slots__ = ("_program", "_serialized", "_variables", "source")

    def __init__(
        self,
        source: str,
        variables: Sequence[str] = VARIABLES,
        *,
        lazy: bool = False,
        serialized: str = "",
    ) -> None:
        self.source = source
        self._variables = tuple(variables)
        self._program: Any = None
        self._serialized = serialized
        if not lazy and not serialized:
            self._compile()

    def _compile(self) -> Any:
        if self._program is None and self._serialized:
            self._program = self._read_back()
        if self._program is None:
            _check_encodable(self.source)
            try:
                self._program = environment(self._variables).compile(self.source)
            except RuntimeError as error:
                raise _compile_error(str(error)) from None
        return self._program

    def _read_back(self) -> Any:
        """The serialized program, or None when this library cannot read it: then it is
        compiled again from its source."""
        try:
            program = environment(self._variables).deserialize(
                binascii.a2b_base64(self._serialized)
            )
        except (RuntimeError, ValueError):  # ValueError: not base64
            return None
        return program

    def serialized(self) -> str:
        """The checked program in CEL's serialized form, for the rule cache."""
        return binascii.b2a_base64(self._compile().serialize(), newline=False).decode("ascii")

    def evaluate(self, data: Mapping[str, Any] | None = None, *, bindings: Any = None) -> Any:
        """Evaluate with ``data`` (or prepared ``bindings``, see ``bind``) for the variables.

        A missing field raises ExpressionError.
        """
        program = self._compile()
        token = _REFUSAL.set(None)
        try:
            result = (
                program.eval(activation=bindings)
                if bindings is not None
                else program.eval(data=data)
            )
        except RuntimeError as error:
            if "budget" in str(error):  # CEL's own limit of iterations: text is all it gives
                raise BudgetExceeded(f"{self.source!r}: {error}") from None
            raise ExpressionError(f"{self.source!r}: {error}") from None
        finally:
            refusal = _REFUSAL.get()
            _REFUSAL.reset(token)
        if result.type().name() == "ERROR":
            message = str(result.value())
            # The refusal ended the evaluation when the error is its own (one that ``||`` or
            # ``&&`` absorbed, followed by another error, did not).
            if refusal is not None and str(refusal) in message:
                raise BudgetExceeded(f"{self.source!r}: {message}", refusal.reason)
            raise ExpressionError(f"{self.source!r}: {message}")
        return result.plain_value()


def bind(data: Mapping[str, Any], variables: Sequence[str] = ("deployment",)) -> Any:
    """Convert ``data`` to CEL values once, for many evaluations (the conversion dominates)."""
    return environment(variables).Activation(data=data)


def _check_encodable(source: str) -> None:
    """A lone surrogate (a ``\\uD800`` escape in a rule file's YAML) is not text CEL can read."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as error:
        line = source.count("\n", 0, error.start) + 1
        column = error.start - (source.rfind("\n", 0, error.start) + 1) + 1
        code = ord(source[error.start])
        message = f"U+{code:04X} is not a character (a lone surrogate)"
        raise ExpressionError(message, line, column) from None


def _compile_error(text: str) -> ExpressionError:
    match = _POSITION.search(text)
    if match:
        return ExpressionError(match.group(3), int(match.group(1)), int(match.group(2)))
    return ExpressionError(text.splitlines()[0] if text else "invalid expression")


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


class Template:
    """A message with ``{expression}`` placeholders; ``{{`` and ``}}`` are literal braces."""

    __slots__ = ("_parts", "source")

    def __init__(
        self, source: str, variables: Sequence[str] = VARIABLES, *, lazy: bool = False
    ) -> None:
        self.source = source
        self._parts: list[str | Compiled] = []
        position = 0
        for match in _PLACEHOLDER.finditer(source):
            self._parts.append(source[position : match.start()])
            if match.group(1) is None:
                self._parts.append(match.group(0)[0])
            else:
                self._parts.append(Compiled(match.group(1).strip(), variables, lazy=lazy))
            position = match.end()
        self._parts.append(source[position:])

    @property
    def expressions(self) -> tuple[str, ...]:
        """The CEL text of each placeholder."""
        return tuple(part.source for part in self._parts if isinstance(part, Compiled))

    def render(self, data: Mapping[str, Any]) -> str:
        """The message with every placeholder evaluated and printed plainly."""
        out = []
        for part in self._parts:
            out.append(part if isinstance(part, str) else _plain(part.evaluate(data)))
        return "".join(out)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)
