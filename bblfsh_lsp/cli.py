"""The `bblfsh-lsp` command line.

A run on a few files is mostly start-up: this interpreter's, its imports', and the driver's.  So
what a command does not need is imported where it is needed, and the drivers of the files named
on the command line are started (DriverService.start_early) before the command imports and
prepares the rest of what it needs (the query machinery, the index's, the output's), which their
start then overlaps.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from bblfsh_lsp import __version__, match_lines
from bblfsh_lsp.cluster import add_cluster_arguments, on_cluster
from bblfsh_lsp.driver_commands import add_driver_commands
from bblfsh_lsp.files import DEFAULT_MAX_BYTES, SourceError, read_source
from bblfsh_lsp.index_commands import add_index_command, open_index
from bblfsh_lsp.query.errors import QueryError
from bblfsh_lsp.settings import PREFERENCES, RUNTIME_ENV, Settings, runtime_from_environment
from driver_runtime.errors import DriverError, RuntimeNotAvailable
from driver_runtime.runtime_names import AUTO, RUNTIME_NAMES
from driver_runtime.sdk import protocol, uast
from driver_runtime.sdk.protocol import Mode

if TYPE_CHECKING:  # imported by the commands that use them, after their drivers are started
    from bblfsh_lsp.parsing import FileParse
    from bblfsh_lsp.positions import TextIndex
    from bblfsh_lsp.query import FileMatches, Match, Scalar
    from driver_runtime.sdk.outline import Symbol
    from driver_runtime.service import DriverService

EXIT_OK, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
# The files named on the command line whose drivers are started early: those parsed first.  Later
# ones are reached once the drivers run anyway, and each costs a read of its first line.
EARLY_FILES = 8


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(runtime=args.runtime, drivers=dict(args.driver))


def _service(args: argparse.Namespace) -> DriverService:
    from driver_runtime.runtimes import choose
    from driver_runtime.service import DriverService

    settings = _settings(args)
    choice = choose(settings.runtime, settings.isolation())
    log = logging.getLogger(__name__)
    log.info("using %s", choice.describe())
    # A batch keeps both cores busy; an editor session keeps the default.
    pool = attrs.evolve(settings.pool(), max_instances=max(os.cpu_count() or 1, 2))
    return DriverService.for_choice(choice, pool, on_notice=log.log, preferences=settings.driver_preferences())


async def _start_drivers(service: DriverService, paths: Sequence[str], language: str | None) -> None:
    """Start the drivers of the first files named on the command line (each one's language from
    its name, or its first line) while the command prepares the rest (DriverService.start_early).
    Folders, URLs and files that cannot be read are left to the walk and the parse.  The first
    file's driver, if a local process, is remembered for the next run to launch first thing
    (driver_runtime.early)."""
    first = True
    for path in paths[:EARLY_FILES]:
        if not os.path.isfile(path):  # never open a FIFO: it would wait for a writer
            continue
        try:
            with open(path, "rb") as file:
                head = file.read(256)
        except OSError:
            continue
        if first:
            first = False
            _remember_driver(service, path, head, language)
        await service.start_early(path, head, language)


def _remember_driver(service: DriverService, path: str, head: bytes, language: str | None) -> None:
    from driver_runtime import early
    from driver_runtime.runtimes.process import ProcessRuntime, expand_command, working_directory

    with contextlib.suppress(DriverError):
        choice = service.driver_for(service.language_of(path, head, language))
        if isinstance(choice.runtime, ProcessRuntime):
            early.remember(expand_command(choice.spec), working_directory(choice.spec))


def _errors_as_data(parsed: FileParse) -> list[Any]:
    if parsed.problem is not None:
        return [{"message": parsed.problem}]
    assert parsed.result is not None
    return [protocol.converter.unstructure(error) for error in parsed.result.errors]


def _record(parsed: FileParse) -> dict[str, Any]:
    """What `parse` prints for one file: Babelfish's UAST shape, positions expanded."""
    tree = None
    if parsed.result is not None and parsed.result.uast is not None and parsed.text is not None:
        tree = uast.to_babelfish(parsed.result.uast, uast.LineStarts(parsed.text.encode("utf-8", "surrogatepass")))
    return {"path": parsed.path, "language": parsed.language, "uast": tree, "errors": _errors_as_data(parsed)}


