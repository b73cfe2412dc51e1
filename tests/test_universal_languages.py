"""Every language with a table of its own, end to end, as a user gets it right after install.

tests/universal_samples/<language>/ holds a realistic sample file written for this test and
``expected.txt``: the outline a user of that language expects for it (names, kinds, nesting,
written from the code, the way the language's own tools show it) and the names a structural
query finds.  The server runs with an empty data folder, so no native driver is prepared: the
languages Babelfish had and whose driver needs preparing (Go, Java, JavaScript...) are served
here by the universal driver too, as on a fresh install.

expected.txt:

    class Greeter            # kind (LSP SymbolKind, lower case) and name; two spaces per level
      method greet
    function main
    query //uast:FunctionGroup: greet main     # the labels of what the query matches, in order
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from driver_checks import document_symbols, folding_ranges, lsp_client_fixture, open_document
from lsprotocol import types
from pytest_lsp import LanguageClient

from driver_runtime.drivers.universal import grammars

SAMPLES = Path(__file__).parent / "universal_samples"


@attrs.frozen
class Sample:
    language: str
    path: Path
    outline: list[str]  # "  kind name" lines
    query: str
    labels: list[str]

    @classmethod
    def read(cls, folder: Path) -> Sample:
        sources = [path for path in folder.iterdir() if path.name != "expected.txt"]
        assert len(sources) == 1, f"{folder}: one sample file and expected.txt"
        outline, query, labels = [], "", []
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
            line = line.split("  #", 1)[0].rstrip()
            if line.startswith("query "):
                query, _, found = line[len("query "):].rpartition(":")
                labels = found.split()
            elif line.strip():
                outline.append(line)
        assert query, f"{folder}/expected.txt names no query"
        return cls(folder.name, sources[0], outline, query.strip(), labels)


SAMPLE_LIST = [Sample.read(folder) for folder in sorted(SAMPLES.iterdir()) if folder.is_dir()]


def outline_lines(symbols: list[types.DocumentSymbol] | None, depth: int = 0) -> list[str]:
    lines = []
    for symbol in symbols or []:
        lines.append(f"{'  ' * depth}{symbol.kind.name.lower()} {symbol.name}")
        lines += outline_lines(symbol.children, depth + 1)
    return lines


def unfolded(symbols: list[types.DocumentSymbol] | None, folds: list[types.FoldingRange]) -> list[str]:
    """The multi-line symbols no fold starts at (between the symbol's first line and the line
    after its name) and ends within."""
    missing = []
    for symbol in symbols or []:
        start, end = symbol.range.start.line, symbol.range.end.line
        if end > start and not any(start <= fold.start_line <= symbol.selection_range.start.line + 1
                                   and fold.end_line <= end for fold in folds):
            missing.append(symbol.name)
        missing += unfolded(symbol.children, folds)
    return missing


def test_the_samples_cover_forty_languages_each_served_by_the_universal_driver():
    languages = [sample.language for sample in SAMPLE_LIST]
    assert len(languages) >= 40
    assert set(languages) <= set(grammars.LANGUAGES)


@pytest.fixture(autouse=True)
def fresh_install(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No prepared native parts, no installed images: the data folder of a fresh install."""
    monkeypatch.setenv("BBLFSH_LSP_DATA", str(tmp_path_factory.mktemp("fresh-data")))


client = lsp_client_fixture({f"{sample.language}/{sample.path.name}": sample.path.read_text(encoding="utf-8")
                             for sample in SAMPLE_LIST})


async def test_every_sample_gets_its_outline_folds_and_query_answer(client: LanguageClient):
    """One session for all languages (a session per language would take minutes); every
    difference is reported at once."""
    problems = []
    for sample in SAMPLE_LIST:
        uri = await open_document(client, f"{sample.language}/{sample.path.name}", sample.path.read_text(encoding="utf-8"),
                                  sample.language)
        symbols = await document_symbols(client, uri)
        got = outline_lines(symbols)
        if got != sample.outline:
            problems.append(f"{sample.language}: outline\n  expected {sample.outline}\n  got      {got}")
        missing = unfolded(symbols, await folding_ranges(client, uri))
        if missing:
            problems.append(f"{sample.language}: no fold for {missing}")
        matches = await client.protocol.send_request_async(
            "bblfsh/query", {"query": sample.query, "textDocument": {"uri": uri}})
        labels = [match["label"] for match in matches]
        if labels != sample.labels:
            problems.append(f"{sample.language}: {sample.query}\n  expected {sample.labels}\n  got      {labels}")
    assert not problems, "\n".join(problems)
