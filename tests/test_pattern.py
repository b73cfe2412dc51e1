"""Pattern queries as a library (bblfsh_lsp/query/pattern.py), through the real drivers of the
process runtime: what a pattern matches in Python, JavaScript, Go, Java (and PHP's `$`), its
metavariables, sequences and repeated metavariables, comments and formatting ignored, near
misses not matched, and across languages on semantic trees.

The Go and Java drivers' native parsers must be prepared (scripts/setup-toolchains.sh): without
them their cases skip, or fail under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import pytest
from conftest import toolchain_unavailable

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query.pattern import PatternError, compile_pattern, match
from driver_runtime.errors import DriverError
from driver_runtime.sdk.protocol import Mode
from driver_runtime.service import DriverService

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def service(module_service: DriverService) -> DriverService:
    return module_service


async def ready(service: DriverService, language: str) -> None:
    try:
        await service.parse("", "", language=language, mode=Mode.NATIVE)
    except DriverError as exc:
        toolchain_unavailable(f"the {language} driver cannot parse here: {exc}")


async def found(service: DriverService, language: str, pattern: str, code: str, mode: Mode = Mode.NATIVE,
                code_language: str | None = None) -> list[tuple[str, dict[str, str]]]:
    """Each match's text and its captures' texts, in source order."""
    code_language = code_language or language
    await ready(service, language)
    await ready(service, code_language)
    compiled = await compile_pattern(pattern, language, service, mode)
    parsed = await service.parse(code, "", language=code_language, mode=mode)
    assert not parsed.errors, parsed.errors
    index = TextIndex(code, "utf-8")
    data = code.encode()
    return [(data[m.start:m.end].decode(), {name: capture.text for name, capture in m.captures})
            for m in match(compiled, parsed.uast, index, code_language)]


CASES = [
    # (language, pattern, code, [(matched text, captures)])
    ("python", "isinstance($X, $T)",
     "if isinstance(a, int) and isinstance(b.c,  (str, bytes)):  # x\n    isinstance(a)\n    isinstance(a, b, c)\n",
     [("isinstance(a, int)", {"X": "a", "T": "int"}),
      ("isinstance(b.c,  (str, bytes))", {"X": "b.c", "T": "(str, bytes)"})]),
    ("python", "foo($X, $$$REST)", "foo()\nfoo(1, 2, 3)\nfoo(1)\nfoo.bar(1)\n",
     [("foo(1, 2, 3)", {"X": "1", "REST": "2, 3"}), ("foo(1)", {"X": "1", "REST": ""})]),
    ("python", "$A == $A", "x == x\nx == y\nf(1) == f( 1 )\nf(1) == f(2)\n",
     [("x == x", {"A": "x"}), ("f(1) == f( 1 )", {"A": "f(1)"})]),
    ("python", "$_ == $_", "x == y\nx != y\n", [("x == y", {})]),
    ("python", "def $F($$$ARGS):\n    $$$BODY",
     "def foo(a, b):\n    return a\nclass K:\n    def m(self) -> int:  # c\n        pass\n",
     [("def foo(a, b):\n    return a", {"F": "foo", "ARGS": "a, b", "BODY": "return a"}),
      ("def m(self) -> int:  # c\n        pass", {"F": "m", "ARGS": "self", "BODY": "pass"})]),
    ("python", "print(  'hi' ,)  # a comment", "print('hi')\nprint(\"hi\")\nprint('ho')\n",
     [("print('hi')", {}), ('print("hi")', {})]),
    ("python", "foo()", "foo()\nfoo(1)\nfoo(k=1)\n", [("foo()", {})]),
    ("python", "return $X", "def f():\n    return 1\ndef g():\n    return\n", [("return 1", {"X": "1"})]),
    ("javascript", "console.log($$$ARGS)",
     'console.log("a", b); console.log(); console.warn(1); // console.log(1)\n/* c */ console . log ( /* x */ 1 )\n',
     [('console.log("a", b)', {"ARGS": '"a", b'}), ("console.log()", {"ARGS": ""}),
      ("console . log ( /* x */ 1 )", {"ARGS": "1"})]),
    ("javascript", "$A === $A", "a === a; a === b; a == a;\n", [("a === a", {"A": "a"})]),
    ("javascript", "function $F($$$) { $$$ }", "function f(a) { return a }\nconst g = function () {}\n",
     [("function f(a) { return a }", {"F": "f"})]),
    ("go", "fmt.Println($$$A)", 'package p\nfunc f() { fmt.Println("a", 1); fmt.Printf("x"); fmt.Println() }\n',
     [('fmt.Println("a", 1)', {"A": '"a", 1'}), ("fmt.Println()", {"A": ""})]),
    ("go", "if err != nil { return $$$ }",
     "package p\nfunc f() {\n\tif err != nil { return nil, err }\n\tif err != nil { log(err) }\n"
     "\tif e != nil { return e }\n}\n",
     [("if err != nil { return nil, err }", {})]),
    ("go", "func $F($$$) { $$$ }", "package p\nfunc f() { g() }\nfunc (r *T) m() {}\n",
     [("func f() { g() }", {"F": "f"})]),
    ("go", "$X := $X + 1", "package p\nfunc f() { a := a + 1; b := a + 1 }\n", [("a := a + 1", {"X": "a"})]),
    ("java", "System.out.println($X)",
     'class A { void f() { System.out.println("a"); System.out.println(1, 2); System.err.println(1); } }',
     [('System.out.println("a")', {"X": '"a"'})]),
    ("java", "void $M($$$) { $$$ }", "class A { void f() { g(); } void h(int a, String b) { } int k() { return 1; } }",
     [("void f() { g(); }", {"M": "f"}), ("void h(int a, String b) { }", {"M": "h"})]),
    ("java", "if ($C) { $$$ }", "class A { void f() { if (x) { g(); } if (y) g(); } }",
     [("if (x) { g(); }", {"C": "x"})]),
    ("php", "$X = $X + 1", "<?php $a = $a + 1; $a = $b + 1;", [("$a = $a + 1", {"X": "$a"})]),
    ("php", "$x = 1", "<?php $x = 1; $y = 1;", [("$x = 1", {})]),  # `$x`: PHP's variable, not a metavariable
]


@pytest.mark.parametrize(("language", "pattern", "code", "expected"), CASES,
                         ids=[f"{case[0]}:{case[1]}" for case in CASES])
async def test_pattern_semantics(service: DriverService, language: str, pattern: str, code: str,
                                 expected: list[tuple[str, dict[str, str]]]):
    assert await found(service, language, pattern, code) == expected


@pytest.mark.parametrize(("language", "pattern", "where"), [
    ("python", "foo(", "1:4"),
    ("python", "foo(\n  1, ]", "2:6"),
    ("javascript", "a.b(", "1:5"),
    ("go", "x :=", "1:5"),
    ("java", "foo(", "1:5"),
])
async def test_a_pattern_that_does_not_parse_names_the_position(service: DriverService, language: str, pattern: str,
                                                                where: str):
    await ready(service, language)
    with pytest.raises(PatternError, match=f"does not parse as {language}: {where}: "):
        await compile_pattern(pattern, language, service)


@pytest.mark.parametrize(("pattern", "problem"), [
    ("$X", "more than a metavariable"),
    ("a = 1\nb = 2", "several statements"),
    ("print('$X')", "inside a string"),
    ("   ", "empty"),
])
async def test_patterns_that_mean_no_single_node_are_refused(service: DriverService, pattern: str, problem: str):
    with pytest.raises(PatternError, match=problem):
        await compile_pattern(pattern, "python", service)


CROSS = """Across languages on semantic trees: a function by name and a call by name, written in Python."""

FUNCTIONS = {
    "javascript": ("function load(path) { return read(path) }\nfunction save() {}\nload(p); other(p)\n",
                   ["function load(path) { return read(path) }"], ["load(p)"]),
    "go": ("package p\nfunc load(path string) string { return read(path) }\nfunc save() {}\n"
           "func f() { load(p); other(p) }\n",
           ["func load(path string) string { return read(path) }"], ["load(p)"]),
    "java": ("class A {\n  String load(String path) { return read(path); }\n  void save() {}\n"
             "  void f() { load(p); other(p); }\n}\n",
             ["String load(String path) { return read(path); }"], ["load(p)"]),
}


@pytest.mark.parametrize("language", sorted(FUNCTIONS))
async def test_semantic_patterns_find_the_same_construct_in_other_languages(service: DriverService, language: str):
    code, functions, calls = FUNCTIONS[language]
    by_name = await found(service, "python", "def load($$$):\n    $$$", code, Mode.SEMANTIC, language)
    assert [text for text, _ in by_name] == functions
    named = await found(service, "python", "def $F(path):\n    $$$", code, Mode.SEMANTIC, language)
    assert [captures["F"] for _, captures in named] == ["load"]  # save() has no `path`
    assert [text for text, _ in await found(service, "python", "load($X)", code, Mode.SEMANTIC, language)] == calls
    # Near misses: another name, another number of arguments.
    assert await found(service, "python", "def loads($$$):\n    $$$", code, Mode.SEMANTIC, language) == []
    assert await found(service, "python", "load($X, $Y)", code, Mode.SEMANTIC, language) == []


async def test_native_patterns_do_not_cross_languages(service: DriverService):
    code, _, _ = FUNCTIONS["javascript"]
    assert await found(service, "python", "load($X)", code, Mode.NATIVE, "javascript") == []
