"""The Python driver reuses the conversion of a kept document's unchanged statements after an
edit (drivers/python/reuse.py): whatever the edits, every answer is the one a fresh parse of
the same text gives, in every mode."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "python"
SOURCES = sorted(EXAMPLES.rglob("*.py")) + [Path(random.__file__), Path(__file__)]
INSERTS = ["x", "\n", " ", "# é 𝓏\n", "@decorator\n", "def g():\n    pass\n", '"""doc"""\n', "(", "\ufeff", "'''"]


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
    driver, documents, fresh = PythonDriver(), KeptDocuments(), PythonDriver()
    rng = random.Random(f"{source.name}-{mode.value}")
    data = source.read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), document="d", mode=mode))
    reused = 0
    for _ in range(25):
        edit = _edit(rng, data)
        data = data[:edit.start] + edit.text.encode("utf-8") + data[edit.end:]
        answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                    mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8", "surrogatepass"), mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
        reused += driver._statements is not None
    assert reused, "no edit left the text parseable: the reuse was never tried"
