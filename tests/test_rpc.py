"""Hostile input, message by message (issue 9): every request gets its answer, the server's text
is the editor's text.

1. Frames (bblfsh_lsp.rpc.FrameReader on real bytes, then the real server): a Content-Length
   of 1 TiB or 1e20 is refused and the next request answered; junk before a header is skipped.
   Params of the wrong type, and requests without params, get InvalidParams with their id; a
   request after shutdown gets InvalidRequest; exit exits 0 after shutdown and 1 without, and
   no driver outlives the server (nor when the client closes stdin).
2. Line breaks (bblfsh_lsp.text_sync, the Python driver, the server): only "\\r\\n", "\\r" and
   "\\n" end a line; an edit after "\\f", U+2028 or U+0085 lands where the editor made it;
   files with only "\\r" line ends parse, in the CLI and in the editor, with LSP positions.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driver_checks import require_prepared
from lsprotocol import types
from raw_lsp import RawServer, frame, gone

from bblfsh_lsp.rpc import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    MAX_FRAME_BYTES,
    PARSE_ERROR,
    READ_CHUNK,
    ByteStream,
    FrameReader,
    RefusedFrame,
)
from bblfsh_lsp.text_sync import LspWorkspace
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.protocol import Mode, ParseRequest

STATUS = b'{"jsonrpc":"2.0","id":%d,"method":"bblfsh/status","params":{}}'


# --- 1. frames ---------------------------------------------------------------------------------

def read_frames(data: bytes, chunk_size: int = 7, max_frame_bytes: int = MAX_FRAME_BYTES) -> list[Any]:
    """Everything a FrameReader makes of data, delivered in chunks of chunk_size bytes."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]

    async def read_chunk() -> bytes:
        return chunks.pop(0) if chunks else b""

    async def read_all() -> list[Any]:
        reader = FrameReader(ByteStream(read_chunk), max_frame_bytes)
        found = []
        while (item := await reader.next()) is not None:
            found.append(item)
        return found

    return asyncio.run(read_all())


@pytest.mark.parametrize("chunk_size", [1, 5, 64 * 1024])
def test_frames_are_read_whole_however_the_bytes_arrive(chunk_size: int):
    data = frame(STATUS % 1) + b"Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}" + frame("[]")
    assert read_frames(data, chunk_size) == [STATUS % 1, b"{}", b"[]"]


@pytest.mark.parametrize("length", [b"1099511627776", b"100000000000000000000", b"9" * 5000])
def test_a_length_beyond_the_limit_is_refused_and_the_next_frame_read(length: bytes):
    found = read_frames(b"Content-Length: " + length + b"\r\n\r\n" + frame(STATUS % 2))
    assert len(found) == 2 and isinstance(found[0], RefusedFrame)
    assert "refused" in found[0].reason and f"{MAX_FRAME_BYTES:,}" in found[0].reason
    assert found[1] == STATUS % 2


def test_the_body_of_a_refused_frame_is_skipped_up_to_the_next_header():
    # a client that really sends the body: it is junk, and the next header follows it on its line
    found = read_frames(frame(b'{"big": "' + b"x" * 200 + b'"}') + frame(STATUS % 3), max_frame_bytes=100)
    assert isinstance(found[0], RefusedFrame) and found[1:] == [STATUS % 3]


def test_a_body_longer_than_its_length_leaves_junk_that_is_skipped():
    status = STATUS % 4
    assert read_frames(frame(status, length=10) + frame(STATUS % 5)) == [status[:10], STATUS % 5]


@pytest.mark.parametrize("junk", [
    b"Content-Length: abc\r\n\r\n", b"Content-Length: -5\r\n\r\n", b"Content-Type: x\r\n\r\n",
    b"X-Junk: " + b"A" * 100_000 + b"\r\n\r\n", b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n",
    b"\r\n\r\n\n",
])
def test_headers_without_a_usable_length_are_skipped(junk: bytes):
    assert read_frames(junk + frame(STATUS % 6)) == [STATUS % 6]


def test_header_names_in_any_case_and_bare_newlines_are_read():
    assert read_frames(b"content-length: 2\n\n{}CONTENT-LENGTH:  2 \r\n\r\n[]") == [b"{}", b"[]"]


# --- 1. the server: every request gets its answer ----------------------------------------------

