"""A native driver reuses the normalised top-level statements of a kept document after an edit
(sdk/native_reuse.py; the native programs of the JavaScript and TypeScript drivers (parse.js)
and of the Go driver (main.go) send the unchanged ones as {"@kept": N}): whatever the edits,
every answer is the one a fresh parse of the same text gives, in every mode, and the statements
that did not change are not sent again."""

from __future__ import annotations

import copy
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from driver_checks import require_prepared

from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.native_reuse import KEPT, StatementReuse
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

ROOT = Path(__file__).resolve().parent.parent


def _goroot() -> Path:
    try:
        return Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path("/nonexistent")


GO_SOURCES = [_goroot() / "src" / "net" / "http" / "response.go", _goroot() / "src" / "bufio" / "scan.go"]
SOURCES = [*sorted((ROOT / "examples" / "go").rglob("*.go"))[:2], *GO_SOURCES,
    ROOT / "editors" / "vscode" / "src" / "search.ts",
    ROOT / "editors" / "vscode" / "src" / "extension.ts",
    ROOT / "driver_runtime" / "drivers" / "javascript" / "native" / "parse.js",
    ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js",
]
# What typing puts in: characters in a name, line breaks, comments beside a statement (hung on
# it by Babel: native and annotated modes show them), non-ASCII text (UTF-16 offsets), a
# statement, a directive, an unclosed brace or string (the rest reads otherwise).
INSERTS = {
    ".js": ["x", "\n", " ", "/* c */", "// é 𝓏\n", "let v = 1;\n", "'use strict';\n", "{", "`", "\n\n// end"],
    ".go": ["x", "\n", " ", "/* c */", "// é 𝓏\n", "var v = 1\n", "func g() {}\n", "{", "`", "\n\n// end"],
}
INSERTS[".ts"] = INSERTS[".js"]

DRIVERS: dict[str, type[NativeDriver]] = {".js": JavaScriptDriver, ".ts": TypeScriptDriver, ".go": GoDriver}
COMMANDS = {".js": ["node"], ".ts": ["node"], ".go": []}


def _driver(path: Path) -> NativeDriver:
    if not path.exists():
        require_prepared(GoDriver(), "go")  # GOROOT's sources come with the go command
    return require_prepared(DRIVERS[path.suffix](), *COMMANDS[path.suffix])


def _edit(rng: random.Random, data: bytes, inserts: list[str]) -> TextEdit:
    """Typing somewhere: a few characters in, or a piece out, at a character boundary."""
    text = data.decode("utf-8")
    at = rng.randrange(len(text) + 1)
    start = len(text[:at].encode("utf-8"))
    if rng.random() < 0.3 and at < len(text):
        cut = len(text[at:at + rng.randint(1, 40)].encode("utf-8"))
        return TextEdit(start, start + cut, "")
    return TextEdit(start, start, rng.choice(inserts))


class _Counting:
    """Counts the statements the native side answers kept (wraps the driver's NativeParser)."""

    def __init__(self, driver: NativeDriver):
        assert driver.reuse is not None
        self.kept = 0
        self.paths = driver.reuse.paths
        self._parse = driver.native.parse
        driver.native.parse = self.parse  # type: ignore[method-assign]

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        answer = self._parse(content, filename, **fields)
        for path in self.paths:
            items = StatementReuse.items(answer.get("ast"), path)
            self.kept += sum(1 for item in items or () if KEPT in item)
        return answer


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_every_version_is_what_a_fresh_parse_gives(source: Path, mode: Mode):
    driver, documents, fresh = _driver(source), KeptDocuments(), DRIVERS[source.suffix]()
    counting = _Counting(driver)
    rng = random.Random(f"{source.name}-{mode.value}")
    original = source.read_bytes()
    data = original
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name, document="d",
                                         mode=mode))
    for round_ in range(40):
        # A few edits one after another, then back to the file as it was (a new series: Go's
        # parser gives no tree for a broken text, and the next parse then has nothing to reuse).
        edit = _edit(rng, original if round_ % 4 == 0 else data, INSERTS[source.suffix])
        base = original if round_ % 4 == 0 else data
        data = base[:edit.start] + edit.text.encode("utf-8") + base[edit.end:]
        if round_ % 4 == 0:
            answer = documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name,
                                                          document="d", mode=mode))
        else:
            answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                        filename=source.name, mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8"), filename=source.name, mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
    assert counting.kept, "no statement was ever kept: the reuse was never tried"


