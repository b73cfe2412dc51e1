"""The Ruby, PHP, JavaScript and TypeScript drivers' native programs read a kept document's next
version from their last one where an edit allows, parsing alone the part the edit stays inside
(Ruby: a comment, or a method, class or module, native/reparse.rb; PHP: a statement or class
member with the comments before it, parse.php's Reparse; JavaScript and TypeScript, where the
host drops the comments hung on nodes: a comment, a class member or a top-level statement,
parse.js's nextVersion): whatever the edits, every answer is the one a fresh parse of the same
text gives, in every mode."""

from __future__ import annotations

import collections
import random
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from driver_checks import require_prepared

from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.php.driver import PhpDriver
from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

ROOT = Path(__file__).resolve().parent.parent
DRIVERS = ROOT / "driver_runtime" / "drivers"


@attrs.frozen
class Language:
    driver: type[NativeDriver]
    command: str  # what runs its native program
    sources: list[Path]
    # Typed inside a method or a comment: what keeps it one method (a name, a statement, a
    # block), what makes it more than one or none (a method's end, a new method, an unclosed
    # string, heredoc or comment) and what the lexer reads otherwise (a magic comment, a tag).
    inserts: list[str]
    heads: str  # a line that opens or closes a method or class: not typed in
    # Parts are parsed alone only where the host drops the comments hung on nodes (semantic).
    semantic_only: bool = False


LANGUAGES = {
    ".rb": Language(RubyDriver, "ruby", [DRIVERS / "ruby" / "native" / name for name in ("parse.rb", "converter.rb",
                                                                                        "reparse.rb")],
                    ["x", " ", "\n", "; y = 1", "\n  z = foo(1)", " # note é 𝓏", " do |a| a end", "\nx = 1\n"] * 3 + [
                        "end\n", "\ndef g; end", "'", "<<~EOS", " frozen_string_literal: true", "=begin\n"],
                    r"\s*(def|class|module|end)\b"),
    # PHP-Parser's own files, which the PHP driver's preparation puts in its build folder.
    ".php": Language(PhpDriver, "php", [PhpDriver().build / "PhpParser" / name for name in (
                         "NameContext.php", "Comment.php", "Builder/Class_.php")],
                     ["x", " ", "\n", " $y = 1;", "\n        $z = foo(1);", " // note é 𝓏\n", " /* c */", "\n"] * 3 + [
                         "}\n", "\nfunction g() {}\n", "'", "<<<EOS\n", "?>", "/*"],
                     r"\s*(((abstract|final|public|private|protected|static)\s+)*function|class|interface|trait|\})\b"),
    ".js": Language(JavaScriptDriver, "node", [DRIVERS / "javascript" / "native" / "parse.js",
                                               ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js"],
                    ["x", " ", "\n", " y = 1;", "\n    z = foo(1);", " // note é 𝓏\n", " /* c */", "\n"] * 3 + [
                        "}\n", "\nfunction g() {}\n", "'", "`", "/*", "#p = 1;", "constructor() {}\n", "/* @flow */"],
                    r"\s*\}|.*\{\s*$", semantic_only=True),
    ".ts": Language(TypeScriptDriver, "node", [ROOT / "editors" / "vscode" / "src" / name for name in (
                         "search.ts", "extension.ts")] + [DRIVERS / "javascript" / "native" / "warm-up.ts"],
                    ["x", " ", "\n", " y = 1;", "\n    z = foo(1);", " // note é 𝓏\n", " /* c */", "\n"] * 3 + [
                        "}\n", "\nfunction g(): void {}\n", "'", "`", "/*", "#p = 1;", "constructor() {}\n"],
                    r"\s*\}|.*\{\s*$", semantic_only=True),
}


def _driver(suffix: str) -> NativeDriver:
    return require_prepared(LANGUAGES[suffix].driver(), LANGUAGES[suffix].command)


class _Reparsed:
    """What the native side said it parsed alone, per answer ("reparsed"; None: whole)."""

    def __init__(self, driver: NativeDriver):
        self.seen: list[str | None] = []
        self._parse = driver.native.parse
        driver.native.parse = self.parse  # type: ignore[method-assign]

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        answer = self._parse(content, filename, **fields)
        self.seen.append(answer.get("reparsed"))
        return answer


def _inside_edit(rng: random.Random, data: bytes, language: Language) -> TextEdit:
    """Typing inside a method's body or a comment: at a character boundary of a line that
    neither opens nor closes a method or class; now and then a piece cut out."""
    text = data.decode("utf-8")
    lines = [match for match in re.finditer(r"[^\n]*\n", text) if not re.match(language.heads, match.group())]
    line = rng.choice(lines)
    at = rng.randrange(line.start(), line.end())
    start = len(text[:at].encode("utf-8"))
    if rng.random() < 0.25:
        return TextEdit(start, start + len(text[at:min(at + rng.randint(1, 12), line.end() - 1)].encode("utf-8")), "")
    return TextEdit(start, start, rng.choice(language.inserts))


def _edit_and_compare(source: Path, mode: Mode, rounds: int, seen: collections.Counter[str | None]) -> None:
    language = LANGUAGES[source.suffix]
    driver, documents, fresh = _driver(source.suffix), KeptDocuments(), language.driver()
    reparsed = _Reparsed(driver)
    rng = random.Random(f"{source.name}-{mode.value}")
    data = source.read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name, document="d", mode=mode))
    valid = data
    for _ in range(rounds):
        # An edit that breaks the text is undone by the next one, as a user fixes a typo: the
        # last version that parsed is then what the native side reads the next one from.
        edit = _inside_edit(rng, data, language) if data == valid else TextEdit(0, len(data), valid.decode("utf-8"))
        data = data[:edit.start] + edit.text.encode("utf-8") + data[edit.end:]
        answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                    filename=source.name, mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8"), filename=source.name, mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
        if not expected.errors:
            valid = data
    seen.update(reparsed.seen)


