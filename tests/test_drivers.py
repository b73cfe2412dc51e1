"""One suite for every driver, as Babelfish ran one fixture suite for all of its drivers.

Each driver is a DriverCase in tests/driver_cases/LANGUAGE.py: its samples, what they must give
and its own tests.  Every test here runs on each driver that declares what the test needs,
through real parses: the three modes, positions after non-ASCII text, hostile input, the native
program's own protocol, conformance with Babelfish's fixtures (../shared/conformance), a large
file, the same answers through the process runtime and a container runtime, the language server
end to end; then each driver's own tests.

A driver whose toolchain or preparation is missing (`bblfsh-lsp driver install LANG --runtime
process`, scripts/setup-toolchains.sh) is skipped, or fails under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1;
the container tests build a test image of the driver and remove it after, and skip without an
engine or the base image (fail under BBLFSH_LSP_REQUIRE_CONTAINERS=1).  One driver alone:
`pytest tests/test_drivers.py -k go`.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from driver_cases import CASES
from driver_checks import (
    Document,
    DriverCase,
    DriverImage,
    Editor,
    PreparedDrivers,
    assert_answers_as_in_process,
    assert_conformance,
    assert_docker_answers_as_process,
    assert_image_labels,
    built_driver_image,
    bundled_spec,
    case_lsp_client_fixture,
    conformance_row,
    describe,
    needs_fixtures,
    needs_scorer,
    served,
    symbol_tree,
    timed_parses,
)
from lsprotocol import types
from pytest_lsp import LanguageClient
from uast_checks import assert_native, assert_role_tables, assert_roles_added, of_type, text_of, types_in

from driver_runtime import images
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.protocol import Manifest, Mode, ParseRequest


def each_case(declares: Callable[[DriverCase], Any], *, marks: Callable[[DriverCase], Any] = lambda case: ()) -> Any:
    """Parametrizes a test with each driver that declares what it needs (`declares` is true)."""
    return pytest.mark.parametrize("case", [pytest.param(case, id=case.language, marks=marks(case))
                                            for case in CASES if declares(case)])


def each_case_and_mode(declares: Callable[[DriverCase], Any], *,
                       marks: Callable[[DriverCase], Any] = lambda case: ()) -> Any:
    """Parametrizes a test with each such driver, in each mode."""
    return pytest.mark.parametrize("case, mode", [pytest.param(case, mode, id=f"{case.language}-{mode.value}",
                                                               marks=marks(case))
                                                  for case in CASES if declares(case) for mode in Mode])


@pytest.fixture(scope="module")
def prepared_drivers() -> Iterator[PreparedDrivers]:
    drivers = PreparedDrivers()
    try:
        yield drivers
    finally:
        drivers.close()


@pytest.fixture
def driver(case: DriverCase, prepared_drivers: PreparedDrivers) -> Any:
    """The case's driver in this process, prepared (else a skip); one per driver for the suite."""
    return prepared_drivers.get(case)


@pytest.fixture
def parse(case: DriverCase, driver: Any) -> Callable[..., Any]:
    """parse(source, mode=SEMANTIC, filename=None) with the case's driver (DriverCase.parser)."""
    return case.parser(driver)


@pytest.fixture
def spanned(case: DriverCase, parse) -> Callable[..., Any]:
    """spanned(source, mode=SEMANTIC, filename=None): the tree parse gives, its spans true (the
    case's `spans`)."""

    def spanned(source: str, mode: Mode = Mode.SEMANTIC, filename: str | None = None) -> Any:
        result = parse(source, mode, filename)
        assert result.uast is not None, result.errors
        case.spans(source, result.uast)
        return result.uast

    return spanned


def then(check: Callable[..., None] | None, *made: Any) -> None:
    """The driver's own expectations on what a shared test made, where it has some."""
    if check is not None:
        check(*made)


# --- the three modes -----------------------------------------------------------------------------


