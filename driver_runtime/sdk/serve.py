"""The driver side of the protocol: read a request per line, answer it, never die of one."""

from __future__ import annotations

import base64
import gc
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import attrs
import cattrs

from driver_runtime.sdk import node_table, protocol
from driver_runtime.sdk.documents import KeptDocuments, UnknownDocument
from driver_runtime.sdk.folding import folds_as_data
from driver_runtime.sdk.outline import SymbolKind, symbol_kinds, symbols_as_data
from driver_runtime.sdk.protocol import CloseRequest, EditRequest, ErrorCode, Manifest, ParseRequest, ParseResult
from driver_runtime.sdk.reuse import Moves
from driver_runtime.sdk.text import Text
from driver_runtime.sdk.views import Views, from_scratch

# A full collection now and then is enough: UAST trees hold no reference cycles, so reference
# counting frees them, and the cyclic collector would only add pauses in the middle of a parse.
_COLLECT_EVERY = 200


class Driver(Protocol):
    manifest: Manifest

    def parse(self, request: ParseRequest) -> ParseResult: ...


def _release(driver: Driver) -> None:
    """Let the driver drop what its last answer was built from (optional method `release`) and
    move the statements it reused (optional attribute `moves`: sdk.reuse)."""
    moves = getattr(driver, "moves", None)
    if moves:
        moves.settle()
    release = getattr(driver, "release", None)
    if release is not None:
        release()


def load_manifest(folder: str | Path) -> Manifest:
    data = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return protocol.converter.structure(data, Manifest)


def _params(message: dict, kind: type[Any]) -> Any:
    try:
        return protocol.converter.structure(message.get("params") or {}, kind)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, cattrs.BaseValidationError) else str(exc)
        raise _BadParams(f"bad {message.get('method')} params: {detail}") from None


class _BadParams(ValueError):
    pass


def with_parts(result: ParseResult, parts: tuple[str, ...], data: bytes | Text,
               kinds: dict[str, SymbolKind] | None = None, views: Views | None = None,
               moves: Moves | None = None) -> ParseResult:
    """The result as the request's parts ask for it (protocol 1.3): the tree's node table, its
    outline (`kinds`: the manifest's symbol kinds) and its folds, made here, in the driver's
    process (a host indexing many files would otherwise make them all on one core; an editor
    after a keystroke waits for neither the tree's transfer nor a pass over it), and the tree
    only if asked for too or if the table is irregular (a reader of the table then needs it).
    `views`: the document's, which makes its outline and folds again from its last ones;
    `moves`: the statements the driver reused and has not moved yet (sdk.reuse)."""
    tree = result.uast
    made = {protocol.PART_TABLE, protocol.PART_OUTLINE, protocol.PART_FOLDS}
    if not isinstance(tree, (dict, list)) or made.isdisjoint(parts):
        return result
    text = data if isinstance(data, Text) else Text(data)
    data = text.data
    changes: dict[str, Any] = {}
    keep_tree = protocol.PART_UAST in parts
    if moves and (keep_tree or protocol.PART_TABLE in parts):
        moves.settle()  # the tree is read whole
    if protocol.PART_TABLE in parts:
        table = node_table.build(tree, text.lines.starts, len(data))
        keep_tree = keep_tree or table.irregular
        changes["table"] = base64.b64encode(table.encode()).decode("ascii")
    if isinstance(tree, dict) and not {protocol.PART_OUTLINE, protocol.PART_FOLDS}.isdisjoint(parts):
        if views is not None:
            symbols, found = views.make(tree, text, moves)
        else:
            symbols, found = from_scratch(tree, text, kinds or {}, with_folds=protocol.PART_FOLDS in parts)
        if protocol.PART_OUTLINE in parts:
            changes["outline"] = symbols_as_data(symbols)
        if protocol.PART_FOLDS in parts:
            changes["folds"] = folds_as_data(found)
    elif protocol.PART_OUTLINE in parts or protocol.PART_FOLDS in parts:  # a forest: no outline
        changes.update({part: [] for part in (protocol.PART_OUTLINE, protocol.PART_FOLDS) if part in parts})
    return attrs.evolve(result, uast=tree if keep_tree else None, **changes)