def start_server(tmp_path: Path, name: str = "server") -> RawServer:
    workspace = tmp_path / name
    workspace.mkdir()
    server = RawServer(workspace, tmp_path / f"{name}.log")
    assert "result" in server.initialize()
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    running = start_server(tmp_path_factory.mktemp("rpc"))
    yield running
    running.close()
    assert running.problems == []


@pytest.fixture(scope="module")
def document(server: RawServer) -> dict[str, Any]:
    """{"textDocument": {"uri": ...}} of an open document with an outline."""
    uri = server.open("p.py", "def f():\n    return 1\n")
    assert "result" in server.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    return {"textDocument": {"uri": uri}}


def null_id_errors(server: RawServer) -> list[dict[str, Any]]:
    return [message["error"] for message in server.answers(None)]


@pytest.mark.parametrize("length", [b"1099511627776", b"100000000000000000000"])
def test_server_refuses_a_huge_frame_and_answers_the_next_request(server: RawServer, length: bytes):
    before = len(null_id_errors(server))
    server.send_bytes(b"Content-Length: " + length + b"\r\n\r\n")
    assert server.status_answered(), "the next request was not answered"
    refusals = null_id_errors(server)[before:]
    assert [error["code"] for error in refusals] == [INVALID_REQUEST]
    assert "refused" in refusals[0]["message"]


BAD_PARAMS = [
    ("textDocument/documentSymbol", {"textDocument": 5}),
    ("textDocument/documentSymbol", []),
    ("textDocument/documentSymbol", "x"),
    ("textDocument/foldingRange", {}),
    ("textDocument/foldingRange", {"textDocument": 5}),
    ("textDocument/selectionRange", {"positions": "x"}),
    ("textDocument/selectionRange", {"positions": [{"line": "a", "character": 0}]}),
    ("textDocument/selectionRange", {"positions": [{"line": -1, "character": 0}]}),
    ("bblfsh/query", {"query": ["//x"]}),
    ("bblfsh/parse", {"mode": "bogus"}),
    ("bblfsh/status", 5),
]


WITH_DOCUMENT = {"textDocument/selectionRange", "bblfsh/parse"}  # their bad params are beside a good document


@pytest.mark.parametrize("method, params", BAD_PARAMS, ids=[f"{m}:{p!r}" for m, p in BAD_PARAMS])
def test_params_of_the_wrong_type_get_invalid_params_with_the_request_id(
        server: RawServer, document: dict[str, Any], method: str, params: Any):
    if method in WITH_DOCUMENT:
        params = {**document, **params}
    msg_id = server.request(method, params)
    answer = server.wait(msg_id)
    assert answer["id"] == msg_id and answer["error"]["code"] == INVALID_PARAMS, answer
    assert "invalid" in answer["error"]["message"]


@pytest.mark.parametrize("method, code", [
    ("bblfsh/status", None), ("bblfsh/query", INVALID_PARAMS), ("bblfsh/parse", INVALID_PARAMS),
    ("textDocument/documentSymbol", INVALID_PARAMS), ("textDocument/foldingRange", INVALID_PARAMS),
    ("textDocument/selectionRange", INVALID_PARAMS),
])
def test_requests_without_params_are_answered(server: RawServer, method: str, code: int | None):
    answer = server.call(method, omit_params=True)
    if code is None:
        assert "result" in answer, answer
    else:
        assert answer["error"]["code"] == code, answer


@pytest.mark.parametrize("body, msg_id, code", [
    (b"{not json", None, PARSE_ERROR),
    (b'{"jsonrpc":"2.0","method":"$/x","params":{"a":"\xff\xfe"}}', None, PARSE_ERROR),
    (b"[" + STATUS % 77 + b"]", None, INVALID_REQUEST),
    (b'{"id":"no-jsonrpc","method":"bblfsh/status","params":{}}', "no-jsonrpc", INVALID_REQUEST),
    (b'{"jsonrpc":"2.0","id":"method-5","method":5,"params":{}}', "method-5", INVALID_REQUEST),
    (b'{"jsonrpc":"2.0","id":"no-method"}', "no-method", INVALID_REQUEST),
    (b'{"jsonrpc":"2.0","id":{"a":1},"method":"bblfsh/status"}', None, INVALID_REQUEST),
])
def test_a_message_that_is_not_a_request_gets_an_error(server: RawServer, body: bytes, msg_id: Any, code: int):
    before = len(server.answers(msg_id))
    server.send_bytes(frame(body))
    assert server.status_answered()
    answers = server.answers(msg_id)[before:]
    assert [answer["error"]["code"] for answer in answers] == [code]


