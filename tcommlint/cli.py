"""argv → settings → run → exit code. No lint logic and no formatting here."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from tcommlint import __version__, output
from tcommlint.errors import UsageError
from tcommlint.findings import SEVERITY_RANK
from tcommlint.reporters import FORMATS, JSON_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_FORMAT_HELP = "output format (default: text)"
_RULES_HELP = "also load the rules of DIR (repeatable)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as UsageError instead of exiting."""

    def error(self, message: str) -> Any:
        raise UsageError(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        """The formatter at the terminal's width, found without importing ``shutil`` (and
        with it bz2 and lzma): argparse builds one for every ``add_argument``."""
        formatter: Any = self.formatter_class  # a protocol in typeshed without ``width``
        built: argparse.HelpFormatter = formatter(prog=self.prog, width=_terminal_columns() - 2)
        return built


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line of SPEC §4; with ``only``, that command alone: building every command
    costs a run more than parsing its own."""
    parser = _Parser(prog="tcommlint", description="Lint TComm Proxy / Chat Proxy deployments.")
    parser.add_argument("--version", action="version", version=f"tcommlint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (summary, add_arguments) in _SUBCOMMANDS.items():
        if only in (None, name):
            add_arguments(commands.add_parser(name, help=summary))
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The command ``argv`` names, when it names one (the first word that is not an option)."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in _SUBCOMMANDS else None


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH", help="deployments or files (default: .)")
    check.add_argument("--format", choices=FORMATS, help="report format (default: text)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    check.add_argument(
        "--select",
        type=_ids,
        default=frozenset(),
        metavar="ID,...",
        help="run only these rules (IDs or prefixes such as TC2)",
    )
    check.add_argument(
        "--ignore",
        type=_ids,
        default=frozenset(),
        metavar="ID,...",
        help="do not run these rules (IDs or prefixes)",
    )
    check.add_argument(
        "--severity",
        type=_severities,
        default=(),
        metavar="ID=LEVEL,...",
        help="override the severity of these rules (LEVEL: error, warning or info)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        help="exit 1 on findings at or above this severity (default: warning)",
    )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="settings file (default: nearest tcommlint.yaml or pyproject.toml [tool.tcommlint])",
    )
    check.add_argument(
        "--show-config", action="store_true", help="print the effective settings and exit"
    )
    check.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the rules of DIR (repeatable)",
    )
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("-q", "--quiet", action="store_true", help="leave out the summary line")
    check.add_argument(
        "--statistics", action="store_true", help="count findings per rule instead of listing them"
    )
    check.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="check deployments in N processes (default: 1)",
    )
    check.add_argument("--logs", metavar="DIR", help="attach log evidence to findings")
    check.add_argument("--baseline", metavar="FILE", help="leave out the findings FILE accepts")
    check.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="accept today's findings: write them to FILE and exit 0",
    )
    check.add_argument(
        "--haproxy",
        metavar="PATH",
        help="also run 'PATH -c' on every HAProxy file (a path or a command on PATH; never by "
        "default) and report its alerts as TC001; a binary that cannot run is exit 2",
    )
    check.add_argument(
        "--require",
        type=_parts,
        default=frozenset(),
        metavar="PART,…",
        help="parts every deployment must have (lb, proxy, server, tomcat): a missing one is an "
        "error (TC006), not an info",
    )
    check.add_argument(
        "--list-files",
        action="store_true",
        help="print each deployment's files with what they were read as, and what was skipped "
        "and why; check nothing",
    )
    check.add_argument("--fix", action="store_true", help="apply safe automatic fixes")
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, also the fixes that change another team's file",
    )
    check.add_argument(
        "--diff", action="store_true", help="show the fixes as a diff, write nothing"
    )
    check.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def _rules_arguments(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    rules.add_argument("--rules", action="append", default=[], metavar="DIR", help=_RULES_HELP)


def _explain_arguments(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("rule_id", metavar="ID", help="a rule ID or name (TC209)")
    explain.add_argument("--rules", action="append", default=[], metavar="DIR", help=_RULES_HELP)


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument("paths", nargs="*", metavar="PATH", help="deployments (default: .)")
    show.add_argument(
        "--format", choices=("text", "json", "mermaid"), default="text", help=_FORMAT_HELP
    )
    show.add_argument(
        "--trace",
        action="store_true",
        help="print the simulated chat session step by step (text and json)",
    )


def _logs_arguments(logs: argparse.ArgumentParser) -> None:
    logs.add_argument("files", nargs="+", metavar="FILE", help="TComm proxy or server logs")
    logs.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)


def _har_arguments(har: argparse.ArgumentParser) -> None:
    har.add_argument("file", metavar="FILE", help="a HAR file saved from the browser")
    har.add_argument("--app-path", default="/api", help="the application's path (default: /api)")
    har.add_argument(
        "--session-cookie",
        default="JSESSIONID",
        help="the session cookie's name (default: JSESSIONID)",
    )
    har.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)


def _diff_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("old", metavar="OLD", help="the deployment before the change")
    diff.add_argument("new", metavar="NEW", help="the deployment after the change")
    diff.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    diff.add_argument("--config", metavar="FILE", help="settings file, as for check")
    diff.add_argument("--rules", action="append", default=[], metavar="DIR", help=_RULES_HELP)


def _probe_arguments(probe: argparse.ArgumentParser) -> None:
    """``probe URL``: the troubleshooting procedure against a running load balancer. The
    bounds are tcommlint.probe.options's, written here as numbers to keep start-up lazy."""
    probe.description = (
        "Play simulated chat sessions against a running load balancer and report "
        "broken sessions as TC4xx findings (exit codes as for check). Only GET requests (POST "
        "with an empty body to the --post path); redirects to another host are never followed; "
        "HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured. Cookie values never appear in "
        "the report."
    )
    probe.add_argument(
        "url", metavar="URL", help="http(s)://host[:port][/path] of the load balancer"
    )
    add = probe.add_argument
    add(
        "--sessions",
        type=_positive,
        default=10,
        metavar="N",
        help="sessions to play (default 10, at most 100)",
    )
    add(
        "--requests",
        type=_positive,
        default=5,
        metavar="M",
        help="requests per session (default 5, 2 to 50)",
    )
    add(
        "--concurrency",
        type=_positive,
        default=1,
        metavar="C",
        help="sessions played at once (default 1, at most 16)",
    )
    add(
        "--rate",
        type=_number,
        default=10.0,
        metavar="R",
        help="requests per second over the whole probe (default 10, at most 50)",
    )
    add(
        "--pause",
        type=_number,
        default=0.0,
        metavar="S",
        help="idle S seconds before each session's last request, to observe the persistence "
        "lifetime (default 0, at most 600)",
    )
    add(
        "--path",
        action="append",
        default=[],
        metavar="/api/…",
        help="path requested, in turn (repeatable; default: the URL's path, else /api)",
    )
    add(
        "--app-path",
        default="/api",
        metavar="PATH",
        help="the application's path the session cookie must cover (default /api)",
    )
    add(
        "--session-cookie",
        default="JSESSIONID",
        metavar="NAME",
        help="the session cookie's name (default JSESSIONID)",
    )
    add(
        "--login",
        metavar="PATH",
        help="the second request of each session goes to PATH, where the application may issue "
        "a new session id",
    )
    add(
        "--post",
        metavar="PATH",
        help="requests to PATH are POST with an empty body (every other request is GET)",
    )
    add(
        "--node-header",
        metavar="NAME",
        help="response header naming the node (default: the session id's jvmRoute suffix, else "
        "the load balancer's cookie)",
    )
    add(
        "--header",
        action="append",
        default=[],
        metavar="'K: V'",
        help="extra request header (repeatable, at most 20)",
    )
    add(
        "--timeout",
        type=_number,
        default=5.0,
        metavar="S",
        help="seconds per request (default 5, at most 60)",
    )
    add(
        "--time-limit",
        type=_number,
        default=120.0,
        metavar="S",
        help="seconds for the whole probe; sessions not done by then are reported cut short "
        "(default 120, at most 900)",
    )
    add("--cacert", metavar="FILE", help="trust the CA certificates of FILE (PEM) for https")
    add("--insecure", action="store_true", help="do not verify the server's certificate")
    add(
        "--captcha",
        action="store_true",
        help="also report whether {base}/api/proxyconfig.jsp says captcha is enabled",
    )
    add(
        "--deployment",
        metavar="PATH",
        help="also run check on PATH and report a disagreement with the observed verdict (TC405)",
    )
    add("--format", choices=FORMATS, default="text", help=_FORMAT_HELP)
    add("-o", "--output", metavar="FILE", help="write the report to FILE")
    add(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default="warning",
        help="exit 1 on findings at or above this severity (default: warning)",
    )
    add(
        "--select",
        type=_ids,
        default=frozenset(),
        metavar="ID,...",
        help="run only these rules (IDs or prefixes such as TC40)",
    )
    add("--ignore", type=_ids, default=frozenset(), metavar="ID,...", help="do not run these rules")
    add("--rules", action="append", default=[], metavar="DIR", help=_RULES_HELP)


_Arguments = Callable[[argparse.ArgumentParser], None]
_SUBCOMMANDS: dict[str, tuple[str, _Arguments]] = {  # name: (help, its arguments), in order
    "check": ("check deployments", _check_arguments),
    "rules": ("list the rules", _rules_arguments),
    "explain": ("explain one rule", _explain_arguments),
    "show": ("print the deployment model", _show_arguments),
    "logs": ("find known signatures in TComm logs", _logs_arguments),
    "har": ("check cookie constancy in a browser HAR capture", _har_arguments),
    "probe": (
        "probe a running deployment: cookie constancy and node per request",
        _probe_arguments,
    ),
    "diff": ("compare two snapshots of a deployment", _diff_arguments),
}


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _ids(text: str) -> frozenset[str]:
    return frozenset(part.strip().upper() for part in text.split(",") if part.strip())


def _parts(text: str) -> frozenset[str]:
    parts = frozenset(part.strip().lower() for part in text.split(",") if part.strip())
    from tcommlint.facts import PARTS  # the parts rules need are the parts one can require

    unknown = sorted(parts - set(PARTS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown part {unknown[0]!r}: expected {', '.join(sorted(PARTS))}"
        )
    return parts


def _severities(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in text.split(","):
        rule_id, _, level = part.partition("=")
        if level.strip() not in ("error", "warning", "info"):
            raise argparse.ArgumentTypeError(f"expected ID=error|warning|info, got {part!r}")
        pairs.append((rule_id.strip().upper(), level.strip()))
    return tuple(pairs)


def main(argv: list[str] | None = None) -> int:
    """Run tcommlint; returns the exit code (0 clean, 1 findings, 2 usage or internal error)."""
    argv = sys.argv[1:] if argv is None else argv
    _collect_less()
    debug = "--debug" in argv
    output.escape_unencodable()
    try:
        args = build_parser(_command_of(argv)).parse_args(argv)
        if args.command is None:
            raise UsageError(f"a command is required: {', '.join(_COMMANDS)} (see --help)")
        return int(_COMMANDS[args.command](args))
    except UsageError as error:
        print(f"tcommlint: error: {output.one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left (``| head``): nobody to tell, the report is cut
        return EXIT_USAGE
    except Exception as error:  # the edge: one line, a traceback only when asked
        if debug:
            raise
        reason = output.one_line(f"{type(error).__name__}: {error}")
        print(f"tcommlint: internal error: {reason}", file=sys.stderr)
        return EXIT_USAGE


def console() -> NoReturn:
    """The ``tcommlint`` command: ``main``, then an exit that does not free the run's objects
    one by one, which takes a sixth of a small run (mypy ends the same way). Whatever must
    outlive the run is written before ``main`` returns: reports, ``--fix``, the cache; only
    the standard streams are still buffered."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A reader gone (``| head``) or a closed stream: there is nobody left to tell.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _collect_less() -> None:
    """A run builds millions of small records for a large file and frees none until it ends:
    the collector's default thresholds spend three quarters of the reading time looking for
    cycles among them (mypy raises them the same way)."""
    import gc

    gc.set_threshold(200_000, 30, 30)


def _run_check(args: argparse.Namespace) -> int:
    from tcommlint import cache
    from tcommlint.engine import Selection
    from tcommlint.reporters import renderer
    from tcommlint.run import check, configure

    if args.no_cache:
        cache.disable()
    cwd = Path.cwd()
    config, rule_dirs, rules = configure(args.config, args.rules, cwd)
    settings = config.data if config else {}
    fail_on = args.fail_on or settings.get("fail_on", "warning")
    output_format = args.format or settings.get("format", "text")
    selection = Selection(args.select, args.ignore, args.severity)
    known = {rule.id for rule in rules}
    _check_rule_ids(selection, known)
    if args.show_config:
        return _show_config(args, config, selection, cwd, known)
    if args.list_files:
        from tcommlint.listing import render_files

        listed = check(
            args.paths, cwd, rules, selection, config, require=args.require, load_only=True
        )
        output.write(render_files(listed))
        return EXIT_OK
    haproxy = _haproxy_binary(args.haproxy)

    def run() -> Any:
        jobs, dirs, require = args.jobs, rule_dirs, args.require
        return check(
            args.paths,
            cwd,
            rules,
            selection,
            config,
            jobs=jobs,
            rule_dirs=dirs,
            haproxy=haproxy,
            require=require,
        )

    result = run()
    if args.diff:
        return _show_fixes(result, cwd, args.unsafe_fixes)
    fixed = 0
    if args.fix:
        from tcommlint import fix

        result, fixed = fix.fix_until_stable(result, run, cwd, args.unsafe_fixes)
    if args.logs:
        from tcommlint.logs import attach_evidence

        result = attach_evidence(result, args.logs)
    from tcommlint.redact import redact_result

    result = redact_result(result)  # baselines and fingerprints hold no secret either
    if args.write_baseline:
        _write_baseline(args.write_baseline, result)
    if args.baseline:
        from tcommlint.baseline import apply_baseline

        result = apply_baseline(args.baseline, result, selection)
    colour = output_format == "text" and _wants_colour(args.output)
    text = renderer(output_format)(
        result,
        colour=colour,
        quiet=args.quiet,
        statistics=args.statistics,
        unsafe_fixes=args.unsafe_fixes,
    )
    output.write_report(text, args.output, output_format in JSON_FORMATS)
    if args.fix:
        fixed_text = f"fixed {_plural(fixed, 'finding')}"
        print(f"tcommlint: {fixed_text}{_unsafe_note(result, args.unsafe_fixes)}", file=sys.stderr)
    if args.write_baseline:
        return EXIT_OK  # accepting today's findings is the run's purpose, not a failure
    worst = max((SEVERITY_RANK[f.severity] for f in result.findings), default=0)
    return EXIT_FINDINGS if worst >= SEVERITY_RANK[fail_on] else EXIT_OK


def _write_baseline(path: str, result: Any) -> None:
    """``--write-baseline``: write it and say so on stderr, with what it could not accept."""
    from tcommlint.baseline import write_baseline

    written = write_baseline(path, result)
    message = f"tcommlint: wrote {_plural(written, 'finding')} to {path}"
    mandatory = sum(1 for finding in result.findings if finding.rule in result.mandatory)
    if mandatory:
        message += f"; {_plural(mandatory, 'finding')} of mandatory rules left out"
    print(message, file=sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check_rule_ids(selection: Any, known: set[str]) -> None:
    """``--select``, ``--ignore`` and ``--severity`` name rules that exist (else exit 2)."""
    from tcommlint.engine import unknown_rule

    flags = (
        ("--select", selection.select, True),
        ("--ignore", selection.ignore, True),
        ("--severity", [rule_id for rule_id, _ in selection.severity], False),
    )
    for flag, patterns, prefix in flags:
        for pattern in sorted(patterns):
            reason = unknown_rule(pattern, known, prefix=prefix)
            if reason:
                raise UsageError(f"{flag}: {reason}")


def _haproxy_binary(name: str | None) -> str | None:
    """``--haproxy``: the binary, checked to run and to be HAProxy (else exit 2)."""
    if name is None:
        return None
    from tcommlint.loaders.haproxy.external_check import haproxy_version, resolve_binary

    binary = resolve_binary(name)
    haproxy_version(binary)
    return binary


def _show_fixes(result: Any, cwd: Path, unsafe: bool) -> int:
    """``--diff``: print what ``--fix`` would change and write nothing; 1 when there is a change,
    else a line on stderr that says there is nothing to fix."""
    from tcommlint import fix
    from tcommlint.redact import Redactor

    patches = fix.plan_patches(result.findings, cwd, result.files(manifests=False), unsafe)
    if not patches:
        print(f"tcommlint: nothing to fix{_unsafe_note(result, unsafe)}", file=sys.stderr)
        return EXIT_OK
    output.write(fix.unified_diff(patches, Redactor.of_result(result)))
    return EXIT_FINDINGS


def _unsafe_note(result: Any, unsafe: bool) -> str:
    """``; N more with --unsafe-fixes`` when fixes are held back for that flag."""
    held_back = 0 if unsafe else sum(1 for f in result.findings if f.fixable(True) and f.unsafe_fix)
    return f"; {held_back} more with --unsafe-fixes" if held_back else ""


def _show_config(
    args: argparse.Namespace, config: Any, selection: Any, cwd: Path, known: set[str]
) -> int:
    from tcommlint.show_config import render

    if config is not None:
        config.check_rule_ids(known)
    sys.stdout.write(render(args, config, selection, cwd, known))
    return EXIT_OK


def _wants_colour(output: str | None) -> bool:
    if output or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def _run_rules(args: argparse.Namespace) -> int:
    from tcommlint.explain import catalogue

    sys.stdout.write(catalogue(args.rules, args.format))
    return EXIT_OK


def _run_explain(args: argparse.Namespace) -> int:
    from tcommlint.explain import explain

    sys.stdout.write(explain(args.rules, args.rule_id.upper()))
    return EXIT_OK


def _delegate(module_name: str) -> Any:
    """A command implemented in its own module as ``run(args) -> int``."""

    def run(args: argparse.Namespace) -> int:
        from importlib import import_module

        return int(import_module(f"tcommlint.{module_name}").run(args))

    return run


_COMMANDS = {
    "check": _run_check,
    "rules": _run_rules,
    "explain": _run_explain,
    "show": _delegate("show"),
    "logs": _delegate("logs"),
    "har": _delegate("har"),
    "probe": _delegate("probe.command"),
    "diff": _delegate("diff"),
}