def _answer(driver: Driver, documents: KeptDocuments, message: dict,
            kinds: dict[str, SymbolKind] | None) -> tuple[bytes, ParseResult | None]:
    """The response frame, and the result it was made from (freed only once the frame is sent:
    dropping a large tree takes as long as encoding it, and the caller need not wait for that).
    `kinds`: the manifest's symbol kinds, None for a driver that does not answer parts."""
    request_id = message.get("id")
    method = message.get("method")
    if method == protocol.METHOD_INFO:
        return protocol.result_frame(request_id, driver.manifest), None
    moves: Moves | None = getattr(driver, "moves", None)
    try:
        if method == protocol.METHOD_PARSE:
            parse = _params(message, ParseRequest)
            result = documents.parse(driver, parse)
            if kinds is not None and parse.parts != protocol.DEFAULT_PARTS:
                result = with_parts(result, parse.parts, parse.content.encode("utf-8", "surrogatepass"), kinds,
                                    documents.views(parse.document, kinds), moves)
        elif method == protocol.METHOD_EDIT:
            edit = _params(message, EditRequest)
            result = documents.edit(driver, edit)
            if kinds is not None and edit.parts != protocol.DEFAULT_PARTS:
                result = with_parts(result, edit.parts, documents.text(edit.document), kinds,
                                    documents.views(edit.document, kinds), moves)
        elif method == protocol.METHOD_CLOSE:
            documents.close(_params(message, CloseRequest).document)
            return protocol.result_frame(request_id, None), None
        else:
            return protocol.error_frame(request_id, ErrorCode.UNKNOWN_METHOD, f"unknown method {method!r}"), None
    except _BadParams as exc:
        return protocol.error_frame(request_id, ErrorCode.INVALID_REQUEST, str(exc)), None
    except UnknownDocument as exc:
        return protocol.error_frame(request_id, ErrorCode.UNKNOWN_DOCUMENT, str(exc)), None
    if moves and result.uast is not None:
        moves.settle()  # the tree is sent
    return protocol.result_frame(request_id, result), result


def serve(driver: Driver, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Answer requests until stdin closes."""
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    if stdout is None:
        # Frames own the real stdout; a stray print() from a parser library must not corrupt them.
        sys.stdout = sys.stderr
    gc.disable()
    # Trees as deep as the parser accepts (a long chain of "a + b + ...") are converted and
    # encoded recursively; Python-to-Python calls do not grow the C stack.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    served = 0
    documents = KeptDocuments()
    kinds = symbol_kinds(driver.manifest.symbol_kinds)
    parts = protocol.speaks_parts(driver.manifest.protocol_version)  # else requests' parts go unread
    while True:
        line = source.readline()
        if not line:
            return
        if not line.strip():
            continue
        request_id = None
        spent: ParseResult | None = None
        try:
            message = protocol.decode(line)
            request_id = message.get("id")
            frame, spent = _answer(driver, documents, message, kinds if parts else None)
        except ValueError as exc:
            frame = protocol.error_frame(request_id, ErrorCode.INVALID_REQUEST, f"not a JSON request: {exc}")
        except RecursionError:
            frame = protocol.error_frame(request_id, ErrorCode.UNSUPPORTED, "the syntax tree is nested too deeply")
        except MemoryError:
            frame = protocol.error_frame(request_id, ErrorCode.INTERNAL, "out of memory")
        except Exception as exc:  # a driver bug: report it and keep serving
            detail = "".join(traceback.format_exception_only(exc)).strip()
            print(traceback.format_exc(), file=sys.stderr)
            frame = protocol.error_frame(request_id, ErrorCode.INTERNAL, detail)
        sink.write(frame)
        sink.flush()
        del spent, frame
        _release(driver)
        served += 1
        if served % _COLLECT_EVERY == 0:
            gc.collect()


def main_for(driver: Driver) -> None:
    """Entry point helper for ``python -m <driver>``."""
    try:
        serve(driver)
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        # The runtime went away; nothing to answer to.
        os._exit(0)
    # Stdin closed: every answer is written.  Exit at once: tearing the interpreter down frees
    # every object one by one (the last tree kept, ~10 ms), which a runtime stopping this
    # process would wait for (a command line run pays it at its end).
    sys.stderr.flush()
    os._exit(0)
