"""The Ruby driver (Ruby's own parser, Ripper, behind a native program) in the driver suite: its
samples and what they give in the three modes, byte positions on non-ASCII source, strings and
comments, syntax errors and hostile input, conformance with Babelfish's fixtures
(../shared/conformance), the driver served by the process runtime and by the docker runtime,
and the language server end to end.

Tests that need Ruby or the prepared driver skip without them (`scripts/setup-toolchains.sh`),
and fail instead where BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import toolchain_unavailable
from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, needs_fixtures
from lsprotocol import types
from uast_checks import Node, assert_names_spanned, assert_true_spans, nodes, of_type, text_of

from driver_runtime.drivers.ruby import annotation
from driver_runtime.drivers.ruby.driver import HERE, RubyDriver
from driver_runtime.sdk.protocol import Mode, ParseResult

FIXTURES = conformance_fixtures("ruby")
NATIVE_PROGRAM = HERE / "native" / "parse.rb"

SAMPLE = '''#!/usr/bin/env ruby
# frozen_string_literal: true
require "json"
require_relative "lib/größe"

# Shapes and their areas.
module Geometry
  PI = 3.14159

  class Shape < Base
    attr_reader :sides, :größe

    def initialize(sides, scale = 1.0, *rest, name:, color: "rot", **opts, &block)
      @sides = sides # how many
      super(name)
    end

    def self.unit = new(1, name: "unit")

    def area(x)
      return 0 if x.nil?
      (x * PI).round(2) + @sides.size
    end
  end
end

shapes = [Geometry::Shape.new(3, name: "tri")]
shapes.each { |s| puts "#{s.sides}: é" }
'''

# The native types Babelfish's semantic trees never have (they became uast:* nodes).
SEMANTIC_BLACKLIST = {"ruby:lvar", "ruby:ivar", "ruby:cvar", "ruby:gvar", "ruby:str", "ruby:def", "ruby:arg",
                      "ruby:optarg", "ruby:restarg", "ruby:kwarg", "ruby:kwoptarg", "ruby:kwrestarg",
                      "ruby:blockarg", "ruby:begin", "ruby:true", "ruby:false", "ruby:comment"}


# --- helpers -----------------------------------------------------------------------------------


checks = Checks()


def call_names(tree: Any) -> Callable[[Node], bool]:
    """Whether an identifier names a call with a receiver: it spans the whole call, not its name."""
    parents = parent_map(tree)

    def is_call_name(node: Node) -> bool:
        parent = parents.get(id(node))
        return parent is not None and parent[1] == "qname"

    return is_call_name


def parent_map(tree: Any) -> dict[int, tuple[Node, str]]:
    """Each node's parent and the parent's field holding it, by the node's id."""
    out: dict[int, tuple[Node, str]] = {}
    for node in nodes(tree):
        for key, value in node.items():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict) and key != "@pos":
                    out[id(child)] = (node, key)
    return out


# --- the three modes -----------------------------------------------------------------------------


def definitions_and_leaves_span_their_text(tree: Any) -> None:
    # definitions span keyword to `end`, and are named by their token
    module = of_type(tree, "ruby:module")[0]
    assert module["@token"] == "Geometry" and text_of(SAMPLE, module).startswith("module Geometry")
    assert text_of(SAMPLE, module).endswith("end")
    shape = of_type(tree, "ruby:class")[0]
    assert shape["@token"] == "Shape" and text_of(SAMPLE, shape).startswith("class Shape < Base\n")
    assert text_of(SAMPLE, shape).endswith("    end\n  end")
    area = next(n for n in of_type(tree, "ruby:def") if n["@token"] == "area")
    assert text_of(SAMPLE, area) == (
        "def area(x)\n      return 0 if x.nil?\n      (x * PI).round(2) + @sides.size\n    end")
    unit = of_type(tree, "ruby:defs")[0]
    assert unit["@token"] == "unit" and text_of(SAMPLE, unit) == 'def self.unit = new(1, name: "unit")'
    # leaves span their text
    for node in of_type(tree, "ruby:lvar") + of_type(tree, "ruby:ivar") + of_type(tree, "ruby:arg"):
        assert text_of(SAMPLE, node) == node["@token"]
    block = of_type(tree, "ruby:block")[0]
    assert text_of(SAMPLE, block) == 'shapes.each { |s| puts "#{s.sides}: é" }'


