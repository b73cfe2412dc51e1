"""Property-based: random JSON-RPC against the real server (`bblfsh-lsp serve` over stdio).

1. Messages, each in a well-formed frame: requests for our methods with random params (of the
   right shape or not, omitted, null, scalars), notifications that change documents or cancel
   requests, client responses, and bodies that are not JSON-RPC.  Every request with a usable id
   gets exactly one answer with that id (a result or an error), a client response gets none, no
   answer carries an id that was never sent, everything the server writes is a valid message
   in strict JSON, and the server answers bblfsh/status afterwards.
2. Framing junk: header lines of any kind, Content-Length that is short, negative, not a
   number or beyond the limit, raw bytes.  After it (and enough blank lines to complete any
   short body it announced) the server answers bblfsh/status.

Examples are bounded for CI (tests/fuzzing.py: BBLFSH_LSP_FUZZ_EXAMPLES=N for a longer run).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from raw_lsp import RawServer, frame

ANSWER_SECONDS = 30.0
OPEN_FILES = {"a.py": "def f(x):\n    return [x,\n        x]\n\n\nclass K:\n    pass\n", "b.py": "x = 1\r\ny = 2\r\n"}
_ids = itertools.count(10**9)  # far from the ids RawServer gives its own requests


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    root = tmp_path_factory.mktemp("fuzz-rpc")
    workspace = root / "ws"
    workspace.mkdir()
    for name, text in OPEN_FILES.items():
        (workspace / name).write_text(text, newline="")
    running = RawServer(workspace, root / "server.log")
    assert "result" in running.initialize()
    for name, text in OPEN_FILES.items():
        running.open(name, text)
    yield running
    running.close()


def uris(server: RawServer) -> list[str]:
    return [(server.workspace / name).as_uri() for name in OPEN_FILES]


# --- strategies --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ints = st.integers(-3, 3) | st.integers(-2**40, 2**40) | st.sampled_from([2**31 - 1, 2**31, -1])
QUERIES = ["//uast:FunctionGroup", "//*", "count(//*)", "//python:ClassDef/@start-line", "0 div 0", "//[", "",
           "//*//*//*"]


def uri_values(server: RawServer) -> st.SearchStrategy[Any]:
    return st.sampled_from([*uris(server), "file:///nowhere/x.py", "untitled:1", "x"]) | json_values


def positions() -> st.SearchStrategy[Any]:
    position = st.fixed_dictionaries({"line": ints | json_values, "character": ints | json_values})
    return st.lists(position, max_size=3) | json_values


def plausible_params(server: RawServer) -> st.SearchStrategy[Any]:
    """Objects with our methods' keys, whose values are right or wrong."""
    document = st.fixed_dictionaries({"uri": uri_values(server)}) | json_values
    return st.fixed_dictionaries({}, optional={
        "textDocument": document, "positions": positions(), "query": st.sampled_from(QUERIES) | json_values,
        "mode": st.sampled_from(["native", "annotated", "semantic", "bogus"]) | json_values,
        "command": st.sampled_from(["bblfsh.query", "no.such.command"]) | json_values,
        "arguments": st.lists(st.sampled_from(QUERIES) | json_values, max_size=3) | json_values,
    })


OMIT = object()  # params left out of the message


def params(server: RawServer) -> st.SearchStrategy[Any]:
    return st.just(OMIT) | plausible_params(server) | json_values


REQUEST_METHODS = ["bblfsh/status", "bblfsh/query", "bblfsh/parse", "textDocument/documentSymbol",
                   "textDocument/foldingRange", "textDocument/selectionRange", "workspace/executeCommand",
                   "textDocument/hover", "no/suchMethod", "$/private"]


def message_id() -> st.SearchStrategy[Any]:
    """A fresh usable id (an integer or a string), never used before in the session."""
    number = next(_ids)
    return st.sampled_from([number, -number, f"id-{number}"]) | st.text(max_size=6).map(lambda s: f"{number}:{s}")


@st.composite
def request(draw: st.DrawFn, server: RawServer) -> dict[str, Any]:
    method = draw(st.sampled_from(REQUEST_METHODS))
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": draw(message_id()), "method": method}
    value = draw(params(server))
    if value is not OMIT:
        message["params"] = value
    return message


@st.composite
def notification(draw: st.DrawFn, server: RawServer, earlier_ids: list[Any]) -> dict[str, Any]:
    uri = draw(uri_values(server))
    point = st.fixed_dictionaries({"line": ints, "character": ints})
    change = st.fixed_dictionaries({"text": st.text(max_size=20) | json_values}, optional={
        "range": st.fixed_dictionaries({"start": point, "end": point}) | json_values})
    method, value = draw(st.sampled_from([
        ("textDocument/didChange", {"textDocument": {"uri": uri, "version": draw(ints)},
                                    "contentChanges": draw(st.lists(change, max_size=3) | json_values)}),
        ("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                   "text": draw(st.text(max_size=40))}}),
        ("textDocument/didClose", {"textDocument": {"uri": uri}}),
        ("$/cancelRequest", {"id": draw(st.sampled_from(earlier_ids) if earlier_ids else json_values)}),
        ("$/setTrace", draw(json_values)),
        ("no/suchNotification", draw(json_values)),
    ]))
    return {"jsonrpc": "2.0", "method": method, "params": value}


@st.composite
def not_a_request(draw: st.DrawFn) -> Any:
    """Bodies that are no JSON-RPC request or notification: answered with an error, or not at all."""
    number = next(_ids)
    return draw(st.sampled_from([
        b"{not json", b"", b"\xff\xfe\x00", json.dumps(draw(json_values)).encode(),
        json.dumps([{"jsonrpc": "2.0", "id": number, "method": "bblfsh/status"}]).encode(),  # a batch
        {"id": number, "method": "bblfsh/status"},  # no "jsonrpc"
        {"jsonrpc": "1.0", "id": number, "method": "bblfsh/status"},
        {"jsonrpc": "2.0", "id": number, "method": draw(json_values.filter(lambda v: not isinstance(v, str)))},
        {"jsonrpc": "2.0", "id": draw(st.booleans() | st.floats() | st.lists(st.integers(), max_size=2)),
         "method": "bblfsh/status"},
        {"jsonrpc": "2.0", "id": number},  # neither a request nor a response
        {"jsonrpc": "2.0", "id": number, "result": draw(json_values)},  # a response nobody asked for
        {"jsonrpc": "2.0", "id": f"e{number}", "error": {"code": -1, "message": "client error"}},
    ]))


@st.composite
def conversation(draw: st.DrawFn, server: RawServer) -> list[Any]:
    messages: list[Any] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["request", "request", "notification", "not-a-request"]))
        if kind == "request":
            messages.append(draw(request(server)))
        elif kind == "notification":
            earlier = [m["id"] for m in messages if isinstance(m, dict) and "method" in m and "id" in m]
            messages.append(draw(notification(server, earlier)))
        else:
            messages.append(draw(not_a_request()))
    return messages


