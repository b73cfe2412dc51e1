"""$/progress for one long step, as a driver_runtime.progress.Progress callback."""

from __future__ import annotations

import uuid
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer


class LspProgress:
    """Begins on the first report, reports a percentage and a message, ends once."""

    def __init__(self, server: LanguageServer, token: types.ProgressToken, title: str):
        self.server = server
        self.token = token
        self.title = title
        self.begun = False
        self.ended = False

    @classmethod
    async def create(cls, server: LanguageServer, title: str) -> LspProgress | None:
        """A server-initiated progress, if the client supports window/workDoneProgress/create."""
        window = server.client_capabilities.window
        if not (window and window.work_done_progress):
            return None
        token = f"bblfsh-{uuid.uuid4().hex[:12]}"
        try:
            await server.work_done_progress.create_async(token)
        except Exception:  # a client that refuses is no reason to fail the step itself
            return None
        return cls(server, token, title)

    def __call__(self, done: int, total: int, message: str) -> None:
        """Report; a step that reaches its total ends the progress."""
        if self.ended:
            return
        if total and done >= total:
            self.end(message)
            return
        percentage = min(int(100 * done / total), 100) if total else None
        if not self.begun:
            self.begun = True
            self.server.work_done_progress.begin(self.token, types.WorkDoneProgressBegin(
                title=self.title, message=message, percentage=percentage if percentage is not None else 0))
            return
        self.server.work_done_progress.report(
            self.token, types.WorkDoneProgressReport(message=message, percentage=percentage))

    def end(self, message: str) -> None:
        if self.ended:
            return
        if not self.begun:
            self(0, 0, message)
        self.ended = True
        self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))


def report_on(server: LanguageServer, token: Any, title: str) -> LspProgress | None:
    """Progress on a token the client gave with its request (workDoneToken), if any."""
    return LspProgress(server, token, title) if token is not None else None