def annotated_roles_leave_no_node_unannotated(annotated: Any) -> None:
    for node in nodes(annotated):
        if "@type" in node:
            assert "Unannotated" not in node["@role"], node["@type"]
    shape = of_type(annotated, "ruby:class")[0]
    assert {"Declaration", "Type"} <= set(shape["@role"])
    times = next(n for n in of_type(annotated, "ruby:send_operator") if n["@token"] == "*")
    assert {"Arithmetic", "Binary", "Multiply", "Operator"} <= set(times["@role"])
    assert "Condition" in of_type(annotated, "ruby:if")[0]["condition"]["@role"]


def role_tables() -> list[Any]:
    return [*annotation.ROLES.values(), *annotation.FIELD_ROLES.values(), *annotation.OPERATOR_ROLES.values(),
            *annotation.STATEMENT_ROLES.values()]


def semantic_mode_shapes(tree: Any) -> None:
    # methods: FunctionGroup (spanning `def`) -> Alias (named, the name's span) -> Function
    groups = of_type(tree, "uast:FunctionGroup")
    assert [text_of(SAMPLE, g) for g in groups] == ["def", "def"]
    extent, alias = groups[0]["Nodes"]  # Babelfish's map, here with the whole definition's span
    assert set(extent) == {"@pos"} and text_of(SAMPLE, extent).startswith("def initialize(")
    assert text_of(SAMPLE, extent).endswith("super(name)\n    end")
    assert alias["@type"] == "uast:Alias" and alias["Name"]["Name"] == "initialize"
    assert text_of(SAMPLE, alias["Name"]) == "initialize"
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    arguments = function["Type"]["Arguments"]
    assert [a["Name"]["Name"] for a in arguments] == ["sides", "scale", "rest", "name", "color", "opts", "block"]
    assert [text_of(SAMPLE, a) for a in arguments] == ["sides", "scale", "rest", "name", "color", "opts", "block"]
    assert arguments[1]["Init"]["@token"] == 1.0 and arguments[4]["Init"]["Value"] == "rot"
    assert arguments[2]["Variadic"] and arguments[5]["MapVariadic"]
    assert not any(a["Variadic"] or a["MapVariadic"] for a in arguments[:2] + arguments[3:5])
    # a method's body: its statements in a Block (several in a Block of their own, as Babelfish)
    body = function["Body"]["Statements"]
    assert len(body) == 1 and body[0]["@type"] == "uast:Block" and len(body[0]["Statements"]) == 2
    # classes and modules stay native: Declaration and Type roles, named by token and identifier
    shape = of_type(tree, "ruby:class")[0]
    assert {"Declaration", "Type"} <= set(shape["@role"]) and shape["@token"] == "Shape"
    assert shape["name"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "Name": "Shape"}
    assert of_type(tree, "ruby:module")[0]["name"]["Name"] == "Geometry"
    # def self.x stays native, its name spanning the name
    unit = of_type(tree, "ruby:defs")[0]
    assert unit["name"]["Name"] == "unit" and text_of(SAMPLE, unit["name"]) == "unit"
    # identifiers span their name; a call with a receiver is also named over the whole call
    assert_names_spanned(SAMPLE, tree, unless=call_names(tree))
    round_call = next(n for n in of_type(tree, "ruby:send_call") if n["@token"] == "round")
    assert round_call["name"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "Name": "round"}
    assert text_of(SAMPLE, round_call["qname"]) == "(x * PI).round(2)"
    assert round_call["qname"]["Name"] == "round"
    # strings, requires, comments
    strings = {n["Value"]: text_of(SAMPLE, n) for n in of_type(tree, "uast:String")}
    assert strings["json"] == '"json"' and strings["rot"] == '"rot"' and strings[": é"] == ": é"
    imports = of_type(tree, "uast:RuntimeImport")
    assert [i["Path"]["Value"] for i in imports] == ["json", "lib/größe"]
    comments = of_type(tree, "uast:Comment")
    assert [c["Text"] for c in comments] == [
        "!/usr/bin/env ruby", "frozen_string_literal: true", "Shapes and their areas.", "how many"]
    # an interpolation is a Block spanning #{...}
    interpolation = next(b for b in of_type(tree, "uast:Block") if "@pos" in b and text_of(SAMPLE, b)[:2] == "#{")
    assert text_of(SAMPLE, interpolation) == "#{s.sides}"