# A comment put beside a statement, which the parser hangs on it: Babel on the statements before
# and after it; go/ast on a spec it ends the line of (ValueSpec.Comment), past the declaration's end.
BESIDE = {
    "a.js": ("function f() { return 1; }\n\nfunction g() { return 2; }\n", "\n\nfunction g",
             "\n// about g\nfunction g"),
    "a.go": ("package p\n\nvar x int\n\nfunc f() {}\n", "var x int\n", "var x int // about x\n"),
}


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
@pytest.mark.parametrize("name", list(BESIDE))
def test_a_comment_beside_a_statement_is_seen(name: str, mode: Mode):
    source, old, new = BESIDE[name]
    driver, documents = _driver(Path(name)), KeptDocuments()
    counting = _Counting(driver)
    documents.parse(driver, ParseRequest(content=source, filename=name, document="d", mode=mode))
    edited = source.replace(old, new)
    answer = documents.parse(driver, ParseRequest(content=edited, filename=name, document="d", mode=mode))
    expected = DRIVERS[Path(name).suffix]().parse(ParseRequest(content=edited, filename=name, mode=mode))
    assert answer.uast == expected.uast
    if name.endswith(".js"):
        # Semantic mode drops the comments Babel hangs on statements: both are kept.  The native
        # tree shows the comment on f (trailing) and on g (leading): neither is.
        assert counting.kept == (2 if mode is Mode.SEMANTIC else 0)


# Each driver's tree around its top-level statements, as its native side sends it.
CONTAINERS = {
    JavaScriptDriver: lambda body, comments: {"@type": "File", "program": {"@type": "Program", "body": body},
                                              "comments": comments},
    TypeScriptDriver: lambda body, comments: {"@type": "File", "program": {"@type": "Program", "body": body},
                                              "comments": comments},
    GoDriver: lambda body, comments: {"@type": "File", "Name": None, "Decls": body, "Imports": None,
                                      "Comments": comments},
}


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("kind", list(CONTAINERS), ids=lambda kind: kind.__name__)
def test_the_containers_of_the_statements_leave_kept_statements_as_they_are(kind: type[NativeDriver], mode: Mode):
    """A transform or child roles of a type around the statements would change a kept statement
    a second time: whatever they do, they leave the statements themselves alone."""
    driver = kind()
    assert driver.reuse is not None
    statements = [{"@type": "uast:Identifier", "Name": "a", "@role": ["Identifier"], "@pos": {"start": 0, "end": 1}},
                  {"@type": "uast:Comment", "Text": "b", "@pos": {"start": 2, "end": 5}}]
    comments = [{"@type": "uast:Comment", "Text": "c", "@pos": {"start": 6, "end": 9}}]
    before = copy.deepcopy([statements, comments])
    tree = CONTAINERS[kind](list(statements), list(comments))
    normalised = driver.normalizer.run(tree, b"a /**/ /**/", mode, done={id(node) for node in statements + comments})
    for path, items in zip(driver.reuse.paths, (statements, comments), strict=True):
        found = StatementReuse.items(normalised, path)
        assert isinstance(found, list) and all(a is b for a, b in zip(found, items, strict=True)), path
    assert [statements, comments] == before


def test_an_answer_that_names_what_is_not_held_is_parsed_again_whole():
    reuse = StatementReuse((("program", "body"),))
    fields = reuse.fields(None, "semantic", True)
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{KEPT: 0}]}}
    assert reuse.take(tree, {"kept": fields["keep"], "starts": [[0]]}, fields, "semantic", int) is None
    # An answer of a native program that does not know the fields: nothing kept, nothing held.
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{"@type": "EmptyStatement"}]}}
    assert reuse.take(tree, {}, reuse.fields(None, "semantic", True), "semantic", int) is None
    assert reuse.token is None


def test_a_native_parser_restarted_between_edits_answers_whole(tmp_path: Path):
    source = (ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js").read_text(encoding="utf-8")
    driver, documents = _driver(Path("a.js")), KeptDocuments()
    documents.parse(driver, ParseRequest(content=source, filename="a.js", document="d"))
    driver.native.close()  # its kept keys are gone; this side still holds the statements
    edited = source + "\nlet tail = 1;\n"
    answer = documents.parse(driver, ParseRequest(content=edited, filename="a.js", document="d"))
    assert answer.uast == JavaScriptDriver().parse(ParseRequest(content=edited, filename="a.js")).uast
