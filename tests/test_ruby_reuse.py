"""The Ruby driver's native program reads a kept document's next version from its last one where
an edit allows (native/reparse.rb: the comment or the method, class or module the edit stays
inside, parsed alone): whatever the edits, every answer is the one a fresh parse of the same
text gives, in every mode."""

from __future__ import annotations

import collections
import random
import re
from pathlib import Path
from typing import Any

import pytest
from driver_checks import require_prepared

from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

NATIVE = Path(__file__).resolve().parent.parent / "driver_runtime" / "drivers" / "ruby" / "native"
SOURCES = [NATIVE / "parse.rb", NATIVE / "converter.rb", NATIVE / "reparse.rb"]
# Typed inside a method or a comment: what keeps it one method (a name, a statement, a block),
# what makes it more than one or none (an `end`, a def, an unclosed string or heredoc), what
# changes how names read (an assignment) and what the lexer reads otherwise (a magic comment).
INSERTS = ["x", " ", "\n", "; y = 1", "\n  z = foo(1)", " # note é 𝓏", " do |a| a end", "\nx = 1\n"] * 3 + [
    "end\n", "\ndef g; end", "'", "<<~EOS", " frozen_string_literal: true", "=begin\n"]


def _driver() -> RubyDriver:
    return require_prepared(RubyDriver(), "ruby")


class _Reparsed:
    """What the native side said it parsed alone, per answer ("reparsed"; None: whole)."""

    def __init__(self, driver: RubyDriver):
        self.seen: list[str | None] = []
        self._parse = driver.native.parse
        driver.native.parse = self.parse  # type: ignore[method-assign]

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        answer = self._parse(content, filename, **fields)
        self.seen.append(answer.get("reparsed"))
        return answer


def _inside_edit(rng: random.Random, data: bytes) -> TextEdit:
    """Typing inside a method's body or a comment: at a character boundary of a line that is
    neither a def's, a class's nor an `end`; now and then a piece cut out."""
    text = data.decode("utf-8")
    lines = [match for match in re.finditer(r"[^\n]*\n", text)
             if not re.match(r"\s*(def|class|module|end)\b", match.group())]
    line = rng.choice(lines)
    at = rng.randrange(line.start(), line.end())
    start = len(text[:at].encode("utf-8"))
    if rng.random() < 0.25:
        return TextEdit(start, start + len(text[at:min(at + rng.randint(1, 12), line.end() - 1)].encode("utf-8")), "")
    return TextEdit(start, start, rng.choice(INSERTS))


def _edit_and_compare(source: Path, mode: Mode, rounds: int, seen: collections.Counter[str | None]) -> None:
    driver, documents, fresh = _driver(), KeptDocuments(), RubyDriver()
    reparsed = _Reparsed(driver)
    rng = random.Random(f"{source.name}-{mode.value}")
    data = source.read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name, document="d", mode=mode))
    valid = data
    for _ in range(rounds):
        # An edit that breaks the text is undone by the next one, as a user fixes a typo: the
        # last version that parsed is then what the native side reads the next one from.
        edit = _inside_edit(rng, data) if data == valid else TextEdit(0, len(data), valid.decode("utf-8"))
        data = data[:edit.start] + edit.text.encode("utf-8") + data[edit.end:]
        answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                    filename=source.name, mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8"), filename=source.name, mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
        if not expected.errors:
            valid = data
    seen.update(reparsed.seen)


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
def test_typing_inside_methods_and_comments_gives_what_a_fresh_parse_gives(mode: Mode):
    seen: collections.Counter[str | None] = collections.Counter()
    for source in SOURCES:
        _edit_and_compare(source, mode, 30, seen)
    # Most edits keep their method one method; some break it, and those are read whole.
    assert seen["def"] >= 12 and seen["comment"] >= 3, seen
    assert seen[None] >= 10, seen


# A text, an edit of it (old, new: the first occurrence of old), and what is parsed alone
# (reparse.rb's "reparsed"; None: the whole text); either way the answer is a fresh parse's.
CASES = {
    "in a method": ("class A\n  def f\n    1\n  end\n\n  def g\n    2\n  end\nend\n", "2", "22", "def"),
    "in a method of self": ("module M\n  def self.f\n    1\n  end\nend\n", "1", "x = 1", "defs"),
    "in the last comment": ("class A\n  def f; end\nend\n# edit here\n", "# edit here", "# edit herex", "comment"),
    "a comment beside a statement": ("x = 1 # one\ny = 2\n", "# one", "# uno", "comment"),
    "a comment becomes code": ("x = 1\n# one\ny = 2\n", "# one", "one", None),
    "a comment split in two lines": ("def f\n  1\nend\n# one two\n", "one two", "one\ntwo", None),
    "a magic comment": ("# frozen_string_literal: false\nX = 'a'\n", "false", "true", None),
    "a comment that becomes a magic one": ("# about\nX = 'a'\n", "about", "encoding: ascii", None),
    "a block comment": ("x = 1\n=begin\nabout\n=end\ny = 2\n", "about", "abouts", None),
    "in a class's body, outside its methods": ("class A\n  def f; end\n  X = 1\nend\n", "X = 1", "X = 2", "class"),
    "a method's end cut": ("class A\n  def f\n    1\n  end\n  def g; end\nend\n", "    1\n  end", "    1", None),
    "a method that becomes two": ("def f\n  1\nend\n", "  1\n", "  1\nend\ndef g\n", None),
    "an unclosed string in a method": ("def f\n  1\nend\ndef g; 'a'; end\n", "  1\n", "  '1\n", None),
    "a local variable of the method": ("x = 1\ndef f\n  y\nend\n", "  y\n", "  y = 2\n  y\n", "def"),
    "a method whose receiver is a local variable": ("o = Object.new\ndef o.f\n  1\nend\n", "1", "2", None),
    "a heredoc opened before the method, on its line": ("foo(<<~X); def bar\n  some text\nX\n  1\nend\n", "  1\n",
                                                        "  2\n", None),
    "a heredoc in the method": ("def f\n  <<~X\n    text\n  X\nend\n", "text", "texts", "def"),
    "a heredoc opened in the method, its body after it": ("def f\n  1\nend\n", "  1\n", "  foo(<<~X)\n", None),
    "a comment in a heredoc's interpolation": ("foo(<<~X) # a\n  #{1 # b\n  }\nX\n", "# b", "# bc", "comment"),
    "a byte order mark": ("\ufeffdef f\n  1\nend\n", "1", "2", None),
}


@pytest.mark.parametrize("name", CASES)
def test_a_part_is_parsed_alone_only_where_it_reads_as_in_the_whole_text(name: str):
    text, old, new, alone = CASES[name]
    driver, documents = _driver(), KeptDocuments()
    documents.parse(driver, ParseRequest(content=text, filename="a.rb", document="d"))
    reparsed = _Reparsed(driver)
    at = text.encode().index(old.encode())
    edit = TextEdit(at, at + len(old.encode()), new)
    edited = text.replace(old, new, 1)
    answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(edited.encode()),
                                                filename="a.rb"))
    expected = RubyDriver().parse(ParseRequest(content=edited, filename="a.rb"))
    assert answer.uast == expected.uast and answer.errors == expected.errors
    assert reparsed.seen == [alone]
