"""Driver management for editors: the manager's verbs as JSON-ready results, off the event loop.

The manager is synchronous (it talks to the Docker engine); each verb runs in a thread and its
progress is handed back to the event loop, where the server turns it into $/progress.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bblfsh_lsp.driver_commands import install_data, status_data
from driver_runtime.manager import DriverManager, Result
from driver_runtime.progress import Progress, silent

VERBS = ("list", "build", "install", "update", "rollback", "remove")
# Verbs that change what is installed (the server then follows the change at once).
CHANGING = frozenset(VERBS) - {"list"}


class DriverActionError(ValueError):
    """The arguments of a driver command are wrong."""


def result_data(result: Result) -> dict[str, Any]:
    return {"language": result.language, "changed": result.changed, "current": install_data(result.current),
            "previous": install_data(result.previous), "notes": list(result.notes)}


def _threadsafe(progress: Progress, loop: asyncio.AbstractEventLoop) -> Progress:
    return lambda done, total, message: loop.call_soon_threadsafe(progress, done, total, message)


async def run(verb: str, arguments: list[Any], progress: Progress = silent) -> Any:
    """Run `verb` with editor arguments: list: []; build/rollback/remove: [language];
    install/update: [language, source?] (source: an image reference or a saved image file)."""
    if verb not in VERBS:
        raise DriverActionError(f"unknown driver command {verb!r}")
    manager = DriverManager()
    if verb == "list":
        return [status_data(status) for status in await asyncio.to_thread(manager.list)]
    if not arguments or not isinstance(arguments[0], str):
        raise DriverActionError(f"bblfsh.driver.{verb} takes a language")
    language = arguments[0]
    source = arguments[1] if len(arguments) > 1 and isinstance(arguments[1], str) else None
    report = _threadsafe(progress, asyncio.get_running_loop())
    if verb == "build":
        result = await asyncio.to_thread(manager.build, language, report)
    elif verb == "install":
        result = await asyncio.to_thread(manager.install, language, source, None, report)
    elif verb == "update":
        result = await asyncio.to_thread(manager.update, language, source, report)
    elif verb == "rollback":
        result = await asyncio.to_thread(manager.rollback, language)
    else:
        result = await asyncio.to_thread(manager.remove, language, report)
    return result_data(result)
