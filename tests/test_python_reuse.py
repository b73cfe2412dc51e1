"""The Python driver reuses the conversion of a kept document's unchanged statements after an
edit (drivers/python/reuse.py): whatever the edits, every answer is the one a fresh parse of
the same text gives, in every mode."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from driver_runtime.drivers.python import driver as python_driver
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.drivers.python.reuse import reparse
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "python"
SOURCES = sorted(EXAMPLES.rglob("*.py")) + [Path(random.__file__), Path(__file__)]
INSERTS = ["x", "\n", " ", "# é 𝓏\n", "@decorator\n", "def g():\n    pass\n", '"""doc"""\n', "(", "\ufeff", "'''",
           # What joins statements or splits them otherwise than by lines (reuse.reparse reads a
           # run of whole lines alone): a `;`, a clause, an indent, a continued line, other breaks.
           "; y = 2", "if q: r", "else:\n    pass\n", "    ", "\\\n", "\r\n", "\r",
           "from __future__ import annotations\n"]


def _edit(rng: random.Random, data: bytes) -> TextEdit:
    """Typing somewhere: a few characters in, or a piece out, at a character boundary."""
    text = data.decode("utf-8", "surrogatepass")
    at = rng.randrange(len(text) + 1)
    start = len(text[:at].encode("utf-8", "surrogatepass"))
    if rng.random() < 0.3 and at < len(text):
        cut = len(text[at:at + rng.randint(1, 40)].encode("utf-8", "surrogatepass"))
        return TextEdit(start, start + cut, "")
    return TextEdit(start, start, rng.choice(INSERTS))


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_every_version_is_what_a_fresh_parse_gives(source: Path, mode: Mode):
    _edit_and_compare(source, mode, _edit)


# Whole lines typed in or cut, indented as the line they go before: the text mostly stays valid,
# and mostly one statement is read again; some are what joins lines (LINES' last ones).
LINES = ["", "# a comment", "x = 1", "pass", "def g():\n{indent}    return 2", "if q: r; s = 1", "else:", "a = (",
         "'" * 3]


def _line_edit(rng: random.Random, data: bytes) -> TextEdit:
    starts = [0, *(index + 1 for index, byte in enumerate(data) if byte == 0x0A)]
    number = rng.randrange(len(starts))
    start = starts[number]
    if rng.random() < 0.2 and number + 1 < len(starts):
        return TextEdit(start, starts[number + 1], "")
    line = data[start:starts[number + 1] if number + 1 < len(starts) else len(data)]
    indent = line[:len(line) - len(line.lstrip(b" \t"))].decode() if line.strip() else ""
    typed = rng.choice(LINES[:5] * 4 + LINES[5:])
    return TextEdit(start, start, indent + typed.replace("{indent}", indent) + "\n")


def test_lines_typed_in_or_cut_give_what_a_fresh_parse_gives(monkeypatch: pytest.MonkeyPatch):
    reparsed = _count_reparsed(monkeypatch)
    for source in SOURCES:
        _edit_and_compare(source, Mode.SEMANTIC, _line_edit)
    # Some edits leave a text that does not parse until a later one: those are read whole.
    assert len(reparsed) >= 25, f"{len(reparsed)} edits of {25 * len(SOURCES)} were parsed alone"


def _edit_and_compare(source: Path, mode: Mode, make_edit: Any) -> None:
    driver, documents, fresh = PythonDriver(), KeptDocuments(), PythonDriver()
    rng = random.Random(f"{source.name}-{mode.value}")
    data = source.read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), document="d", mode=mode))
    reused = 0
    for _ in range(25):
        edit = make_edit(rng, data)
        data = data[:edit.start] + edit.text.encode("utf-8") + data[edit.end:]
        answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                    mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8", "surrogatepass"), mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
        reused += driver._statements is not None
    assert reused, "no edit left the text parseable: the reuse was never tried"


def _count_reparsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The edits whose statements were parsed alone (reuse.reparse answered), listed as they come."""
    done: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = reparse(*args, **kwargs)
        if found is not None:
            done.append(len(found[0]))
        return found

    monkeypatch.setattr(python_driver, "reparse", counted)
    return done


# A text, an edit of it (old, new: the first occurrence of old), and whether its statements are
# parsed alone (reuse.reparse) or the whole text again; either way the answer is a fresh parse's.
CASES = {
    "in a function": ("import os\n\ndef f():\n    return 1\n\ndef g():\n    return 2\n", "return 2", "return 22", True),
    "in the last comment": ("import os\n\nx = 1\n# edit here\n", "# edit here", "# edit herex", True),
    "a new statement": ("import os\n\nx = 1\n\ny = 2\n", "x = 1\n", "x = 1\nz = 3\n", True),
    "in the docstring": ('"""doc"""\nx = 1\n', '"""doc"""', '"""docs"""', False),
    "after a semicolon": ("import os\nx = 1; y = 2\nz = 3\n", "y = 2", "y = 22", False),
    "before a semicolon": ("import os\nx = 1; y = 2\nz = 3\n", "x = 1", "x = 11", True),  # the line, both
    "a clause that takes in the statement after it": ("import os\nx = 1; y = 2\n", "x =", "if q: x =", False),
    "a clause of the statement before": ("import os\nif a:\n    b\nc = 1\n", "c = 1", "else:\n    c = 1", False),
    "an indented line": ("import os\nx = 1\ny = 2\n", "y = 2", "    y = 2", False),
    "an unclosed bracket": ("import os\nx = 1\ny = 2\nz = 3\n", "x = 1", "x = (1", False),
    "a future import that changes the syntax": ("from __future__ import barry_as_FLUFL\nx = 1\ny = 2\n", "y = 2",
                                                "y = 1 <> 2", False),
    "a future import that does not": ("from __future__ import annotations\nx = 1\ny = 2\n", "y = 2", "y = 22", True),
    "a continued line": ("import os\nx = 1\ny = 2\n", "x = 1", "x = 1 + \\", False),
}


@pytest.mark.parametrize("name", CASES)
def test_a_run_of_statements_is_parsed_alone_only_where_it_reads_as_in_the_whole_text(
        name: str, monkeypatch: pytest.MonkeyPatch):
    text, old, new, alone = CASES[name]
    driver, documents = PythonDriver(), KeptDocuments()
    documents.parse(driver, ParseRequest(content=text, document="d"))
    reparsed = _count_reparsed(monkeypatch)
    at = text.encode().index(old.encode())
    edit = TextEdit(at, at + len(old.encode()), new)
    edited = text.replace(old, new, 1)
    answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(edited.encode())))
    expected = PythonDriver().parse(ParseRequest(content=edited))
    assert answer.uast == expected.uast and answer.errors == expected.errors
    assert bool(reparsed) == alone