@checks.add
def blocks_lambdas_and_assignments(spanned):
    source = "x = ->(a, b = 2) { a + b }\n[1].map do |v, (w, z)| v end\nA::B ||= 1\na, *b = c\n@d += 1\n"
    tree = spanned(source)
    blocks = of_type(tree, "ruby:block")
    assert [text_of(source, b) for b in blocks] == ["->(a, b = 2) { a + b }", "[1].map do |v, (w, z)| v end"]
    assert [a["Name"]["Name"] for a in blocks[0]["args"]] == ["a", "b"]
    assert blocks[1]["args"][1]["@type"] == "ruby:mlhs"
    assert [a["Name"]["Name"] for a in blocks[1]["args"][1]["children"]] == ["w", "z"]
    casgn = of_type(tree, "ruby:casgn")[0]
    assert casgn["@token"] == "B" and casgn["base"]["@token"] == "A"
    assert text_of(source, of_type(tree, "ruby:or_asgn")[0]) == "A::B ||= 1"
    masgn = of_type(tree, "ruby:masgn")[0]
    assert [text_of(source, t) for t in masgn["targets"]["children"]] == ["a", "*b"]
    op = of_type(tree, "ruby:op_asgn")[0]
    assert op["operator"]["@type"] == "uast:Operator" and op["operator"]["@token"] == "+"


# --- positions ---------------------------------------------------------------------------------


NON_ASCII = ('s = "é𝓏"  # café 𝓏\nt = s + "x"\ndef größe(𝓏a, b: "ü") = 𝓏a.to_s\n'
             'class Ä𝓏; Ö = :ö; end\nputs "#{t}é", ?ä\n')


