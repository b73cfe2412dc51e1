"""Documents a driver keeps between requests (protocol 1.2): the text of each, and whatever its
driver can reuse when the text is edited (tree-sitter's previous tree), so that the host sends
edits instead of whole texts.

Any driver on this kit keeps documents: one without an incremental parser is given the edited
text whole, which still spares the transfer.  A driver that can reuse its previous parse defines

    parse_kept(request, kept, edits) -> (ParseResult, new kept state)

where `kept` is the state it returned for the document's previous text (None for a new one) and
`edits` the edits from that text to request.content (None for a whole text).

The result of the last parse of a kept document is kept too, until another parse: asked again
for the same text and mode (an editor that took the outline first and wants the tree now, with
protocol 1.3's parts), it is answered without parsing again.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import Any

import attrs

from driver_runtime.sdk.outline import SymbolKind
from driver_runtime.sdk.protocol import EditRequest, ParseRequest, ParseResult, TextEdit, apply_edits, document_digest
from driver_runtime.sdk.text import Text
from driver_runtime.sdk.views import Views

# What a driver process keeps at most: the documents an editor has open, not a workspace.
MAX_DOCUMENTS = 64
MAX_BYTES = 64 << 20
# The last result is kept for texts up to this size: a larger one's tree may be hundreds of MB,
# which a driver does not hold between requests (it parses again if asked).
MAX_KEPT_RESULT_BYTES = 1 << 20


class UnknownDocument(LookupError):
    """An edit of a document not kept here, or kept at another text."""


@attrs.define
class Kept:
    data: bytes
    state: Any = None


class KeptDocuments:
    def __init__(self, max_documents: int = MAX_DOCUMENTS, max_bytes: int = MAX_BYTES):
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self._kept: collections.OrderedDict[str, Kept] = collections.OrderedDict()
        self._bytes = 0
        self._last: tuple[str, str, bytes, ParseResult] | None = None  # document, mode, text, result
        self._views: tuple[str, Views] | None = None  # the outline and folds of the document parsed last
        self._text: tuple[str, Text] | None = None  # the text of the document edited last, with its lines

    def __len__(self) -> int:
        return len(self._kept)

    def parse(self, driver: Any, request: ParseRequest) -> ParseResult:
        """A whole text; kept under request.document when it names one."""
        if not request.document:
            return driver.parse(request)
        known = self._kept.get(request.document)
        self._release(request.document)
        data = request.content.encode("utf-8", "surrogatepass")
        # The document's whole text again (a host that sends no edits, or one that lost track):
        # what its driver kept of the last one may still serve (its unchanged parts).
        return self._parse(driver, request, Kept(data, known.state if known is not None else None), None)

    def edit(self, driver: Any, request: EditRequest) -> ParseResult:
        kept = self._kept.get(request.document)
        if kept is None:
            raise UnknownDocument(f"no document {request.document!r} is kept here")
        try:
            data = apply_edits(kept.data, request.edits)
        except ValueError as exc:
            self.close(request.document)
            raise UnknownDocument(f"{exc}: the document {request.document!r} is not the one edited") from None
        if document_digest(data) != request.digest:
            self.close(request.document)
            raise UnknownDocument(f"the document {request.document!r} kept here is not the one edited")
        self._release(request.document)
        text = self._text[1] if self._text is not None and self._text[0] == request.document else None
        if text is not None and text.data == kept.data:
            self._text = (request.document, text.edited(request.edits))
        parse = ParseRequest(content=data.decode("utf-8", "surrogatepass"), filename=request.filename,
                             language=request.language, mode=request.mode, document=request.document)
        return self._parse(driver, parse, Kept(data, kept.state), request.edits)

    def views(self, document: str, kinds: Mapping[str, SymbolKind]) -> Views | None:
        """The views of a kept document (sdk.views), for one document at a time: the one being
        typed in (the others' would hold their trees)."""
        if not document or document not in self._kept:
            return None
        if self._views is None or self._views[0] != document:
            self._views = (document, Views(kinds))
        return self._views[1]

    def text(self, document: str) -> Text:
        """The text kept under a document id with its lines (UnknownDocument if none is): those
        of the document edited last are found again only where an edit changed them."""
        data = self.data(document)
        if self._text is None or self._text[0] != document or self._text[1].data != data:
            self._text = (document, Text(data))
        return self._text[1]

    def data(self, document: str) -> bytes:
        """The text kept under a document id, as UTF-8 (UnknownDocument if none is)."""
        kept = self._kept.get(document)
        if kept is None:
            raise UnknownDocument(f"no document {document!r} is kept here")
        return kept.data

    def close(self, document: str) -> None:
        if self._last is not None and self._last[0] == document:
            self._last = None
        if self._views is not None and self._views[0] == document:
            self._views = None
        if self._text is not None and self._text[0] == document:
            self._text = None
        self._release(document)

    def _release(self, document: str) -> None:
        """Stop counting a document's text (about to be kept again: its last result may serve)."""
        kept = self._kept.pop(document, None)
        if kept is not None:
            self._bytes -= len(kept.data)

    def _parse(self, driver: Any, request: ParseRequest, kept: Kept, edits: list[TextEdit] | None) -> ParseResult:
        last = self._last
        parse_kept = getattr(driver, "parse_kept", None)
        if last is not None and last[0] == request.document and last[1] == request.mode and last[2] == kept.data:
            result = last[3]  # this very text, parsed last: the same answer
        elif parse_kept is None:
            result = driver.parse(request)
        else:
            result, kept.state = parse_kept(request, kept.state, edits)
        self._last = (request.document, request.mode, kept.data, result) \
            if len(kept.data) <= MAX_KEPT_RESULT_BYTES else None
        self._kept[request.document] = kept
        self._bytes += len(kept.data)
        while self._kept and (len(self._kept) > self.max_documents or self._bytes > self.max_bytes):
            _, oldest = self._kept.popitem(last=False)
            self._bytes -= len(oldest.data)
        return result
