"""The universal driver: tree-sitter, with the grammars of tree-sitter-language-pack, for every
language it has a grammar for (grammars.py); native mode is the tree in Babelfish's shape
(native.py), annotated and semantic modes add the generic rules of normalization.py."""

from __future__ import annotations

import importlib.metadata

from tree_sitter import Parser
from tree_sitter_language_pack import get_language

from driver_runtime.drivers.universal import grammars, native, normalization
from driver_runtime.sdk.normalizer import Normalizer
from driver_runtime.sdk.protocol import Manifest, Mode, ParseError, ParseRequest, ParseResult

NAME = "universal"
VERSION = "0.1.0"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def manifest() -> Manifest:
    """The driver's manifest, made here until the registry learns a driver of many languages
    (then a manifest.json)."""
    return Manifest(
        name=NAME,
        language=NAME,
        version=VERSION,
        parser=(f"tree-sitter {_version('tree-sitter')}, grammars of tree-sitter-language-pack "
                f"{_version('tree-sitter-language-pack')} ({len(grammars.LANGUAGES)} languages)"),
        command=["{python}", "-m", f"driver_runtime.drivers.{NAME}"],
    )


class UniversalDriver:
    def __init__(self) -> None:
        self.manifest = manifest()
        self._parsers: dict[str, Parser] = {}  # grammar -> its parser, made on first use
        self._normalizers: dict[str, Normalizer] = {}  # language -> the generic rules for it

    def parser(self, grammar: str) -> Parser:
        parser = self._parsers.get(grammar)
        if parser is None:
            parser = self._parsers[grammar] = Parser(get_language(grammar))
        return parser

    def parse(self, request: ParseRequest) -> ParseResult:
        language = grammars.served_name(request.language) if request.language else None
        grammar = grammars.grammar_for(language, request.filename) if language else None
        if language is None or grammar is None:
            asked = f"language {request.language!r}" if request.language else "no language"
            return ParseResult(language=request.language,
                               errors=[ParseError(message=f"the universal driver has no grammar for {asked}")])
        data = request.content.encode("utf-8", "surrogatepass")
        tree = self.parser(grammar).parse(data)
        mode = Mode(request.mode)
        uast, errors = native.convert(tree, data, f"{language}:" if mode is Mode.NATIVE else "")
        if mode is not Mode.NATIVE:
            normalizer = self._normalizers.get(language)
            if normalizer is None:
                normalizer = self._normalizers[language] = Normalizer(language, normalization.TABLES)
            uast = normalizer.run(uast, data, mode)
        return ParseResult(language=language, uast=uast, errors=errors)