async def cmd_parse(args: argparse.Namespace) -> int:
    if args.output:
        from bblfsh_lsp.cluster.export import OutputError

        try:
            return await _parse_to_parquet(args)
        except OutputError as exc:
            print(f"bblfsh-lsp: {exc}", file=sys.stderr)
            return EXIT_ERROR
    if on_cluster(args):
        from bblfsh_lsp.cluster.run import run_parse

        return await run_parse(args)
    service = _service(args)
    status = EXIT_OK
    records = []
    try:
        await _start_drivers(service, args.files, args.language)
        async for parsed in _parse_files(service, args):
            if parsed.problem or (parsed.result and parsed.result.errors):
                print(parsed.describe_errors(), file=sys.stderr)
                status = EXIT_NOTHING
            record = _record(parsed)
            if args.format == "jsonl":
                sys.stdout.buffer.write(protocol.encode(record))
                sys.stdout.flush()
            else:
                records.append(record)
    finally:
        await service.close()
    if args.format == "json":
        document = records[0] if len(records) == 1 else records
        try:
            text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
        except orjson.JSONEncodeError:  # deeper than orjson goes (255 levels), or lone surrogates
            text = json.dumps(document, indent=2).encode("ascii")
        sys.stdout.buffer.write(text + b"\n")
    elif args.format == "yaml":
        import yaml

        yaml.safe_dump_all(records, sys.stdout, sort_keys=False, allow_unicode=True)
    return status


def _parse_files(service: DriverService, args: argparse.Namespace) -> Any:
    """parse's files; fsspec URLs among them are read through fsspec (bblfsh_lsp/cluster/sources.py)."""
    from bblfsh_lsp.cluster.sources import is_url
    from bblfsh_lsp.parsing import parse_files

    if any(is_url(path) for path in args.files):
        from bblfsh_lsp.cluster.sources import parse_paths

        return parse_paths(service, args.files, Mode(args.mode), args.language)
    return parse_files(service, args.files, Mode(args.mode), args.language)


async def _parse_to_parquet(args: argparse.Namespace) -> int:
    """`parse --output FILE.parquet`, locally or on a cluster (bblfsh_lsp/cluster/export.py)."""
    from bblfsh_lsp.cluster.export import local_rows, write_rows

    if on_cluster(args):
        from bblfsh_lsp.cluster.run import run_parse

        return await run_parse(args)
    service = _service(args)
    try:
        await _start_drivers(service, args.files, args.language)
        return EXIT_OK if await write_rows(args.output, local_rows(_parse_files(service, args))) else EXIT_NOTHING
    finally:
        await service.close()


def cmd_serve(args: argparse.Namespace) -> int:
    from bblfsh_lsp.server import create_server

    ls = create_server(Settings(runtime=args.runtime))
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            print(f"bblfsh-lsp: --tcp wants HOST:PORT, not {args.tcp!r}", file=sys.stderr)
            return EXIT_ERROR
        ls.start_tcp(host, int(port))
    else:
        ls.start_io()
    return EXIT_OK