# What each language's random typing must have parsed alone at least (per mode: most edits keep
# their method one method; some break it, and those are read whole).
PARSED_ALONE = {".rb": {"def": 12, "comment": 3, None: 10}, ".php": {"Stmt_ClassMethod": 12, None: 10},
                ".js": {"FunctionDeclaration": 5, "CommentLine": 2, None: 10},
                ".ts": {"ExportNamedDeclaration": 8, "ClassMethod": 8, None: 10}}


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("suffix", LANGUAGES)
def test_typing_inside_methods_and_comments_gives_what_a_fresh_parse_gives(suffix: str, mode: Mode):
    seen: collections.Counter[str | None] = collections.Counter()
    for source in LANGUAGES[suffix].sources:
        _edit_and_compare(source, mode, 30, seen)
    if LANGUAGES[suffix].semantic_only and mode is not Mode.SEMANTIC:
        assert set(seen) == {None}, seen
        return
    assert all(seen[part] >= least for part, least in PARSED_ALONE[suffix].items()), seen


# A text, an edit of it (old, new: the first occurrence of old), and what is parsed alone
# ("reparsed" in the native answer; None: the whole text); either way the answer is a fresh
# parse's.
CASES = {
    # Ruby (native/reparse.rb)
    "rb: in a method": ("class A\n  def f\n    1\n  end\n\n  def g\n    2\n  end\nend\n", "2", "22", "def"),
    "rb: in a method of self": ("module M\n  def self.f\n    1\n  end\nend\n", "1", "x = 1", "defs"),
    "rb: in the last comment": ("class A\n  def f; end\nend\n# edit here\n", "# edit here", "# edit herex", "comment"),
    "rb: a comment beside a statement": ("x = 1 # one\ny = 2\n", "# one", "# uno", "comment"),
    "rb: a comment becomes code": ("x = 1\n# one\ny = 2\n", "# one", "one", None),
    "rb: a comment split in two lines": ("def f\n  1\nend\n# one two\n", "one two", "one\ntwo", None),
    "rb: a magic comment": ("# frozen_string_literal: false\nX = 'a'\n", "false", "true", None),
    "rb: a comment that becomes a magic one": ("# about\nX = 'a'\n", "about", "encoding: ascii", None),
    "rb: a block comment": ("x = 1\n=begin\nabout\n=end\ny = 2\n", "about", "abouts", None),
    "rb: in a class's body, outside its methods": ("class A\n  def f; end\n  X = 1\nend\n", "X = 1", "X = 2", "class"),
    "rb: a method's end cut": ("class A\n  def f\n    1\n  end\n  def g; end\nend\n", "    1\n  end", "    1", None),
    "rb: a method that becomes two": ("def f\n  1\nend\n", "  1\n", "  1\nend\ndef g\n", None),
    "rb: an unclosed string in a method": ("def f\n  1\nend\ndef g; 'a'; end\n", "  1\n", "  '1\n", None),
    "rb: a local variable of the method": ("x = 1\ndef f\n  y\nend\n", "  y\n", "  y = 2\n  y\n", "def"),
    "rb: a method whose receiver is a local variable": ("o = Object.new\ndef o.f\n  1\nend\n", "1", "2", None),
    "rb: a heredoc opened before the method, on its line": ("foo(<<~X); def bar\n  some text\nX\n  1\nend\n", "  1\n",
                                                        "  2\n", None),
    "rb: a heredoc in the method": ("def f\n  <<~X\n    text\n  X\nend\n", "text", "texts", "def"),
    "rb: a heredoc opened in the method, its body after it": ("def f\n  1\nend\n", "  1\n", "  foo(<<~X)\n", None),
    "rb: a comment in a heredoc's interpolation": ("foo(<<~X) # a\n  #{1 # b\n  }\nX\n", "# b", "# bc", "comment"),
    "rb: a byte order mark": ("\ufeffdef f\n  1\nend\n", "1", "2", None),
    # PHP (parse.php's Reparse)
    "php: in a method": ("<?php\nclass A {\n    function f() { return 1; }\n\n    function g() { return 2; }\n}\n",
                         "return 2", "return 22", "Stmt_ClassMethod"),
    "php: the first member": ("<?php\nclass A extends B implements C, D {\n    function f() { return 1; }\n}\n", "1",
                              "11", "Stmt_ClassMethod"),
    "php: a member's doc comment": ("<?php\nclass A {\n    const X = 1;\n    /** about f */\n    function f() {}\n}\n",
                                    "about", "all about", "Stmt_ClassMethod"),
    "php: in the last comment": ("<?php\nclass A {\n    function f() {}\n}\n// edit here\n", "edit here", "edit herex",
                                 "Stmt_Nop"),
    "php: a function in a namespace": ("<?php\nnamespace A;\n\nuse B;\n\nfunction f() { return 1; }\n", "1", "2",
                                       "Stmt_Function"),
    "php: a method in a braced namespace": ("<?php\nnamespace A {\n    class C {\n        function f() {}\n    }\n}\n",
                                            "f()", "g()", "Stmt_ClassMethod"),
    "php: a method of an interface": ("<?php\ninterface I {\n    function f();\n    function g();\n}\n", "g()", "h()",
                                      "Stmt_ClassMethod"),
    "php: an enum's case": ("<?php\nenum E: string {\n    case A = 'a';\n    case B = 'b';\n}\n", "'b'", "'bb'",
                            "Stmt_EnumCase"),
    "php: a class's header": ("<?php\nuse X;\nclass A {\n    function f() {}\n}\n", "class A {", "class A extends B {",
                              "Stmt_Class"),
    "php: the first statement": ("<?php\nfunction f() { return 1; }\n", "1", "2", None),
    "php: a closing tag typed in": ("<?php\nclass A {\n    function f() { return 1; }\n}\n", "return 1;", "?>x<?php ",
                                    None),
    "php: a method's closing brace cut": ("<?php\nclass A {\n    function f() { return 1; }\n    function g() {}\n}\n",
                                          "return 1; }", "return 1;", None),
    "php: a method that becomes two": ("<?php\nclass A {\n    function f() { return 1; }\n}\n", "return 1;",
                                       "return 1; }\n    function g() {", None),
    "php: an unclosed comment": ("<?php\nclass A {\n    function f() { return 1; }\n}\n", "return 1;", "/* return 1;",
                                 None),
    "php: halting the compiler": ("<?php\nx();\nfunction f() { return 1; }\n", "return 1;", "__halt_compiler();",
                                  None),

    # JavaScript and TypeScript (parse.js's nextVersion), semantic mode
    "js: in a method": ("class A {\n  f() { return 1; }\n  g() { return 2; }\n}\n", "return 2", "return 22",
                        "ClassMethod"),
    "js: a class's first member": ("class A {\n  f() { return 1; }\n}\n", "1", "2", "ClassMethod"),
    "js: super() in a subclass's constructor": ("class A extends B {\n  m() {}\n  constructor() { super(); }\n}\n",
                                                "super()", "super(1)", "ClassMethod"),
    "js: in the last comment": ("function f() {}\n// edit here\n", "edit here", "edit herex", "CommentLine"),
    "js: a block comment that gains a line break": ("x = 1 /* c */ + 2;\n", "c", "c\nd", None),
    "js: a comment that becomes a Flow pragma": ("/* about */\nfunction f() {}\n", "about", "@flow", None),
    "js: a statement after directives": ("'use strict';\nfoo();\nbar(1);\n", "1", "2", "ExpressionStatement"),
    "js: the first statement": ("foo(1);\nbar();\n", "1", "2", None),
    "js: a statement without its semicolon": ("foo();\nbar(1)\n", "1", "2", None),
    "js: a statement after one without": ("foo()\nbar(1);\n", "1", "2", None),
    "js: a function renamed": ("foo();\nfunction f() {}\n", "function f", "function g", None),
    "js: a name declared twice": ("let a = 1;\nfoo();\n", "foo();", "let a = 2;", None),
    "js: a private name declared twice": ("class A {\n  #x = 1;\n  #y = 2;\n}\n", "#y", "#x", None),
    "js: a second constructor": ("class A {\n  constructor() {}\n  m() {}\n}\n", "m() {}", "constructor() {}", None),
    "ts: an abstract member": ("abstract class A {\n  abstract f(): void;\n  g() {}\n}\n", "void", "number",
                               "TSDeclareMethod"),
    "ts: an exported function": ("export const a = 1;\nexport function f(): number { return 1; }\n", "return 1",
                                 "return 2", "ExportNamedDeclaration"),
    "ts: an interface": ("foo();\ninterface I {\n  a: string;\n}\n", "string", "number", "TSInterfaceDeclaration"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_part_is_parsed_alone_only_where_it_reads_as_in_the_whole_text(name: str):
    text, old, new, alone = CASES[name]
    suffix = "." + name.split(":")[0]
    driver, documents = _driver(suffix), KeptDocuments()
    filename = "a" + suffix
    documents.parse(driver, ParseRequest(content=text, filename=filename, document="d", mode=Mode.SEMANTIC))
    reparsed = _Reparsed(driver)
    at = text.encode().index(old.encode())
    edit = TextEdit(at, at + len(old.encode()), new)
    edited = text.replace(old, new, 1)
    answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(edited.encode()),
                                                filename=filename, mode=Mode.SEMANTIC))
    expected = LANGUAGES[suffix].driver().parse(ParseRequest(content=edited, filename=filename, mode=Mode.SEMANTIC))
    assert answer.uast == expected.uast and answer.errors == expected.errors
    assert reparsed.seen == [alone]