# --- what the server must do ---------------------------------------------------------------------

def usable_id(message: Any) -> bool:
    if not isinstance(message, dict) or "id" not in message:
        return False
    value = message["id"]
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def is_request(message: Any) -> bool:
    return usable_id(message) and "method" in message


def is_client_response(message: Any) -> bool:
    return usable_id(message) and "method" not in message and ("result" in message or "error" in message)


def body_of(message: Any) -> bytes:
    return message if isinstance(message, bytes) else json.dumps(message).encode()


def wait_for_answers(server: RawServer, ids: list[Any]) -> None:
    for msg_id in ids:
        server.wait(msg_id, ANSWER_SECONDS)


@fuzz_settings(ci_examples=400)
@given(data=st.data())
def test_every_request_gets_exactly_one_answer(server: RawServer, data: st.DataObject):
    messages = data.draw(conversation(server))
    start = len(server.messages)
    for message in messages:
        server.send_bytes(frame(body_of(message)))
    requests = [m["id"] for m in messages if is_request(m)]
    wait_for_answers(server, requests)
    assert server.status_answered(ANSWER_SECONDS), "bblfsh/status was not answered afterwards"
    answers = [m for m in server.messages[start:] if "method" not in m]
    for msg_id in requests:
        count = sum(1 for m in answers if m.get("id") == msg_id)
        assert count == 1, f"request {msg_id!r} got {count} answers"
    sent_ids = {m["id"] for m in messages if usable_id(m)} | server.own_ids
    for message in messages:
        if is_client_response(message):
            answered = [m for m in answers if m.get("id") == message["id"]]
            assert not answered, f"a client response was answered: {message}"
        elif usable_id(message) and not is_request(message):
            assert sum(1 for m in answers if m.get("id") == message["id"]) <= 1
    stray = [m for m in answers if m.get("id") is not None and m.get("id") not in sent_ids]
    assert stray == [], f"answers to ids never sent: {stray[:2]}"
    assert server.problems == [], server.problems[:3]
    assert server.alive()


# --- framing junk ----------------------------------------------------------------------------------

SMALL_LENGTH = 400  # a short body announced by junk is completed by the blank lines sent after it
huge_lengths = st.sampled_from([2**40, 10**20, 10**30, 2**28 + 1]) | st.integers(2**28 + 1, 2**64)
length_values = (st.integers(0, SMALL_LENGTH).map(str) | huge_lengths.map(str)
                 | st.sampled_from(["-5", "abc", "", "1e3", "0x10", " 12 ", "٣"]))
header_names = st.sampled_from(["Content-Length", "content-length", "CONTENT-LENGTH", "Content-Type", "X-Junk", ""])


@st.composite
def junk(draw: st.DrawFn) -> tuple[bytes, int]:
    """Bytes that are no well-formed frame, and the most body bytes they may have announced."""
    parts, announced = [], 0
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["header", "header", "short-body", "raw", "long-line"]))
        if kind == "header":
            name, value = draw(header_names), draw(length_values)
            digits = value.strip()
            if digits.isascii() and digits.isdigit() and int(digits) <= SMALL_LENGTH:
                announced += int(digits)
            # always a line end: digits glued after a value would announce another length
            parts.append(f"{name}: {value}".encode("utf-8") + draw(st.sampled_from([b"\r\n", b"\n", b"\r\n\r\n"])))
        elif kind == "short-body":
            body = json.dumps(draw(json_values)).encode()
            declared = draw(st.integers(0, SMALL_LENGTH))
            announced += declared
            parts.append(frame(body[:declared // 2], length=declared))
        elif kind == "raw":
            parts.append(draw(st.binary(max_size=64)))
        else:
            parts.append(b"X-Long: " + b"A" * draw(st.integers(8 * 1024, 64 * 1024)))
    return b"".join(parts), announced


@fuzz_settings(ci_examples=1000)
@given(case=junk())
def test_after_any_framing_junk_the_server_answers_again(server: RawServer, case: tuple[bytes, int]):
    data, announced = case
    server.send_bytes(data)
    # end the junk's last line and header block, and complete whatever short body it announced;
    # what is left over is blank lines between frames
    server.send_bytes(b"\r\n" * (announced + 4))
    assert server.status_answered(ANSWER_SECONDS), f"no answer after {data[:200]!r}"
    assert server.problems == [], server.problems[:3]
    assert server.alive()