async def cmd_query(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        return await _run_query(args, service)
    except QueryError as exc:  # invalid, or an error that only shows when the query runs
        print(f"bblfsh-lsp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        await service.close()


def _query_usage(args: argparse.Namespace) -> str | None:
    """What is wrong with `query`'s arguments, if anything: the pattern's options go with --pattern."""
    if not args.pattern and (args.lang or args.semantic):
        return "query: --lang and --semantic go with --pattern"
    if (args.after or args.before or args.context) and (args.json or args.format is not None or args.nodes):
        return "query: -A, -B and -C show lines of code: not with --json, --format or --nodes"
    if sum(bool(choice) for choice in (args.json, args.format is not None, args.nodes)) > 1:
        return "query: choose one of --json, --format and --nodes"
    if args.semantic and args.mode not in (None, Mode.SEMANTIC.value):
        return f"query: --semantic searches semantic trees, not --mode {args.mode}"
    if args.format is not None:
        from bblfsh_lsp.query.pattern import metavariable_names

        known = {*FORMAT_FIELDS, *(metavariable_names(args.xpath) if args.pattern else [])}
        unknown = [name for name in _format_names(args.format) if name not in known]
        if unknown:
            return (f"query: --format names ${unknown[0]}, which is neither a metavariable of the pattern nor one "
                    f"of {', '.join('$' + name for name in FORMAT_FIELDS)}")
    return None


async def _pattern_search(args: argparse.Namespace, service: DriverService) -> Any:
    """`query --pattern`: the pattern compiled now if its language is known (--lang, or
    --language), else per file language (bblfsh_lsp.query.pattern_search)."""
    from bblfsh_lsp.query.pattern_search import PatternSearch

    mode = Mode.SEMANTIC if args.semantic else Mode(args.mode or Mode.NATIVE.value)
    return await PatternSearch.start(args.xpath, service, language=args.lang, semantic=args.semantic,
                                     file_language=args.language, mode=mode, time_limit=args.timeout or None)


async def _run_query(args: argparse.Namespace, service: DriverService) -> int:
    usage = _query_usage(args)
    if usage is not None:
        print(f"bblfsh-lsp: {usage}", file=sys.stderr)
        return EXIT_ERROR
    store = None
    xpath_mode = Mode(args.mode or Mode.SEMANTIC.value)
    from bblfsh_lsp.cluster.sources import is_url, search_paths, walk_paths

    # On a cluster the workers parse every file: the index is this machine's.
    urls = any(is_url(path) for path in args.paths)  # fsspec URLs: no index of them either
    if not args.pattern and xpath_mode is Mode.SEMANTIC and not args.language and not args.no_index \
            and not on_cluster(args) and not urls:
        store = open_index(args.paths, tell=lambda message: print(f"bblfsh-lsp: {message}", file=sys.stderr))
    if store is None and not on_cluster(args):  # else the index, or the workers, answer
        if args.pattern and args.lang and not args.semantic and not args.language:
            # Only files in the pattern's language are searched, by the driver that parses the pattern.
            await service.start_early("", language=args.lang)
        else:
            await _start_drivers(service, args.paths, args.language)
    from bblfsh_lsp.index.search import indexed_files, planned_search
    from bblfsh_lsp.terminal import ProgressLines

    if args.pattern:
        search = await _pattern_search(args, service)
    else:
        search = await planned_search(args.xpath, service, mode=xpath_mode, language=args.language,
                                      time_limit=args.timeout or None)
    # Files that cannot be read when found by walking (a broken link, one leading out of the
    # paths given, a FIFO...) are named as they are met; a file of no known language is
    # skipped quietly.
    told = (lambda message: print(f"skipped {message}", file=sys.stderr)) if args.verbose else None
    report = lambda message: print(message, file=sys.stderr)  # noqa: E731
    files = walk_paths(args.paths, lambda paths: search.walk(paths, report=report, skipped=told), search.searchable,
                       report)
    explicit = {path for path in args.paths if not os.path.isdir(path)}
    if store is not None:
        outcomes = indexed_files(search, store, files, args.paths, service)
    elif on_cluster(args):
        from bblfsh_lsp.cluster.run import query_outcomes

        outcomes = query_outcomes(args, files, search)
    elif urls:
        outcomes = search_paths(search, service, files)
    else:
        outcomes = search.files(files)
    found = 0
    failed = False  # a file found by walking could not be searched
    named_unsearchable = False  # a file named on the command line could not be searched
    without_driver: collections.Counter[str] = collections.Counter()
    printer = _QueryOutput.from_args(args)
    tally = _Tally()
    bar = ProgressLines(len(files))
    try:
        async for outcome in outcomes:
            bar.update(1)
            tally.searched += 1
            if outcome.problem is not None:
                if outcome.missing_driver and outcome.path not in explicit:
                    without_driver[outcome.missing_driver] += 1
                    continue
                hint = f" (--timeout {args.timeout:g}; 0 for no limit)" if outcome.timed_out else ""
                bar.write(f"bblfsh-lsp: {outcome.problem}{hint}" if outcome.timed_out else outcome.problem,
                          file=sys.stderr)
                named_unsearchable = named_unsearchable or outcome.path in explicit
                # Read, but no tree or stopped: a failure; unreadable, as grep: only if named.
                failed = failed or not outcome.unread
                continue
            found += outcome.found
            tally.add(outcome)
            lines = printer.lines(outcome)
            if lines:
                bar.write("\n".join(lines), file=sys.stdout)
    finally:
        bar.close()
        # Closed here, in order, not by the loop's shutdown: a cluster's run stops its work.
        if on_cluster(args):
            await outcomes.aclose()  # type: ignore[attr-defined]
        if store is not None:
            store.close()
    if args.summary or sys.stderr.isatty():
        print(tally.summary(), file=sys.stderr)
    for language, count in sorted(without_driver.items()):
        print(f"bblfsh-lsp: skipped {count} {language} file{'s' if count > 1 else ''} "
              f"(no {language} driver is installed)", file=sys.stderr)
    if args.pattern:
        # Files in a language that cannot read the pattern (a Markdown file beside the code)
        # are skipped quietly, unless no language could.
        if args.verbose or not search.patterns:
            for message in search.skipped_languages():
                print(f"bblfsh-lsp: {message}", file=sys.stderr)
        if search.failures and not search.patterns:
            return EXIT_ERROR
    # As grep: 2 when a file named on the command line could not be searched, even if
    # something matched elsewhere.
    if named_unsearchable:
        return EXIT_ERROR
    if found:
        return EXIT_OK
    return EXIT_ERROR if failed else EXIT_NOTHING


# What `query --format` may print beside a pattern's metavariables.
FORMAT_FIELDS = ("PATH", "LINE", "COL", "END_LINE", "END_COL", "TYPE", "LABEL", "MATCH")
_FORMAT_NAME = re.compile(r"\$(?:\$\$)?([A-Z_][A-Z0-9_]*)")


def _format_names(template: str) -> list[str]:
    return [found.group(1) for found in _FORMAT_NAME.finditer(template)]


def _captures_data(match: Match, lines: uast.LineStarts) -> dict[str, Any]:
    """A pattern match's captures: each one's text and, when it has one, where it is."""
    out: dict[str, Any] = {}
    for name, capture in getattr(match, "captures", ()):
        entry: dict[str, Any] = {"text": capture.text}
        if capture.start is not None and capture.end is not None:
            (line, col), (end_line, end_col) = lines.line_col(capture.start), lines.line_col(capture.end)
            entry.update(line=line, col=col, end_line=end_line, end_col=end_col)
        out[name] = entry
    return out


def _formatted(template: str, fields: dict[str, Any]) -> str:
    return _FORMAT_NAME.sub(lambda found: str(fields.get(found.group(1), found.group(0))), template)


@attrs.define
class _Tally:
    """What `query` found, for its summary on stderr."""

    searched: int = 0
    matches: int = 0
    files: int = 0
    values: int = 0

    def add(self, outcome: FileMatches) -> None:
        self.matches += len(outcome.matches)
        self.files += bool(outcome.matches)
        self.values += outcome.value is not None and not outcome.matches

    def summary(self) -> str:
        return match_lines.summary(self.matches, self.files, self.searched, self.values)


@attrs.frozen
class _QueryOutput:
    """How `query` prints a file's matches: lines of code (the default, as grep -n --column),
    one JSON object each, a template each, or a line naming each node (--nodes)."""

    as_json: bool = False
    template: str | None = None
    nodes: bool = False
    before: int = 0
    after: int = 0
    style: match_lines.Style = match_lines.Style()
    max_bytes: int = DEFAULT_MAX_BYTES
    printed: list[str] = attrs.field(factory=list)  # the files shown as code so far

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> _QueryOutput:
        color = match_lines.use_color(args.color, sys.stdout)
        safe = color or sys.stdout.isatty()  # what a terminal would act on is shown, not sent
        context = args.context or 0
        return cls(args.json, args.format, args.nodes, args.before if args.before is not None else context,
                   args.after if args.after is not None else context, match_lines.Style(color, safe))

    def lines(self, outcome: FileMatches) -> list[str]:
        assert outcome.lines is not None
        code = not (self.as_json or self.nodes or self.template is not None)
        data = outcome.index.data if outcome.index is not None else None
        lines = outcome.lines
        if data is None and outcome.matches and (code or (self.template and "$MATCH" in self.template)):
            data = self._read(outcome.path)  # answered by the index: the text is read to be shown
            if data is not None:
                lines = uast.LineStarts(data)
        if code and outcome.matches and data is not None:
            shown = match_lines.code_lines(outcome.path, data, lines, [(m.start, m.end) for m in outcome.matches],
                                           self.before, self.after, self.style)
            if (self.before or self.after) and self.printed:  # as grep: files' groups apart too
                shown.insert(0, match_lines.separator(self.style))
            self.printed.append(outcome.path)
            return shown
        return _query_lines(outcome.path, lines, outcome.matches, outcome.value, self.as_json, self.template, data)

    def _read(self, path: str) -> bytes | None:
        from bblfsh_lsp.cluster.sources import is_url, read_url

        try:
            text = read_url(path, self.max_bytes) if is_url(path) else read_source(path, self.max_bytes)
            return text.encode("utf-8", "surrogatepass")
        except SourceError as exc:  # changed since it was searched: the matches say where, without code
            print(f"bblfsh-lsp: {exc}", file=sys.stderr)
            return None


def _query_lines(path: str, lines: uast.LineStarts, matches: list[Match], value: Scalar | None,
                 as_json: bool, template: str | None = None, data: bytes | None = None) -> list[str]:
    """Matches as --json, --format TEMPLATE or --nodes print them (and a value, as all do)."""
    out = []
    for match in matches:
        line, col = lines.line_col(match.start)
        end_line, end_col = lines.line_col(match.end)
        if as_json:
            record = {"path": path, "line": line, "col": col, "end_line": end_line, "end_col": end_col,
                      "type": match.type, "label": match.label}
            if hasattr(match, "captures"):
                record["captures"] = _captures_data(match, lines)
            out.append(orjson.dumps(record).decode())
        elif template is not None:
            text = data[match.start:match.end].decode("utf-8", "replace") if data is not None else ""
            fields = {"PATH": path, "LINE": line, "COL": col, "END_LINE": end_line, "END_COL": end_col,
                      "TYPE": match.type, "LABEL": match.label, "MATCH": text}
            fields.update((name, capture.text) for name, capture in getattr(match, "captures", ()))
            out.append(_formatted(template, fields))
        else:
            out.append(f"{path}:{line}:{col}: {match.type}{' ' + match.label if match.label else ''}")
    if value is not None and not matches:
        out.append(orjson.dumps({"path": path, "value": value}).decode() if as_json else f"{path}: {value}")
    return out


async def cmd_symbols(args: argparse.Namespace) -> int:
    if args.workspace is not None:
        return _workspace_symbols(args)
    if not args.files:
        print("bblfsh-lsp: symbols: give FILE... to outline, or --workspace QUERY [PATH]", file=sys.stderr)
        return EXIT_ERROR
    service = _service(args)
    status = EXIT_OK
    try:
        await _start_drivers(service, args.files, args.language)
        from bblfsh_lsp.parsing import parse_files
        from bblfsh_lsp.positions import TextIndex

        async for parsed in parse_files(service, args.files, Mode.SEMANTIC, args.language):
            tree = parsed.result.uast if parsed.result is not None else None
            if parsed.problem is not None or not isinstance(tree, dict):
                print(parsed.describe_errors(), file=sys.stderr)
                status = EXIT_ERROR
                continue
            assert parsed.text is not None
            index = TextIndex(parsed.text, "utf-8")
            if len(args.files) > 1:
                print(f"{parsed.path}:")
            manifest = service.manifest(parsed.language)
            from driver_runtime.sdk.outline import outline, symbol_kinds

            kinds = symbol_kinds(manifest.symbol_kinds) if manifest is not None else {}
            for line in _symbol_tree(outline(tree, index, kinds=kinds), index):
                print(line)
    finally:
        await service.close()
    return status


def _workspace_symbols(args: argparse.Namespace) -> int:
    """`symbols --workspace QUERY [PATH]`: the symbols of PATH's index whose names match QUERY,
    best first, answered from the index alone (no driver starts); exit 0 found, 1 none, 2 no
    index."""
    from bblfsh_lsp.index.symbols import changed_files, find_symbols

    if len(args.files) > 1:
        print("bblfsh-lsp: symbols --workspace takes one PATH", file=sys.stderr)
        return EXIT_ERROR
    path = args.files[0] if args.files else "."
    if not os.path.exists(path):
        print(f"bblfsh-lsp: {path}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    store = open_index([path], tell=lambda message: print(f"bblfsh-lsp: {message}", file=sys.stderr))
    if store is None:
        print(f"bblfsh-lsp: no index covers {path}: run `bblfsh-lsp index {path}` first", file=sys.stderr)
        return EXIT_ERROR
    with store:
        found = find_symbols(store, args.workspace, args.limit, under=path)
        changed = changed_files(store, {symbol.path for symbol in found})
        root = store.root
    for symbol in found:
        shown = _shown_path(symbol.path, path)
        if args.json:
            print(orjson.dumps({"path": shown, "line": symbol.line + 1, "col": symbol.col8 + 1,
                                "end_line": symbol.end_line + 1, "end_col": symbol.end_col8 + 1,
                                "kind": symbol.kind_name, "name": symbol.name, "container": symbol.container,
                                "score": symbol.score}).decode())
        else:
            container = f" (in {symbol.container})" if symbol.container else ""
            print(f"{shown}:{symbol.line + 1}:{symbol.col8 + 1}: {symbol.kind_name} {symbol.name}{container}")
    for changed_path in changed:  # what the index says of them may be out of date
        what = "changed" if os.path.exists(changed_path) else "was removed"
        print(f"bblfsh-lsp: {_shown_path(changed_path, path)} {what} since it was indexed "
              f"(`bblfsh-lsp index {root}` refreshes the index)", file=sys.stderr)
    return EXIT_OK if found else EXIT_NOTHING


def _shown_path(indexed: str, given: str) -> str:
    """An indexed (absolute) path as `query` would print it, found by walking `given`."""
    for base in (os.path.abspath(given), os.path.realpath(given)):
        if indexed == base:
            return given
        if indexed.startswith(os.path.join(base, "")):
            return os.path.normpath(os.path.join(given, os.path.relpath(indexed, base)))
    return indexed


def _symbol_tree(symbols: list[Symbol], index: TextIndex, prefix: str = "") -> list[str]:
    out = []
    for position, symbol in enumerate(symbols):
        last = position == len(symbols) - 1
        start_line = index.lines.line_col(symbol.start)[0]
        end_line = index.lines.line_col(symbol.end)[0]
        lines = f"{start_line}" if start_line == end_line else f"{start_line}-{end_line}"
        out.append(f"{prefix}{'└── ' if last else '├── '}{symbol.kind.name.lower()} {symbol.name}  ({lines})")
        out += _symbol_tree(symbol.children, index, prefix + ("    " if last else "│   "))
    return out


async def cmd_languages(args: argparse.Namespace) -> int:
    """Every language, the driver that parses it here and why: nothing is started."""
    from driver_runtime.languages import LANGUAGES

    service = _service(args)
    try:
        rows = []
        for language in LANGUAGES:
            try:
                choice = service.driver_for(language.name)
            except DriverError as exc:
                rows.append({"language": language.name, "driver": None, "version": None, "runtime": None,
                             "image": None, "why": str(exc), "extensions": list(language.extensions)})
                continue
            rows.append({"language": language.name, "driver": choice.spec.manifest.name,
                         "version": choice.spec.manifest.version, "runtime": choice.runtime.name,
                         "image": choice.spec.image, "why": choice.reason, "extensions": list(language.extensions)})
    finally:
        await service.close()
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return EXIT_OK
    fallback = f" (what it lacks runs on {service.fallback.name})" if service.fallback else ""
    print(f"runtime: {service.runtime.name}{fallback}")
    print()
    print(f"{'language':<18} {'driver':<18} {'runs on':<9} why")
    for row in rows:
        driver = f"{row['driver']} {row['version']}" if row["driver"] else "-"
        print(f"{row['language']:<18} {driver:<18} {row['runtime'] or '-':<9} {row['why']}")
    return EXIT_OK


def _lines_count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of lines, not {value!r}")
    return int(value)


def _driver_preference(value: str) -> tuple[str, str]:
    language, equals, choice = value.partition("=")
    if not equals or not language.strip() or choice.strip() not in PREFERENCES:
        raise argparse.ArgumentTypeError(f"expected LANG=CHOICE with CHOICE one of {', '.join(PREFERENCES)}: {value!r}")
    return language.strip(), choice.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bblfsh-lsp",
        description="Structure of code in any language: a language server and structural search.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--runtime",
        default=runtime_from_environment(),
        help=f"where drivers run: {', '.join(RUNTIME_NAMES)} (default: ${RUNTIME_ENV} or {AUTO})",
    )
    parser.add_argument(
        "--driver", action="append", type=_driver_preference, default=[], metavar="LANG=CHOICE",
        help=f"which driver parses LANG ('*': every language): {', '.join(PREFERENCES)} (default: auto, a "
             "language's own driver when it is installed and prepared, else the universal one); repeatable")
    parser.add_argument("--log-level", default="warning", help="debug, info, warning or error")
    parser.add_argument("--log-file", help="write the log to this file instead of stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print the UAST of files")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument("--mode", choices=[mode.value for mode in Mode], default=Mode.SEMANTIC.value)
    parse.add_argument("--format", choices=["json", "jsonl", "yaml"], default="json")
    parse.add_argument("--language", help="parse as this language instead of detecting it")
    parse.add_argument("--output", metavar="FILE.parquet",
                       help="write one row per file (path, language, digest, uast and errors as JSON text) to a "
                            "Parquet file instead of printing (pyarrow; --format is then not used)")
    add_cluster_arguments(parse)
    parse.set_defaults(run=cmd_parse)

    query = commands.add_parser(
        "query", help="structural search: print the nodes that an XPath query or a code pattern matches",
        description="Search files with an XPath query over their UAST, or with a code pattern (--pattern "
                    "'isinstance($X, $T)'; see the README's Patterns) (exit status: 0 matched, 1 no match, 2 error).",
    )
    query.add_argument("xpath", metavar="QUERY", help="an XPath query; with --pattern, a code pattern")
    query.add_argument("paths", nargs="+", metavar="PATH",
                       help="files or directories (searched recursively); after `--`, a PATH may start with '-'")
    query.add_argument("--pattern", action="store_true",
                       help="QUERY is code, with metavariables: $X matches one node, $$$X any sequence (none too), "
                            "$_ and $$$ without capturing; the same metavariable twice, equal code")
    query.add_argument("--lang", metavar="LANG",
                       help="with --pattern: the pattern's language (default: each file's); without --semantic "
                            "only files in LANG are searched")
    query.add_argument("--semantic", action="store_true",
                       help="with --pattern: match semantic trees, so that a pattern in one language finds the same "
                            "construct in others (a function by name, a call by name)")
    query.add_argument("--format", metavar="TEMPLATE",
                       help="print each match as TEMPLATE: a pattern's $METAVARIABLES and "
                            + ", ".join("$" + name for name in FORMAT_FIELDS))
    query.add_argument("--json", action="store_true", help="one JSON object per match")
    query.add_argument("--nodes", action="store_true",
                       help="print each match as `path:line:col: type label` (the node, not its code)")
    query.add_argument("--color", "--colour", choices=match_lines.COLOR_CHOICES, default="auto",
                       help="highlight matches, file names and line numbers (auto: when stdout is a terminal and "
                            "NO_COLOR is not set; default %(default)s)")
    query.add_argument("-A", "--after-context", dest="after", type=_lines_count, metavar="N",
                       help="print N lines of code after each matching line")
    query.add_argument("-B", "--before-context", dest="before", type=_lines_count, metavar="N",
                       help="print N lines of code before each matching line")
    query.add_argument("-C", "--context", dest="context", type=_lines_count, metavar="N",
                       help="print N lines of code before and after each matching line")
    query.add_argument("--summary", action="store_true",
                       help="say `N matches in M files` on stderr even when it is not a terminal (where it "
                            "always is)")
    query.add_argument("--verbose", action="store_true",
                       help="say on stderr which folders and files the walk skipped, and why")
    query.add_argument("--timeout", type=float, default=Settings().query_timeout, metavar="SECONDS",
                       help="stop the query on a file after this long and report it "
                            "(default: %(default)g; 0: no limit)")
    query.add_argument("--language", help="parse every file as this language")
    query.add_argument("--mode", choices=[mode.value for mode in Mode], default=None,
                       help="the UAST to search (annotated keeps native nodes, with roles; default: semantic for "
                            "XPath, native for a pattern)")
    query.add_argument("--no-index", action="store_true",
                       help="parse every file, even where `bblfsh-lsp index` keeps the workspace's parses")
    add_cluster_arguments(query)
    query.set_defaults(run=cmd_query)

    symbols = commands.add_parser(
        "symbols", help="print the outline of files as a tree, or search the workspace's symbols (--workspace)",
        description="Print the outline of FILEs as a tree; or, with --workspace QUERY, the symbols of PATH's index "
                    "(`bblfsh-lsp index`) whose names match QUERY, fuzzily, best first: `path:line:col: kind name "
                    "(in container)` (exit status: 0 found, 1 none, 2 no index).")
    symbols.add_argument("files", nargs="*", metavar="FILE|PATH",
                         help="files to outline; with --workspace, the folder (or file) to search (default .)")
    symbols.add_argument("--language", help="parse as this language instead of detecting it")
    symbols.add_argument("--workspace", metavar="QUERY",
                         help="search the index's symbols instead: exact names first, then prefixes, camelCase or "
                              "snake_case initials (gor: get_origin_route), substrings, scattered letters")
    symbols.add_argument("--json", action="store_true", help="with --workspace: one JSON object per symbol")
    symbols.add_argument("--limit", type=int, default=100, metavar="N",
                         help="with --workspace: at most N symbols (default %(default)s; 0: all)")
    symbols.set_defaults(run=cmd_symbols)

    serve = commands.add_parser("serve", help="run the language server (stdio unless --tcp)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.set_defaults(run=cmd_serve)

    add_driver_commands(commands)
    add_index_command(commands)

    languages = commands.add_parser("languages", help="list languages, the driver that parses each here, and why")
    languages.add_argument("--json", action="store_true", help="one JSON object per language")
    languages.set_defaults(run=cmd_languages)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        **({"filename": args.log_file} if args.log_file else {"stream": sys.stderr}))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # deep trees, plain recursion
    # A parse brings ~100k new dicts and lists per 100 KB of source, all acyclic (freed by
    # reference counting); with the default thresholds the cyclic collector would run
    # hundreds of times per parse and rescan every live tree.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        if not asyncio.iscoroutinefunction(args.run):
            return args.run(args)
        return asyncio.run(args.run(args))
    except RuntimeNotAvailable as exc:
        print(f"bblfsh-lsp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `bblfsh-lsp parse ... | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