def test_a_notification_with_bad_params_is_dropped_and_the_session_goes_on(server: RawServer, document: dict[str, Any]):
    server.notify("textDocument/didChange", {**document, "contentChanges": [{"range": 5, "text": 5}]})
    answer = server.call("textDocument/documentSymbol", document)
    assert [symbol["name"] for symbol in answer["result"]] == ["f"]


def session_with_a_driver(tmp_path: Path) -> tuple[RawServer, list[int]]:
    server = start_server(tmp_path)
    uri = server.open("l.py", "def f(): pass\n")
    assert "result" in server.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    drivers = server.drivers()
    assert drivers, "the outline should have started a driver"
    return server, drivers


def shut_down_then_exit(server: Any) -> int | None:
    """shutdown, a request after it (refused as InvalidRequest), then exit: status 0."""
    assert server.call("shutdown", None).get("result", "missing") is None
    answer = server.call("bblfsh/status", {}, timeout=5)
    assert answer["error"]["code"] == INVALID_REQUEST
    server.notify("exit", None)
    return server.exit_status()


def exit_without_shutdown(server: Any) -> int | None:
    server.notify("exit", None)
    return server.exit_status()


def close_stdin(server: Any) -> int | None:
    """The client vanishes: its end of the pipe closes."""
    assert server.process.stdin is not None
    server.process.stdin.close()
    return server.exit_status()


@pytest.mark.parametrize(("ending", "status"),
                         [(shut_down_then_exit, 0), (exit_without_shutdown, 1), (close_stdin, None)],
                         ids=["shutdown-then-exit", "exit-without-shutdown", "client-closes-stdin"])
def test_every_way_a_session_ends_leaves_no_driver_behind(tmp_path: Path, ending: Any, status: int | None):
    """LSP's exit status (0 after shutdown, 1 without), and no driver process left over."""
    server, drivers = session_with_a_driver(tmp_path)
    try:
        ended = ending(server)
        assert ended is not None if status is None else ended == status
        assert gone(drivers)
    finally:
        server.close()


def test_a_session_read_from_a_regular_file_is_answered(tmp_path: Path):
    """A pipe is watched by the event loop; stdin that no event loop can watch (a regular file)
    is read by a thread instead, with the same answers."""
    import json

    session = tmp_path / "session.lsp"
    session.write_bytes(b"".join(frame(json.dumps(message)) for message in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None,
                                                                       "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"})))
    with session.open("rb") as stdin:
        run = subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "serve"], stdin=stdin,
                             capture_output=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    bodies = [json.loads(body) for body in read_frames(run.stdout, chunk_size=READ_CHUNK)]
    answers = {message["id"]: message for message in bodies if "id" in message}
    assert "capabilities" in answers[1]["result"] and answers[2] == {"jsonrpc": "2.0", "id": 2, "result": None}


# --- 2. the server's text is the editor's text -------------------------------------------------

def workspace_document(text: str, encoding: str = "utf-16") -> Any:
    """A document in the workspace the server uses, opened with text."""
    workspace = LspWorkspace(None, position_encoding=encoding)
    workspace.put_text_document(types.TextDocumentItem(uri="file:///d.py", language_id="python", version=1, text=text))
    return workspace


def edited(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str, encoding: str = "utf-16") -> str:
    """text after one incremental change, through the server's document sync."""
    workspace = workspace_document(text, encoding)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=new_text)
    workspace.update_text_document(types.VersionedTextDocumentIdentifier(uri="file:///d.py", version=2), change)
    return workspace.get_text_document("file:///d.py").source


NOT_LINE_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("separator", NOT_LINE_BREAKS, ids=[repr(s) for s in NOT_LINE_BREAKS])
def test_an_edit_after_a_character_that_is_no_lsp_line_break_lands_on_its_line(separator: str):
    text = f's = "a{separator}b"\ndef f():\n    pass\n'
    column = text.index("b")
    assert edited(text, (0, column), (0, column + 1), "Z") == text.replace("b", "Z", 1)
    assert edited(text, (1, 4), (1, 5), "g") == text.replace("def f", "def g")


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_lsp_line_breaks_end_lines(line_break: str):
    text = line_break.join(["one", "two", "three", ""])
    assert edited(text, (2, 0), (2, 5), "3") == line_break.join(["one", "two", "3", ""])
    assert edited(text, (1, 3), (2, 0), "") == line_break.join(["one", "twothree", ""])


