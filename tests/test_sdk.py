"""The SDK for drivers with a native parser: units, tables, and the host around a native program."""

from __future__ import annotations

import sys
from pathlib import Path

from driver_runtime.sdk import nodes
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.normalizer import Context, Normalizer, Tables
from driver_runtime.sdk.protocol import Manifest, Mode, ParseRequest
from driver_runtime.sdk.units import BYTES, CHARS, UTF16, line_col_converter, offset_converter, positions_to_bytes

TEXT = 'a = "é𝓏"; b\n'  # é: 1 char / 1 utf-16 unit / 2 bytes; 𝓏: 1 char / 2 units / 4 bytes


def test_offsets_in_every_unit_map_to_bytes():
    b_bytes = TEXT.encode().index(b"; b") + 2
    b_chars = TEXT.index("; b") + 2
    b_utf16 = len(TEXT[:b_chars].encode("utf-16-le")) // 2
    assert offset_converter(TEXT, BYTES)(b_bytes) == b_bytes
    assert offset_converter(TEXT, CHARS)(b_chars) == b_bytes
    assert offset_converter(TEXT, UTF16)(b_utf16) == b_bytes
    assert line_col_converter(TEXT, UTF16)(1, b_utf16 + 1) == b_bytes
    assert line_col_converter(TEXT, CHARS)(2, 1) == len(TEXT.encode())


def test_tree_positions_are_rewritten_in_place():
    tree = {"@type": "File", "@pos": {"start": 0, "end": len(TEXT)},
            "body": [{"@type": "Name", "@pos": {"start": TEXT.index("b"), "end": TEXT.index("b") + 1}}]}
    positions_to_bytes(tree, TEXT, CHARS)
    assert tree["@pos"] == {"start": 0, "end": len(TEXT.encode())}
    name = tree["body"][0]["@pos"]
    assert TEXT.encode()[name["start"]:name["end"]] == b"b"


def _identifier(node, _context: Context):
    return nodes.identifier(node["@token"], node.get("@pos"))


TABLES = Tables(
    roles={"Call": ("Call", "Expression"), "Name": ("Identifier",)},
    field_roles={("Call", "callee"): ("Callee",), ("*", "args"): ("Argument",)},
    transforms={"Name": _identifier},
)


def test_tables_annotate_by_type_and_by_field_and_transform_bottom_up():
    def tree():
        return {"@type": "Call", "callee": {"@type": "Name", "@token": "f"},
                "args": [{"@type": "Name", "@token": "x"}, {"@type": "Other"}]}

    normalizer = Normalizer("toy", TABLES)
    native = normalizer.run(tree(), b"", Mode.NATIVE)
    assert native["@type"] == "toy:Call" and "@role" not in native
    annotated = normalizer.run(tree(), b"", Mode.ANNOTATED)
    assert annotated["callee"]["@role"] == ["Callee", "Identifier"]
    assert annotated["args"][0]["@role"] == ["Argument", "Identifier"]
    assert annotated["args"][1]["@role"] == ["Argument"]
    semantic = normalizer.run(tree(), b"", Mode.SEMANTIC)
    # the uast node keeps the roles of the native node it replaces (tests/test_semantic_roles.py)
    assert semantic["callee"] == {"@type": "uast:Identifier", "@role": ["Callee", "Identifier"], "Name": "f"}
    assert semantic["@role"] == ["Call", "Expression"]


NATIVE = r'''
import json, sys
for line in sys.stdin:
    request = json.loads(line)
    text = request["content"]
    if text.startswith("crash"):
        sys.exit(3)
    if "(" in text and ")" not in text:
        print(json.dumps({"ast": None, "errors": [{"message": "unclosed (", "line": 1, "col": text.index("(") + 1}]}))
    else:
        words = [{"@type": "Name", "@token": w, "@pos": {"start": text.index(w), "end": text.index(w) + len(w)}}
                 for w in text.split()]
        print(json.dumps({"ast": {"@type": "File", "@pos": {"start": 0, "end": len(text)}, "words": words},
                          "errors": []}))
    sys.stdout.flush()
'''


def toy_driver(tmp_path: Path) -> NativeDriver:
    (tmp_path / "native.py").write_text(NATIVE)
    manifest = Manifest(name="toy", language="toy", version="1")
    return NativeDriver(tmp_path, native=[sys.executable, "{folder}/native.py"], tables=TABLES, unit=CHARS,
                        manifest=manifest)


def test_native_driver_converts_units_and_applies_tables(tmp_path):
    driver = toy_driver(tmp_path)
    result = driver.parse(ParseRequest(content="é 𝓏 word", mode=Mode.SEMANTIC))
    assert result.ok
    word = result.uast["words"][2]
    assert word["@type"] == "uast:Identifier" and word["Name"] == "word"
    assert "é 𝓏 word".encode()[word["@pos"]["start"]:word["@pos"]["end"]] == b"word"


def test_native_syntax_errors_and_crashes_are_results(tmp_path):
    driver = toy_driver(tmp_path)
    broken = driver.parse(ParseRequest(content="é f(x"))
    assert broken.uast is None and broken.errors[0].message == "unclosed ("
    assert broken.errors[0].start.offset == "é f(x".encode().index(b"(")
    crashed = driver.parse(ParseRequest(content="crash now"))
    assert "native parser exited (status 3)" in crashed.errors[0].message
    assert driver.parse(ParseRequest(content="alive again")).ok  # restarted
