"""The Ruby driver: Ruby's own parser, Ripper, in a long-lived `ruby` process (native/parse.rb)
that answers each source with its native tree; roles and semantic nodes are added here from
the tables (annotation.py, normalization.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driver_runtime.drivers.ruby import annotation, normalization
from driver_runtime.sdk.host import NativeDriver, lone_surrogate
from driver_runtime.sdk.normalizer import Tables, native_objects
from driver_runtime.sdk.protocol import Mode, ParseRequest, ParseResult
from driver_runtime.sdk.units import BYTES

HERE = Path(__file__).resolve().parent

# Ruby's standard library only (ripper, json): nothing to install beyond Debian's ruby.
# --disable=all: no gems (nor a Gemfile, nor bundler), no RUBYOPT, no did_you_mean or
# error_highlight: nothing is loaded but parse.rb and what it requires.
NATIVE = ["ruby", "--disable=all", "{folder}/native/parse.rb"]
# The kinds of list whose items parse.rb keeps between a document's versions, in its order.
KEPT_LISTS = (("begin", "body"), ("file", "comments"))

TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=normalization.TRANSFORMS)

OPERATOR_TYPES = ("ruby:send_operator", "ruby:op_asgn")


def add_operator_roles(tree: Any) -> None:
    """Annotated mode: the roles that depend on an operator (the semantic transforms add them
    there; annotated mode has no transforms)."""
    for node in native_objects(tree):
        kind = node.get("@type")
        if kind == "ruby:send_operator":
            annotation.operator_roles(node, str(node.get("selector")), unary=not node.get("values"))
        elif kind == "ruby:op_asgn":
            annotation.operator_roles(node, str(node.get("operator")), unary=False)
        elif kind == "ruby:send_statement":
            annotation.statement_roles(node, str(node.get("selector")))


class RubyDriver(NativeDriver):
    def __init__(self) -> None:
        # The native program keeps a document's unchanged methods, classes and comments (parse.rb's Kept).
        super().__init__(HERE, native=NATIVE, tables=TABLES, unit=BYTES, kept_lists=KEPT_LISTS)

    def _parse(self, request: ParseRequest, fields: dict[str, Any] | None) -> ParseResult:
        unencodable = lone_surrogate(request.content, "the source is not valid UTF-8 (a lone surrogate)")
        if unencodable is not None:
            return ParseResult(language=self.manifest.language, errors=[unencodable])
        result = super()._parse(request, fields)
        if Mode(request.mode) is Mode.ANNOTATED and result.uast is not None:
            add_operator_roles(result.uast)
        return result