def strings_names_and_classes_span_their_text(tree: Any) -> None:
    source = NON_ASCII
    strings = {n["Value"]: text_of(source, n) for n in of_type(tree, "uast:String")}
    assert strings == {"é𝓏": '"é𝓏"', "x": '"x"', "ü": '"ü"', "é": "é", "ä": "?ä"}
    names = [(n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    assert ("t", "t") in names and ("𝓏a", "𝓏a") in names
    group = of_type(tree, "uast:FunctionGroup")[0]
    assert text_of(source, group["Nodes"][1]["Name"]) == "größe"
    cls = of_type(tree, "ruby:class")[0]
    assert cls["@token"] == "Ä𝓏" and text_of(source, cls) == "class Ä𝓏; Ö = :ö; end"
    assert text_of(source, of_type(tree, "ruby:casgn")[0]) == "Ö = :ö"


@checks.add
def byte_order_mark_and_crlf_line_ends(parse, spanned):
    source = "\ufeffx = 'é' # c\r\ndef f\r\n  1\r\nend\r\n"
    tree = spanned(source)
    assert of_type(tree, "ruby:lvasgn")[0]["@token"] == "x"  # the mark is not part of the name
    assert text_of(source, of_type(tree, "uast:String")[0]) == "'é'"
    assert text_of(source, of_type(tree, "uast:Comment")[0]) == "# c"
    assert text_of(source, of_type(tree, "uast:FunctionGroup")[0]["Nodes"][0]) == "def f\r\n  1\r\nend"
    error = parse("\ufeffx = (").errors[0]
    assert error.start is not None and (error.start.offset, error.start.line, error.start.col) == (8, 1, 9)


# --- strings and comments ----------------------------------------------------------------------


@checks.add
def string_values_and_pieces(spanned):
    source = ("a = \"t\\tn\\n\\u00e9\\x41\" + 'q\\'\\n' + %q(x(y)) + ?\\n\n"
              "b = <<~EOS\n  one #{a}\n    two\nEOS\n"
              "c = %w[p q] + %i[r]\n"
              "d = \"line\nbreak\"\n")
    tree = spanned(source)
    values = [n["Value"] for n in of_type(tree, "uast:String")]
    assert values[:4] == ["t\tn\néA", "q'\\n", "x(y)", "\n"]
    # a heredoc: its lines are pieces (dedented), the node spans its opener
    heredoc = of_type(tree, "ruby:lvasgn")[1]["value"]
    assert heredoc["@type"] == "ruby:dstr" and text_of(source, heredoc) == "<<~EOS"
    pieces = [(p["@type"], p.get("Value")) for p in heredoc["children"]]
    assert pieces == [("uast:String", "one "), ("uast:Block", None), ("uast:String", "\n"),
                      ("uast:String", "  two\n")]
    words = of_type(tree, "ruby:array")
    assert [text_of(source, w) for w in words] == ["%w[p q]", "%i[r]"]
    assert [s["@token"] for s in words[1]["contents"]] == ["r"]
    # a string written over two lines is two pieces, as the parser gem has it
    multi = of_type(tree, "ruby:lvasgn")[3]["value"]
    assert [p["Value"] for p in multi["children"]] == ["line\n", "break"]


@checks.add
def a_magic_encoding_comment_does_not_change_the_text(parse):
    """The source is UTF-8 text whatever a magic comment says: values are read as UTF-8 (Ruby
    still lexes with the declared encoding: "é" and "ü" are two-byte characters in EUC-JP too)."""
    for magic, name in (("# -*- coding: euc-jp -*-", "f"), ("# encoding: ascii-8bit", "größe")):
        source = f'{magic}\ny = "é" # ü\ndef {name}; end\n'
        result = parse(source)
        assert result.ok, (magic, result.errors)
        assert_true_spans(source, result.uast, whole=True)
        assert [n["Value"] for n in of_type(result.uast, "uast:String")] == ["é"]
        assert of_type(result.uast, "uast:Comment")[1]["Text"] == "ü"
        assert of_type(result.uast, "uast:FunctionGroup")[0]["Nodes"][1]["Name"]["Name"] == name


@checks.add
def every_comment_appears_exactly_once(parse):
    source = (
        "#!/usr/bin/env ruby\n"
        "x = 1 # same line\n"
        "s = '# not a comment' + \"#{x} # nor this\"\n"
        "h = <<~EOS\n  # nor in a heredoc\nEOS\n"
        "=begin\nblock comment\n=end\n"
        "def f\n  # indented\n  /#no/ =~ s # after a regexp\nend\n"
        "# last"
    )
    expected = ["#!/usr/bin/env ruby", "# same line", "=begin\nblock comment\n=end", "# indented",
                "# after a regexp", "# last"]
    for mode in Mode:
        tree = parse(source, mode).uast
        found = [n for n in nodes(tree) if n.get("@type") in ("uast:Comment", "ruby:comment")]
        assert [text_of(source, n) for n in found] == expected
    semantic = of_type(parse(source).uast, "uast:Comment")
    assert [n["Text"] for n in semantic] == ["!/usr/bin/env ruby", "same line", "block comment", "indented",
                                             "after a regexp", "last"]
    assert [n["Block"] for n in semantic] == [False, False, True, False, False, False]


# --- errors and hostile input -----------------------------------------------------------------


SYNTAX_ERRORS = (
    DriverCase.SyntaxErrorAt(source="class Foo\n  def bar(\nend\n", before="class Foo\n  def bar(\n",
                             says="syntax error", count=1),
    # after non-ASCII text, in bytes
    DriverCase.SyntaxErrorAt(source="é = 'ü'\nputs(é, ])\n", before="é = 'ü'\nputs(é, "),
)


HOSTILE = (
    "(" * 3000 + "1" + ")" * 3000,
    "if a\n" * 3000 + "end\n" * 3000,
    "x = <<EOS\nnever closed\n",
    "\x01\x02 = 3\n",
    "def f(A); end\n",
    "x = 'lone \ud800 surrogate'\n",
)


@checks.add
def deep_but_reasonable_nesting_parses(parse):
    for source in ("(" * 500 + "1" + ")" * 500, "a" + ".b" * 1000, "1" + " + 1" * 1000):
        result = parse(source)
        assert result.ok, result.errors


@checks.add
def the_native_program_answers_every_line_and_keeps_serving():
    if shutil.which("ruby") is None:
        toolchain_unavailable("ruby is not installed (scripts/setup-toolchains.sh installs it)")
    lines = ["not json", json.dumps({"filename": "no-content.rb"}), json.dumps({"content": 42}), "",
             json.dumps({"content": "def f(\n"}), '{"content": "a = 1\\nb = \\"\\udc80\\""}',
             json.dumps({"content": "x = 'é'\n"})]
    done = subprocess.run(["ruby", "--disable-gems", str(NATIVE_PROGRAM)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 6  # the blank line is skipped
    assert all(a["ast"] is None and a["errors"][0]["message"] for a in answers[:5])
    assert (answers[3]["errors"][0]["line"], answers[3]["errors"][0]["col"]) == (1, 8)  # the end of input
    assert answers[4]["errors"] == [{"message": "the source is not valid UTF-8", "line": 2, "col": 6}]
    last = answers[5]
    assert last["errors"] == [] and last["ast"]["file"]["@type"] == "lvasgn"
    value = last["ast"]["file"]["value"]
    assert value["@token"] == "é" and value["@pos"] == {"start": 4, "end": 8}  # bytes


def large_file() -> str:
    chunk = (FIXTURES / "bench_power_set.rb").read_text(encoding="utf-8") if FIXTURES.is_dir() else SAMPLE
    return "".join(f"module M{number}\n{chunk}\nend\n" for number in range(100_000 // len(chunk) + 1))


def large_file_parses_cleanly(result: ParseResult) -> None:
    assert result.ok, result.errors


# --- conformance with Babelfish's fixtures -----------------------------------------------------


def fixture_names_span_their_text(path: Path, source: str, tree: Any, mode: Mode) -> None:
    """Identifiers span their name (but call names, which span their call)."""
    if mode is Mode.SEMANTIC:
        assert_names_spanned(source, tree, unless=call_names(tree), where=path.name)


@checks.add(marks=[needs_fixtures(FIXTURES)])
def native_spans_are_the_parser_gems_on_the_fixtures(parse):
    """Babelfish's trees came from the `parser` gem: wherever it spanned a native node's whole
    expression, the node made from Ripper here has the same span."""
    yaml = pytest.importorskip("yaml")
    keyword_spanned = {"module", "class", "sclass", "defs", "undef", "alias", "super", "zsuper", "yield", "if",
                       "when", "case", "while", "for", "break", "next", "redo", "return", "rescue", "ensure",
                       "retry", "preexe", "postexe", "defined?", "NilNode", "resbody"}
    compared = 0
    for path in sorted(FIXTURES.glob("*.rb")):
        expected_path = path.with_name(path.name + ".sem.uast")
        if not expected_path.exists():
            continue
        expected = yaml.load(expected_path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", None)
                             or yaml.SafeLoader)
        theirs: dict[tuple[str, int], int] = {}
        for node in nodes(expected):
            kind, pos = node.get("@type", ""), node.get("@pos") or {}
            if kind.startswith("ruby:") and kind[5:] not in keyword_spanned and pos.get("start"):
                theirs[(kind, pos["start"]["offset"])] = pos["end"]["offset"]
        ours = {(n["@type"], n["@pos"]["start"]): n["@pos"]["end"]
                for n in nodes(parse(path.read_text(encoding="utf-8"), Mode.NATIVE).uast) if n.get("@pos")}
        for key, end in theirs.items():
            if key in ours:
                assert ours[key] == end, (path.name, key, end, ours[key])
                compared += 1
    assert compared > 700


# --- the language server, end to end -----------------------------------------------------------


REALISTIC = '''# frozen_string_literal: true

require "json"
require_relative "support/money"

# Inventory management:
# stock, prices and reports.
module Inventory
  VERSION = "1.2.0"

  class Error < StandardError; end

  # An item in stock.
  class Item
    include Comparable
    attr_reader :sku, :größe
    attr_accessor :quantity

    LOW_STOCK = 5

    def initialize(sku, größe, quantity: 0)
      @sku = sku
      @größe = größe
      @quantity = quantity
    end

    def self.from_h(hash)
      new(hash["sku"], hash["größe"], quantity: hash.fetch("quantity", 0))
    end

    def low_stock?
      quantity < LOW_STOCK
    end

    def to_s = "#{größe} (#{sku}): #{quantity} × 𝓏"

    class << self
      def blank
        new("", "")
      end
    end
  end

  class Warehouse
    def initialize
      @items = {}
    end

    def report
      @items.values.sort.map do |item|
        line = item.to_s
        line += " (low)" if item.low_stock?
        line
      end.join("\\n")
    end
  end
end
'''

DOCUMENT = Document("inventory.rb", REALISTIC, "ruby")
LINES = DOCUMENT.lines


def line_of(text: str, start: int = 0) -> int:
    """The 0-based number of the first line (from `start`) that is `text` once stripped."""
    return next(number for number in range(start, len(LINES)) if LINES[number].strip() == text)


@checks.add
async def outline_of_a_ruby_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    kind = types.SymbolKind
    assert [(s.name, s.kind) for s in found] == [("Inventory", kind.Module)]
    inventory = found[0]
    assert [(s.name, s.kind) for s in inventory.children] == [
        ("VERSION", kind.Constant), ("Error", kind.Class), ("Item", kind.Class), ("Warehouse", kind.Class)]
    item = inventory.children[2]
    assert [(s.name, s.kind) for s in item.children] == [
        ("sku", kind.Property), ("größe", kind.Property), ("quantity", kind.Property), ("LOW_STOCK", kind.Constant),
        ("initialize", kind.Method), ("from_h", kind.Method), ("low_stock?", kind.Method), ("to_s", kind.Method),
        ("blank", kind.Method)]
    warehouse = inventory.children[3]
    assert [s.name for s in warehouse.children] == ["initialize", "report"]
    # whole definitions, `end` included; names where they are written
    assert inventory.range.start == types.Position(line=line_of("module Inventory"), character=0)
    assert inventory.range.end == types.Position(line=len(LINES) - 2, character=3)
    start = line_of("class Item")
    assert item.range.start == types.Position(line=start, character=2)
    assert item.range.end == types.Position(line=line_of("class << self") + 5, character=5)
    assert LINES[item.range.end.line] == "  end"
    initialize = item.children[4]
    header = LINES[initialize.range.start.line]
    assert header.strip().startswith("def initialize(sku, größe")
    assert initialize.range.end == types.Position(line=line_of("end", initialize.range.start.line), character=7)
    assert initialize.selection_range.start.character == editor.column(header, "    def ")
    assert initialize.selection_range.end.character == editor.column(header, "    def initialize")
    grosse = item.children[1]
    attr_line = LINES[grosse.selection_range.start.line]
    assert grosse.selection_range.start.character == editor.column(attr_line, "    attr_reader :sku, :")
    assert grosse.selection_range.end.character == editor.column(attr_line, "    attr_reader :sku, :größe")
    to_s = item.children[7]
    to_s_line = LINES[to_s.range.start.line]
    assert to_s.range.start.line == to_s.range.end.line
    assert to_s.range.end.character == editor.column(to_s_line, to_s_line)  # the endless def's whole line


@checks.add
async def structural_queries_find_where_things_are(editor: Editor, uri: str):
    matches = await editor.query("//uast:FunctionGroup", uri)
    assert matches[0]["range"]["start"] == {"line": line_of("def initialize(sku, größe, quantity: 0)"),
                                            "character": 4}
    calls = await editor.query("//ruby:send_call[@token='fetch']", uri)
    assert len(calls) == 1 and calls[0]["range"]["start"]["line"] == line_of("def self.from_h(hash)") + 1


# the fixtures the runtime tests send too
RUNTIME_FIXTURES = tuple(FIXTURES / name for name in ("_integration.rb", "_syntax_error.rb", "bench_power_set.rb",
                                                      "class_complete.rb", "str_exec.rb", "unicode.rb")
                         if (FIXTURES / name).exists())

CASE = DriverCase(
    language="ruby", driver=RubyDriver, commands=("ruby",), filename="sample.rb", sample=SAMPLE,
    spans=functools.partial(assert_true_spans, whole=True),
    native=DriverCase.Native(
        root="ruby:file",
        types={"ruby:module", "ruby:class", "ruby:def", "ruby:defs", "ruby:arg", "ruby:optarg", "ruby:restarg",
               "ruby:kwarg", "ruby:kwoptarg", "ruby:kwrestarg", "ruby:blockarg", "ruby:casgn", "ruby:ivasgn",
               "ruby:lvasgn", "ruby:send_call", "ruby:send_qualified", "ruby:send_require", "ruby:block",
               "ruby:dstr", "ruby:comment", "ruby:attribute"},
        then=definitions_and_leaves_span_their_text),
    annotated=DriverCase.Annotated(ordered=True, then=annotated_roles_leave_no_node_unannotated),
    role_tables=DriverCase.RoleTables(tables=role_tables),
    semantic=DriverCase.Semantic(gone=SEMANTIC_BLACKLIST, then=semantic_mode_shapes),
    non_ascii=DriverCase.NonAscii(source=NON_ASCII, comments=(("# café 𝓏", "café 𝓏"),), function="def",
                                  then=strings_names_and_classes_span_their_text),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="x = 1\n"),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(bad_requests=("this is not json", '{"content": 5}')),
    fixtures=DriverCase.Fixtures(extension=".rb", then=fixture_names_span_their_text),
    conformance=DriverCase.Conformance(loose=0.95, strict=0.90),  # 0.978 and 0.924 today
    # About 0.2 s here (a 2-core machine); a generous bound that a slow path would still cross.
    large_file=DriverCase.LargeFile(source=large_file, seconds=2.0, then=large_file_parses_cleanly),
    served=DriverCase.Served(samples=(("sample.rb", SAMPLE),), fixtures=RUNTIME_FIXTURES,
                             broken=DriverCase.Broken(filename="broken.rb", source="def f(\n", line=2),
                             kinds={"module": "module", "attribute": "property"}),
    # The server runs the bundled driver as a local process: it needs Ruby and preparation.
    lsp=DriverCase.Lsp(
        files={"Rakefile": "task :default do\n  puts 'hi'\nend\n", "lib/helper.rb": "def helper\n  'é'\nend\n"},
        document=DOCUMENT, functions=("initialize", "low_stock?", "to_s", "blank", "initialize", "report"),
        file_functions={"lib/helper.rb": ("helper",), "Rakefile": ()},
        # "" is class << self
        queries={"//*[@role='Declaration' and @role='Type']": ("Error", "Item", "", "Warehouse")},
        folds=({(line_of("module Inventory"), len(LINES) - 2)},
               {(line_of("def initialize(sku, größe, quantity: 0)"),
                 line_of("def initialize(sku, größe, quantity: 0)") + 4)},
               {(line_of("def report"), line_of("def report") + 6)},  # the method, to its `end`
               {(line_of("def report") + 1, line_of("def report") + 5)}),  # the do ... end block
        kind_folds={"comment": (5, 6), "imports": (2, 3)},
        selection=DriverCase.Selection(line=line_of("quantity < LOW_STOCK"), cursor="      quantity < ",
                                       name=("      quantity < ", "      quantity < LOW_STOCK"),
                                       encloses=(line_of("def low_stock?"), 4),
                                       encloses_end=line_of("def low_stock?") + 2),
        diagnosed=DriverCase.Diagnosed(document=Document("broken.rb", "class Broken\n  def oops(\nend\n", "ruby"),
                                       line=2, count=1)),
    checks=checks,
)
