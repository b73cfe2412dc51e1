"""The universal driver: tree-sitter, with the grammars of tree-sitter-language-pack, for every
language it has a grammar for (grammars.py); native mode is the tree in Babelfish's shape
(native.py), annotated and semantic modes add what the language's table says (tables.py,
languages/, built by normalization.py)."""

from __future__ import annotations

import importlib.metadata
import warnings
from pathlib import Path

import attrs
from tree_sitter import Parser, Tree
from tree_sitter_language_pack import get_language

from driver_runtime.drivers.universal import grammars, native, normalization
from driver_runtime.drivers.universal.memo import Memo
from driver_runtime.sdk.normalizer import UNANNOTATED, Normalizer
from driver_runtime.sdk.protocol import Manifest, Mode, ParseError, ParseRequest, ParseResult, TextEdit
from driver_runtime.sdk.reuse import Moves
from driver_runtime.sdk.serve import load_manifest

HERE = Path(__file__).resolve().parent

# How long a grammar may parse before it is given up: some loop for ever on some broken input
# (F#'s on an unfinished member), growing in memory.  tree-sitter's progress callback would be the
# newer way, but it is only called for texts read in chunks, and there it crashed on such input.
PARSE_SECONDS = 2.0
PARSE_SECONDS_PER_MB = 10.0
# Kept documents up to this size keep their conversions for the next edit (memo.py); a larger
# one's would hold several times its size in keys.
MEMO_MAX_BYTES = 2 << 20


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def manifest() -> Manifest:
    """The driver's manifest.json (which lists the languages; scripts/generate_facts.py writes
    them from grammars.py), with the versions of what parses, as installed."""
    written = load_manifest(HERE)
    return attrs.evolve(written, parser=(
        f"tree-sitter {_version('tree-sitter')}, grammars of tree-sitter-language-pack "
        f"{_version('tree-sitter-language-pack')} ({len(written.languages)} languages)"))