@each_case(lambda case: case.native)
def test_native_mode_is_the_parsers_tree_with_true_spans_and_no_roles(case: DriverCase, parse):
    result = parse(case.sample, Mode.NATIVE)
    assert result.ok, result.errors
    tree = result.uast
    assert tree["@type"] == case.native.root
    assert case.native.types <= types_in(tree), case.native.types - types_in(tree)
    assert_native(tree)
    case.spans(case.sample, tree)
    then(case.native.then, tree)


@each_case(lambda case: case.annotated)
def test_annotated_mode_adds_babelfish_roles_and_nothing_else(case: DriverCase, parse):
    native = parse(case.sample, Mode.NATIVE).uast
    result = parse(case.sample, Mode.ANNOTATED)
    assert result.ok, result.errors
    assert result.uast["@type"] == case.native.root
    assert_roles_added(native, result.uast, every_node=case.annotated.every_node, ordered=case.annotated.ordered)
    then(case.annotated.then, result.uast)


@each_case(lambda case: case.role_tables)
def test_role_tables_use_babelfish_role_names_only(case: DriverCase):
    assert_role_tables(case.role_tables.tables(), ordered=case.role_tables.ordered)


@each_case(lambda case: case.semantic)
def test_semantic_mode_has_true_spans_and_uast_nodes_for_what_they_stand_for(case: DriverCase, parse):
    result = parse(case.sample)
    assert result.ok, result.errors
    tree = result.uast
    assert tree["@type"] == case.native.root
    case.spans(case.sample, tree)
    assert not case.semantic.gone & types_in(tree), case.semantic.gone & types_in(tree)
    then(case.semantic.then, tree)


# --- positions and errors ------------------------------------------------------------------------


@each_case(lambda case: case.non_ascii)
def test_positions_are_utf8_byte_offsets_after_non_ascii_text(case: DriverCase, parse):
    source = case.non_ascii.source
    for mode in Mode:
        result = parse(source, mode)
        assert result.ok, (mode, result.errors)
        case.spans(source, result.uast)
    tree = parse(source).uast
    if case.non_ascii.comments is not None:
        assert [(text_of(source, comment), comment["Text"]) for comment in of_type(tree, "uast:Comment")] == \
            list(case.non_ascii.comments)
    if case.non_ascii.function is not None:
        assert text_of(source, of_type(tree, "uast:FunctionGroup")[0]) == case.non_ascii.function
    then(case.non_ascii.then, tree)


@pytest.mark.parametrize("case, source, mode", [
    pytest.param(case, source, mode, id=f"{case.language}-{mode.value}-source{number}")
    for case in CASES for number, source in enumerate(case.hostile.sources) for mode in Mode])
def test_hostile_input_is_an_answer_not_a_crash(case: DriverCase, parse, source: str, mode: Mode):
    result = parse(source, mode)
    if case.hostile.no_tree:
        assert result.errors and result.uast is None
    else:
        assert result.uast is not None or result.errors
    assert all(error.message for error in result.errors)
    assert parse(case.hostile.alive, mode).ok  # and the driver keeps serving


@pytest.mark.parametrize("case, error", [
    pytest.param(case, error, id=f"{case.language}-{number}")
    for case in CASES for number, error in enumerate(case.syntax_errors)])
def test_syntax_error_is_an_error_at_its_byte_position(case: DriverCase, parse, error: DriverCase.SyntaxErrorAt):
    result = parse(error.source, filename=error.filename)
    assert result.errors, result
    assert error.count in (None, len(result.errors)), result.errors
    assert error.tree in (None, result.uast is not None), result
    first = result.errors[0]
    before = error.before.encode("utf-8")
    where = (len(before), before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1)
    assert first.start is not None and (first.start.offset, first.start.line, first.start.col) == where, first
    assert first.end is None or first.end.offset >= first.start.offset, first
    assert first.message and error.message in (None, first.message) and error.says in first.message, first.message
    assert parse(case.hostile.alive).ok  # and the driver keeps serving