def test_a_character_past_the_end_of_its_line_is_the_end_of_the_line():
    assert edited("ab\r\ncd", (0, 3), (0, 3), "X") == "abX\r\ncd"  # not between "\r" and "\n"
    assert edited("ab\r\ncd", (0, 99), (1, 1), "") == "abd"


def test_positions_past_the_text_and_backwards_ranges():
    assert edited("ab\ncd", (7, 0), (9, 3), "!") == "ab\ncd!"
    assert edited("ab\ncd", (1, 1), (0, 1), "-") == "a-d"


@pytest.mark.parametrize("encoding, character", [("utf-16", 2), ("utf-8", 4), ("utf-32", 1)])
def test_characters_count_in_the_negotiated_encoding(encoding: str, character: int):
    assert edited("𝓏x\u2028y", (0, character), (0, character + 1), "Z", encoding) == "𝓏Z\u2028y"


CR_ONLY_PYTHON = "def f():\r    pass\rdef g():\r    # note\r    pass\r"


def test_python_driver_parses_cr_only_line_ends():
    result = PythonDriver().parse(ParseRequest(content=CR_ONLY_PYTHON, filename="cr.py", mode=Mode.SEMANTIC))
    assert result.errors == [] and result.uast is not None
    names = [node["@pos"]["start"] for node in result.uast["body"]]
    assert names == [CR_ONLY_PYTHON.index("f("), CR_ONLY_PYTHON.index("g(")]
    assert [comment["@pos"]["start"] for comment in result.uast["comments"]] == [CR_ONLY_PYTHON.index("#")]


def test_python2_fallback_reads_cr_only_line_ends():
    text = "print 'x'\rx = 10L\rprint x\r"
    result = PythonDriver().parse(ParseRequest(content=text, filename="two.py", mode=Mode.NATIVE))
    assert result.errors == [] and result.uast is not None
    assert [node["@type"] for node in result.uast["body"]] == ["python:Print", "python:Assign", "python:Print"]
    assert result.uast["body"][2]["@pos"] == {"start": text.rindex("print"), "end": len(text) - 1}


def test_cli_outlines_a_cr_only_file(tmp_path: Path):
    (tmp_path / "cr.py").write_bytes(CR_ONLY_PYTHON.encode())
    run = subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "symbols", "cr.py"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "f" in run.stdout and "g" in run.stdout and "IndexError" not in run.stderr


def test_server_outline_of_cr_only_python_has_lsp_positions(server: RawServer):
    uri = server.open("cr.py", CR_ONLY_PYTHON)
    found = server.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    assert [(s["name"], s["selectionRange"]["start"]) for s in found] == [
        ("f", {"line": 0, "character": 4}), ("g", {"line": 2, "character": 4})]


def test_server_outline_of_cr_only_javascript_has_lsp_positions(server: RawServer):
    from driver_runtime.drivers.javascript.driver import JavaScriptDriver

    require_prepared(JavaScriptDriver(), "node")
    uri = server.open("cr.js", "function f() {\r}\rfunction g() {\r}\r", "javascript")
    found = server.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    assert [(s["name"], s["selectionRange"]["start"]) for s in found] == [
        ("f", {"line": 0, "character": 9}), ("g", {"line": 2, "character": 9})]


@pytest.mark.parametrize("separator", ["\f", "\u2028", "\x85"], ids=["FF", "U+2028", "U+0085"])
def test_server_text_after_an_edit_beyond_a_non_break_is_the_editors(server: RawServer, separator: str):
    text = f's = "a{separator}b"\ndef f():\n    pass\n'
    uri = server.open(f"sep{ord(separator)}.py", text)
    column = text.index("b")
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 0, "character": column},
                                      "end": {"line": 0, "character": column + 1}}, "text": "Z"}]})
    answer = server.call("bblfsh/parse", {"textDocument": {"uri": uri}, "mode": "native"})
    assert answer["result"]["uast"]["body"][0]["value"]["@token"] == f"a{separator}Z"
