"""After an edit, the server's outline and its documentSymbol answer take what lies before the
edit from the document's last parse (ParsedDocument's `last`: the same Symbol objects, the same
answer items): whatever the edits, every answer is the one made without the last parse."""

from __future__ import annotations

import random
from pathlib import Path

from bblfsh_lsp.documents import ParsedDocument
from bblfsh_lsp.features import document_symbols
from bblfsh_lsp.positions import TextIndex
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.outline import symbol_kinds
from driver_runtime.sdk.protocol import PART_FOLDS, PART_OUTLINE, Mode, ParseRequest
from driver_runtime.sdk.serve import with_parts

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "driver_runtime" / "sdk" / "outline.py"
# Lines typed in, indented as the line they go before: a statement, a definition, non-ASCII text
# (UTF-16 columns), a line that breaks the text (no outline until the next edit mends it).
LINES = ["x = 1", "# é 𝓏 note", "def g(): pass", "y = 'é𝓏'", "class C: pass", "(" ]


def _parsed(driver: PythonDriver, documents: KeptDocuments, text: str, version: int,
            last: ParsedDocument | None) -> ParsedDocument:
    kinds = symbol_kinds(driver.manifest.symbol_kinds)
    result = documents.parse(driver, ParseRequest(content=text, document="d", mode=Mode.SEMANTIC))
    result = with_parts(result, (PART_OUTLINE, PART_FOLDS), text.encode("utf-8", "surrogatepass"), kinds,
                        documents.views("d", kinds))
    parsed = ParsedDocument("file:///a.py", version, TextIndex(text, "utf-16"), result=result, kinds=kinds, last=last)
    parsed.prepare({"documentSymbol": document_symbols})
    return parsed


def test_every_answer_is_what_a_parse_without_the_last_one_gives():
    rng = random.Random(7)
    driver, documents = PythonDriver(), KeptDocuments()
    text = SOURCE.read_text(encoding="utf-8")
    last = _parsed(driver, documents, text, 0, None)
    shared = 0
    valid = text
    for version in range(1, 40):
        if text != valid:
            text = valid
        else:
            lines = text.splitlines(keepends=True)
            at = rng.randrange(len(lines))
            indent = lines[at][:len(lines[at]) - len(lines[at].lstrip(" "))]
            lines.insert(at, indent + rng.choice(LINES) + "\n")
            text = "".join(lines)
        parsed = _parsed(driver, documents, text, version, last)
        alone = ParsedDocument(parsed.uri, version, parsed.index, result=parsed.result, kinds=parsed.kinds)
        alone.prepare({"documentSymbol": document_symbols})
        assert parsed.symbols == alone.symbols
        assert parsed.last is None, "a parse holds its last one after its answers are made"
        if not alone.parsed:  # no answer until the text is mended; the next one is read from this parse
            assert "documentSymbol" not in parsed.answers
            last = parsed
            continue
        valid = text
        assert parsed.answers["documentSymbol"] == alone.answers["documentSymbol"], f"version {version}"
        previous = {id(item) for item in last.answers.get("documentSymbol", [])}
        shared += sum(id(item) in previous for item in parsed.answers["documentSymbol"])
        last = parsed
    assert shared > 100, "nothing was taken from the last parse"