@each_case(lambda case: isinstance(case.driver, type) and issubclass(case.driver, NativeDriver))
def test_native_program_survives_bad_requests_and_is_restarted_if_killed(case: DriverCase, driver, parse):
    native, alive = driver.native, case.hostile.alive
    assert native.parse(alive)["ast"]["@type"] == case.native.root.partition(":")[2]
    process = native._process
    assert process is not None and process.stdin is not None and process.stdout is not None
    process.stdin.write("".join(f"{line}\n" for line in case.native_program.bad_requests).encode())
    process.stdin.flush()
    for line in case.native_program.bad_requests:
        answer = json.loads(process.stdout.readline())
        assert answer["ast"] is None, line
        assert answer["errors"][0]["message"] and case.native_program.says in answer["errors"][0]["message"], line
    assert native.parse(alive)["errors"] == []
    process.kill()
    process.wait()
    assert parse(alive).ok  # a new one is started


# --- Babelfish's fixtures ------------------------------------------------------------------------


@each_case_and_mode(lambda case: case.fixtures, marks=lambda case: needs_fixtures(case.fixtures_folder))
def test_fixture_positions_are_true_spans(case: DriverCase, parse, mode: Mode):
    """Every fixture gives a tree with true spans (the driver's own checks on each too), but the
    syntax error, which gives an error with its position."""
    fixtures, extension = case.fixtures, case.fixtures.extension
    for path in sorted(case.fixtures_folder.glob(f"*{extension}")):
        source = path.read_text(encoding="utf-8")
        result = parse(source, mode)
        if path.name == f"_syntax_error{extension}":
            assert result.errors and result.errors[0].start is not None, path.name
            if fixtures.syntax_error_line is not None:
                assert result.uast is None and result.errors[0].start.line == fixtures.syntax_error_line
        else:
            assert result.uast is not None, (path.name, result.errors)
            assert result.ok or not fixtures.clean, (path.name, result.errors)
        if result.uast is not None:
            case.spans(source, result.uast)
            then(fixtures.then, path, source, result.uast, mode)


@each_case(lambda case: case.conformance, marks=lambda case: needs_scorer(case.fixtures_folder))
def test_conformance_with_babelfish_fixtures(case: DriverCase, driver):
    limit = sys.getrecursionlimit()
    row = conformance_row(driver, case.fixtures_folder, case.language, worst=case.conformance.worst)
    assert sys.getrecursionlimit() == limit
    assert_conformance(row, loose=case.conformance.loose, strict=case.conformance.strict,
                       syntax_errors=case.conformance.syntax_errors)
    then(case.conformance.then, row)