class UniversalDriver:
    def __init__(self) -> None:
        self.manifest = manifest()
        self._parsers: dict[str, Parser] = {}  # grammar -> its parser, made on first use
        self._normalizers: dict[str, Normalizer] = {}  # language -> the generic rules for it
        # The kept conversions of the document parsed last (memo.py), with the state they go with.
        self._memo: tuple[KeptTree, Memo] | None = None
        self.moves = Moves()  # the top-level nodes taken from them, not moved yet (sdk.reuse)

    def parser(self, grammar: str) -> Parser:
        parser = self._parsers.get(grammar)
        if parser is None:
            parser = self._parsers[grammar] = Parser(get_language(grammar))
        return parser

    def parse(self, request: ParseRequest) -> ParseResult:
        return self.parse_kept(request, None, None)[0]

    def parse_kept(self, request: ParseRequest, kept: KeptTree | None,
                   edits: list[TextEdit] | None) -> tuple[ParseResult, KeptTree | None]:
        """A parse that reuses the tree of the document's previous text, when the edits from
        that text are given (protocol 1.2: sdk/documents.py): tree-sitter re-parses only what
        they touched."""
        language = grammars.served_name(request.language) if request.language else None
        grammar = grammars.grammar_for(language, request.filename) if language else None
        if language is None or grammar is None:
            asked = f"language {request.language!r}" if request.language else "no language"
            return ParseResult(language=request.language, errors=[
                ParseError(message=f"the universal driver has no grammar for {asked}")]), None
        self.moves.begin()  # what the last parse left to move is moved (the serving kit does it after each answer)
        data = request.content.encode("utf-8", "surrogatepass")
        parser = self.parser(grammar)
        limit = PARSE_SECONDS + PARSE_SECONDS_PER_MB * len(data) / 1e6
        with warnings.catch_warnings():  # deprecated for the progress callback: see PARSE_SECONDS
            warnings.simplefilter("ignore", DeprecationWarning)
            parser.timeout_micros = int(limit * 1e6)
        since = kept is not None and edits is not None and kept.grammar == grammar
        try:
            tree = parser.parse(data, kept.edited(edits)) if since else parser.parse(data)  # type: ignore[union-attr,arg-type]
        except ValueError:  # the time limit passed
            parser.reset()  # else its next parse would resume this one
            return ParseResult(language=language, errors=[ParseError(message=(
                f"tree-sitter's {grammar} grammar did not finish parsing this text within {limit:.0f} s "
                f"(some grammars loop on some broken input)"))]), None
        mode = Mode(request.mode)
        if mode is Mode.NATIVE:
            uast, errors = native.convert(tree, data, f"{language}:")
            return ParseResult(language=language, uast=uast, errors=errors), KeptTree(grammar, tree, data)
        normalizer = self._normalizers.get(language)
        if normalizer is None:
            normalizer = self._normalizers[language] = Normalizer(language, normalization.tables_for(language))
        memo = self._memo_for(request, kept, language, grammar, normalizer, data)
        if memo is not None and since:
            memo.since(_changed(kept.tree, tree), _spans(edits))  # type: ignore[union-attr,arg-type]
        uast, errors = native.convert(tree, data, "", memo)
        if memo is None:
            uast = normalizer.run(uast, data, mode)
        else:
            uast = normalizer.run(uast, data, mode, memo.taken, memo.watched, memo.results)
            memo.keep()
        if type(uast) is dict and not uast.get("@type", "").startswith("uast:"):
            # The root is the file, whatever its grammar calls it (Babelfish's File role).
            uast["@role"] = sorted({*uast.get("@role", ()), "File"} - {UNANNOTATED})
        now = KeptTree(grammar, tree, data)
        if memo is not None:
            self._memo = (now, memo)
        return ParseResult(language=language, uast=uast, errors=errors), now

    def _memo_for(self, request: ParseRequest, kept: KeptTree | None, language: str, grammar: str,
                  normalizer: Normalizer, data: bytes) -> Memo | None:
        """The memo a kept document's parse takes from and keeps in (memo.py): the one of its
        previous text, if that was the last parse and in this mode; none for a text not kept."""
        if not request.document or len(data) > MEMO_MAX_BYTES:
            return None
        last = self._memo
        if last is not None and kept is last[0] and last[1].mode == request.mode and last[1].grammar == grammar:
            return last[1].for_next(data)
        return Memo(request.mode, grammar, normalizer.tables.transforms, normalization.reuse_limits(language), data,
                    self.moves)


def _spans(edits: list[TextEdit]) -> list[tuple[int, int, int]]:
    """Edits as (start, end, inserted bytes)."""
    return [(edit.start, edit.end, len(edit.text.encode("utf-8", "surrogatepass"))) for edit in edits]


def _changed(old: Tree, new: Tree) -> list[tuple[int, int]]:
    """Where the new text's structure differs from the old one's, in tree-sitter's word."""
    return [(found.start_byte, found.end_byte) for found in old.changed_ranges(new)]


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter's (row, byte column) of a byte offset."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


@attrs.define
class KeptTree:
    """What the driver keeps of a document: its grammar, its tree and the text it was parsed from."""

    grammar: str
    tree: Tree
    data: bytes

    def edited(self, edits: list[TextEdit]) -> Tree:
        """The tree told of the edits (tree-sitter then re-parses only where they are)."""
        data = self.data
        for edit in edits:
            inserted = edit.text.encode("utf-8", "surrogatepass")
            new_end = edit.start + len(inserted)
            start_point, old_end_point = _point(data, edit.start), _point(data, edit.end)
            data = data[:edit.start] + inserted + data[edit.end:]
            self.tree.edit(start_byte=edit.start, old_end_byte=edit.end, new_end_byte=new_end,
                           start_point=start_point, old_end_point=old_end_point,
                           new_end_point=_point(data, new_end))
        return self.tree
