"""A native driver reuses the normalised top-level statements of a kept document after an edit
(sdk/native_reuse.py; the JavaScript and TypeScript drivers' parse.js sends the unchanged ones
as {"@kept": N}): whatever the edits, every answer is the one a fresh parse of the same text
gives, in every mode, and the statements that did not change are not sent again."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from driver_checks import require_prepared

from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.native_reuse import KEPT, StatementReuse
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "editors" / "vscode" / "src" / "search.ts",
    ROOT / "editors" / "vscode" / "src" / "extension.ts",
    ROOT / "driver_runtime" / "drivers" / "javascript" / "native" / "parse.js",
    ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js",
]
# What typing puts in: characters in a name, line breaks, comments beside a statement (hung on
# it by Babel: native and annotated modes show them), non-ASCII text (UTF-16 offsets), a
# statement, a directive, an unclosed brace or string (the rest reads otherwise).
INSERTS = ["x", "\n", " ", "/* c */", "// é 𝓏\n", "let v = 1;\n", "'use strict';\n", "{", "`", "\n\n// end"]

DRIVERS = {".js": JavaScriptDriver, ".ts": TypeScriptDriver}


def _driver(path: Path) -> NativeDriver:
    return require_prepared(DRIVERS[path.suffix](), "node")


def _edit(rng: random.Random, data: bytes) -> TextEdit:
    """Typing somewhere: a few characters in, or a piece out, at a character boundary."""
    text = data.decode("utf-8")
    at = rng.randrange(len(text) + 1)
    start = len(text[:at].encode("utf-8"))
    if rng.random() < 0.3 and at < len(text):
        cut = len(text[at:at + rng.randint(1, 40)].encode("utf-8"))
        return TextEdit(start, start + cut, "")
    return TextEdit(start, start, rng.choice(INSERTS))


class _Counting:
    """Counts the statements the native side answers kept (wraps the driver's NativeParser)."""

    def __init__(self, driver: NativeDriver):
        self.kept = 0
        self._parse = driver.native.parse
        driver.native.parse = self.parse  # type: ignore[method-assign]

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        answer = self._parse(content, filename, **fields)
        body = ((answer.get("ast") or {}).get("program") or {}).get("body") or []
        self.kept += sum(1 for statement in body if KEPT in statement)
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
    for round_ in range(30):
        # Mostly one edit after another; now and then back to the file as it was (a new series).
        edit = _edit(rng, original if round_ % 10 == 0 else data)
        base = original if round_ % 10 == 0 else data
        data = base[:edit.start] + edit.text.encode("utf-8") + base[edit.end:]
        if round_ % 10 == 0:
            answer = documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name,
                                                          document="d", mode=mode))
        else:
            answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                        filename=source.name, mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8"), filename=source.name, mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
    assert counting.kept, "no statement was ever kept: the reuse was never tried"


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
def test_a_comment_beside_a_statement_is_seen_where_the_mode_shows_it(mode: Mode):
    source = "function f() { return 1; }\n\nfunction g() { return 2; }\n"
    driver, documents = _driver(Path("a.js")), KeptDocuments()
    counting = _Counting(driver)
    documents.parse(driver, ParseRequest(content=source, filename="a.js", document="d", mode=mode))
    edited = source.replace("\n\nfunction g", "\n// about g\nfunction g")
    answer = documents.parse(driver, ParseRequest(content=edited, filename="a.js", document="d", mode=mode))
    expected = JavaScriptDriver().parse(ParseRequest(content=edited, filename="a.js", mode=mode))
    assert answer.uast == expected.uast
    # Semantic mode drops the comments Babel hangs on statements: both are kept.  The native
    # tree shows the comment on f (trailing) and on g (leading): neither is.
    assert counting.kept == (2 if mode is Mode.SEMANTIC else 0)


def test_every_path_holds_no_transform_that_would_change_a_kept_statement_again():
    for kind in DRIVERS.values():
        driver = kind()
        assert driver.reuse is not None
        tables = driver.normalizer.tables
        containers = {"File", "Program"}  # the native types along ("program", "body")
        assert not containers & set(tables.transforms) and not containers & set(tables.child_roles)


def test_an_answer_that_names_what_is_not_held_is_parsed_again_whole():
    reuse = StatementReuse(("program", "body"))
    fields = reuse.fields(None, "semantic", True)
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{KEPT: 0}]}}
    assert reuse.take(tree, {"kept": fields["keep"], "starts": [0]}, fields, "semantic", int) is None
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