@each_case(lambda case: case.large_file)
def test_a_100_kb_file_parses_quickly(case: DriverCase, parse):
    large = case.large_file
    source = large.source()
    size = len(source.encode())
    assert size > 100_000
    with collector_off() if large.collector_off else contextlib.nullcontext():
        results, seconds = timed_parses(lambda: parse(source), runs=large.runs)
    for result in results:
        assert result.uast is not None, result.errors
        then(large.then, result)
    assert min(seconds) < large.seconds, f"{min(seconds):.2f} s for {size} bytes"


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """As in a driver process (sdk/serve.py): no cyclic garbage collection."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# --- the driver through the runtimes: process and docker -----------------------------------------


def assert_served_answers(case: DriverCase, requests: list[ParseRequest], health: Manifest,
                          got: list[dict[str, Any]]) -> None:
    """A runtime's health and answers (Served): the driver's language and symbol kinds; the
    samples as trees without errors (the first one's semantic tree with functions), a tree or
    errors for each fixture, the broken file's error on its line."""
    served_case = case.served
    assert health.language == case.language
    assert {kind: health.symbol_kinds.get(kind) for kind in served_case.kinds} == dict(served_case.kinds)
    assert health.parser.startswith(served_case.parser), health.parser
    assert len(got) == len(requests)
    for request, answer in zip(requests, got):
        assert answer.get("language") == case.language, describe(request)
    samples = len(served_case.samples) * len(Mode)
    for request, answer in zip(requests[:samples], got[:samples]):
        assert (answer.get("uast") or {}).get("@type") == case.native.root, describe(request)
        assert answer.get("errors", []) == [], describe(request)
    assert of_type(got[list(Mode).index(Mode.SEMANTIC)]["uast"], "uast:FunctionGroup")
    fixtures = len(served_case.fixtures)
    for request, answer in zip(requests[samples:samples + fixtures], got[samples:samples + fixtures]):
        assert answer.get("uast") or answer.get("errors"), describe(request)
    if served_case.broken is not None:
        for request, answer in zip(requests[samples + fixtures:], got[samples + fixtures:]):
            assert answer["errors"][0]["start"]["line"] == served_case.broken.line, describe(request)
            assert served_case.broken.tree or not answer.get("uast"), describe(request)


@each_case(lambda case: case.served)
async def test_process_runtime_serves_the_driver(case: DriverCase, driver):
    requests = case.served.requests(case.language)
    health, got = await served(ProcessRuntime(), bundled_spec(case.language), requests)
    assert_answers_as_in_process(driver, requests, got)
    assert_served_answers(case, requests, health, got)


@pytest.fixture
def driver_image(case: DriverCase) -> Iterator[DriverImage]:
    """The case's driver image, built from this working tree under a test tag, removed after."""
    with built_driver_image(case.language, timeout=case.served.image_timeout,
                            build_failed=case.served.build_failed) as image:
        yield image


@each_case(lambda case: case.served)
async def test_docker_runtime_answers_as_the_process_runtime(case: DriverCase, driver, driver_image: DriverImage):
    """`driver` first: the process runtime's answers, the reference, need the driver prepared."""
    assert_image_labels(driver_image)
    requests = case.served.requests(case.language)
    health, got = await assert_docker_answers_as_process(driver_image, requests)
    assert_served_answers(case, requests, health, got)


# --- the driver's image: the host's Debian packages ----------------------------------------------
#
# host-packages.txt is the one list of a driver's Debian packages: scripts/setup-toolchains.sh
# installs them on a host, the driver's Dockerfile in its build stage, and those marked `in-image`
# in its runtime stage.  The Dockerfile (the driver's own, or driver_runtime/drivers/driver.Dockerfile
# rendered for it: images.dockerfile) reads the list (COPY, then awk): what it installs is
# checked here by running its own shell words on the list, without an engine.

DRIVER_FOLDERS = REPO / "driver_runtime" / "drivers"
PACKAGE_MARKS = {"in-image"}


def host_packages(folder: Path) -> dict[str, set[str]]:
    """host-packages.txt: each package and the words after it on its line."""
    listed = {}
    for line in (folder / "host-packages.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            package, *marks = line.split()
            listed[package] = set(marks)
    return listed


def dockerfile_stages(dockerfile: str) -> list[list[str]]:
    """The Dockerfile's instructions (continued lines joined, comments dropped), stage by stage."""
    text = re.sub(r"\\\n(\s*#.*\n)*", " ", dockerfile)
    stages: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line.strip())
    return stages[1:]


def substitutions(words: str) -> tuple[str, list[str]]:
    """The words without their command substitutions $(...), and those substitutions."""
    plain, found, depth, start = [], [], 0, 0
    index = 0
    while index < len(words):
        if words.startswith("$(", index):
            if depth == 0:
                start = index
            depth += 1
            index += 2
            continue
        if words[index] == ")" and depth:
            depth -= 1
            if depth == 0:
                found.append(words[start:index + 1])
            index += 1
            continue
        if depth == 0:
            plain.append(words[index])
        index += 1
    return "".join(plain), found


def apt_installs(stage: list[str], copied: dict[str, Path]) -> tuple[set[str], set[str]]:
    """What a stage's `apt-get install` commands install: the packages written in them, and those
    their command substitutions give (run here with sh, on the files the stage COPYs)."""
    written, substituted = set(), set()
    for instruction in stage:
        if not instruction.upper().startswith("RUN "):
            continue
        for command in instruction[4:].split("&&"):
            if "apt-get install" not in command:
                continue
            words = command.split("apt-get install", 1)[1]
            plain, found = substitutions(words)
            written |= {word for word in plain.split() if not word.startswith("-")}
            for substitution in found:
                for inside, outside in copied.items():
                    substitution = substitution.replace(inside, str(outside))
                done = subprocess.run(["sh", "-c", f"printf '%s\\n' {substitution}"], capture_output=True,
                                      text=True, check=True, timeout=60)
                substituted |= set(done.stdout.split())
    return written, substituted


@pytest.mark.parametrize("name", sorted(path.parent.name for path in DRIVER_FOLDERS.glob("*/manifest.json")))
def test_image_installs_the_host_packages_it_lists(name: str):
    folder = DRIVER_FOLDERS / name
    spec = Registry.bundled().get(name)
    assert spec is not None and spec.folder == folder
    dockerfile = images.dockerfile(spec)
    if not (folder / "host-packages.txt").exists():
        # No Debian package in its image (a build stage may install Python's build tools, as the
        # universal driver's does for pip; nothing of them is left in the runtime stage).
        assert not (folder / "prepare.sh").exists(), f"{name} prepares a native parser but lists no host packages"
        assert not any("apt-get install" in instruction for instruction in dockerfile_stages(dockerfile)[-1])
        return
    listed = host_packages(folder)
    assert listed
    assert all(marks <= PACKAGE_MARKS for marks in listed.values()), listed
    stages = dockerfile_stages(dockerfile)
    assert len(stages) == 2, "a build stage and a runtime stage"
    kept = {package for package, marks in listed.items() if "in-image" in marks}
    for stage, wanted in zip(stages, (set(listed), kept), strict=True):
        copied = {}
        for instruction in stage:
            if instruction.upper().startswith("COPY ") and "--from" not in instruction:
                source, target = instruction.split()[1:3]
                copied[target] = REPO / source
        written, substituted = apt_installs(stage, copied)
        assert not written & set(listed), f"{name}: {written & set(listed)} written again: host-packages.txt has them"
        assert substituted == wanted, (name, stage[0], substituted, wanted)


# --- the language server end to end --------------------------------------------------------------


client = case_lsp_client_fixture()


def assert_inside(inner: types.Range, outer: types.Range, what: Any) -> None:
    start, end = (inner.start.line, inner.start.character), (inner.end.line, inner.end.character)
    assert (outer.start.line, outer.start.character) <= start <= end <= (outer.end.line, outer.end.character), what


def assert_symbols_nest(symbols: list[types.DocumentSymbol] | None, parent: types.DocumentSymbol | None = None) -> None:
    """Each symbol's name inside its range, each child's range inside its parent's."""
    for symbol in symbols or []:
        assert_inside(symbol.selection_range, symbol.range, symbol.name)
        if parent is not None:
            assert_inside(symbol.range, parent.range, (parent.name, symbol.name))
        assert_symbols_nest(symbol.children, symbol)


@each_case(lambda case: case.lsp)
async def test_lsp_outline_folding_selection_and_functions(case: DriverCase, client: LanguageClient):
    """On the case's document: an outline whose names and children nest; folding ranges that end
    after they start, the declared ones among them; selection ranges that widen, from the first
    symbol's name and from the declared cursor (its name, its enclosing definition, the file);
    and what structural queries find: its functions and the declared queries' matches, and
    the functions over the workspace."""
    lsp, editor = case.lsp, Editor(client)
    uri = await editor.open(lsp.document)
    symbols = await editor.symbols(uri)
    assert symbols
    assert_symbols_nest(symbols)

    folds = await editor.folds(uri)
    assert folds and all(fold.start_line <= fold.end_line for fold in folds)
    spans = {(fold.start_line, fold.end_line) for fold in folds}
    for alternatives in lsp.folds:
        assert alternatives & spans, sorted(alternatives)
    for kind, lines in lsp.kind_folds.items():
        assert any(fold.kind == kind and (lines is None or (fold.start_line, fold.end_line) == lines)
                   for fold in folds), (kind, lines)

    chain = await editor.selection(uri, symbols[0].selection_range.start)
    for inner, outer in itertools.pairwise(chain):
        assert_inside(inner, outer, chain)
    if lsp.selection is not None:
        await assert_selection(editor, uri, lsp.document, lsp.selection)

    for query, labels in {"//uast:FunctionGroup": lsp.functions, **lsp.queries}.items():
        assert [match["label"] for match in await editor.query(query, uri)] == list(labels), query
    everywhere = await editor.query("//uast:FunctionGroup")
    for name, functions in {lsp.document.name: lsp.functions, **lsp.file_functions}.items():
        found = [match["label"] for match in everywhere if match["uri"].endswith(f"/{name}")]
        assert sorted(found) == sorted(functions), name


async def assert_selection(editor: Editor, uri: str, document: Document, selection: DriverCase.Selection) -> None:
    text = document.lines[selection.line]
    chain = await editor.selection(uri, types.Position(line=selection.line,
                                                       character=editor.column(text, selection.cursor)))
    start, end = selection.name
    assert chain[0].start == types.Position(line=selection.line, character=editor.column(text, start))
    assert chain[0].end == types.Position(line=selection.line, character=editor.column(text, end))
    encloses = types.Position(line=selection.encloses[0], character=selection.encloses[1])
    assert any(r.start == encloses and selection.encloses_end in (None, r.end.line) for r in chain), chain
    assert chain[-1].start == types.Position(line=0, character=0)


@each_case(lambda case: case.lsp and case.lsp.diagnosed)
async def test_lsp_syntax_errors_are_diagnostics(case: DriverCase, client: LanguageClient):
    diagnosed, editor = case.lsp.diagnosed, Editor(client)
    uri = await editor.open(diagnosed.document)
    diagnostics = await editor.diagnostics(uri)
    assert diagnostics and all(d.severity == types.DiagnosticSeverity.Error for d in diagnostics), diagnostics
    assert diagnosed.count in (None, len(diagnostics)), diagnostics
    first = diagnostics[0]
    assert first.range.start.line == diagnosed.line and diagnosed.says in first.message, first
    if diagnosed.before is not None:
        text = diagnosed.document.lines[diagnosed.line]
        assert first.range.start.character == editor.column(text, diagnosed.before), first
    if diagnosed.outline is not None:
        assert symbol_tree(await editor.symbols(uri)) == diagnosed.outline


# --- each driver's own tests ---------------------------------------------------------------------


def own_checks(*, with_editor: bool) -> list[Any]:
    """(case, check, arguments) for each run of each driver's own tests that do (or do not) drive
    the language server."""
    return [pytest.param(case, check, arguments, id="-".join(filter(None, (case.language, check.name, name))),
                         marks=check.marks)
            for case in CASES for check in case.checks if check.uses_editor is with_editor
            for arguments, name in zip(check.arguments, check.ids, strict=True)]


@pytest.mark.parametrize("case, check, arguments", own_checks(with_editor=False))
def test_own(case: DriverCase, check, arguments, request: pytest.FixtureRequest):
    check.call(request, arguments)


@pytest.mark.parametrize("case, check, arguments", own_checks(with_editor=True))
async def test_own_lsp(case: DriverCase, check, arguments, client: LanguageClient, request: pytest.FixtureRequest):
    editor = Editor(client)
    await check.call(request, arguments, editor=editor, uri=await editor.open(case.lsp.document))
