"""A server that keeps its registry drivers current: the `driverUpdates` setting.

Every `driverUpdateInterval` seconds a running server asks the registries its drivers came from
(the state records each install's origin and digest) what is newer, off the event loop and
within time limits (`registry_client.newer_versions`: tags and configs, never a layer). Then:

- ``notify`` (the default): one `window/showMessageRequest` per newer version, with the action
  "Update python to 0.1.1"; choosing it runs the editor's `bblfsh.driver.update` path ($/progress,
  the blue/green swap).  A version is offered once per server: dismissed, it is not asked again.
- ``apply``: the server updates on its own, through the same path, and says so with
  `window/showMessage`.  It starts only when no driver is answering a request (or after
  ``MAX_DEFERRAL`` seconds of steady traffic); the swap itself is blue/green, so a request that
  arrives meanwhile is answered by the old driver or the new one, never dropped.
- ``off``: no registry is asked.

A registry that is down, slow or refusing is a log line (`window/logMessage`), one per registry
and kind of failure per check, never a popup; the installed driver keeps serving.  Only the
decisions are here, as plain functions; the server gives the class its means (ask the editor,
update, tell, whether the drivers are idle).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import attrs
from lsprotocol import types

from bblfsh_lsp.settings import DRIVER_UPDATES, Settings
from driver_runtime.errors import PullFailed
from driver_runtime.registry_client import Offer, Outdated, RegistryClient, newer_versions, parse_reference, version_key
from driver_runtime.runtime_names import PROCESS
from driver_runtime.service import NOTICE
from driver_runtime.state import Install, StateStore

log = logging.getLogger(__name__)

OFF, NOTIFY, APPLY = DRIVER_UPDATES
FIRST_CHECK_DELAY = 60.0  # seconds after start-up (or the interval, if shorter): not while the editor opens files
REQUEST_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds per registry request
CHECK_TIMEOUT = 120.0  # a whole check, every registry, at most; a slower one is abandoned (and logged)
MAX_DEFERRAL = 60.0  # apply waits this long at most for drivers with no request running
IDLE_POLL = 0.05

Ask = Callable[[str, list[str]], Awaitable[str | None]]  # (message, actions) -> the action chosen, or None
# (language, source or None: its origin, quiet: the command does not show its failure) -> the result
Update = Callable[[str, str | None, bool], Awaitable[Any]]
Tell = Callable[[int, str], None]  # (logging level, message): NOTICE and above are shown, the rest logged
Check = Callable[[list[Install]], list["Proposal | Failure"]]


@attrs.frozen
class Proposal:
    """A newer version of an installed driver, and how to update to it."""

    language: str
    installed: str  # the installed version
    offer: Offer
    # The tag the driver was installed from names this version now: the update follows it (a
    # driver on `latest` stays on `latest`).  Else it takes the version's own tag.
    follows: bool = False
    # That tag is a version or a digest (it never moves): else it is a moving tag (`latest`,
    # `protocol-1`) that may not have moved yet, as a publisher moves it after the version's tag.
    pinned: bool = True

    @property
    def source(self) -> str | None:
        """What the update is given: None, the tag the driver came from; else the version's tag."""
        return None if self.follows else self.offer.reference

    @property
    def key(self) -> tuple[str, str]:
        return self.language, self.offer.digest

    @property
    def action(self) -> str:
        return f"Update {self.language} to {self.offer.version}"

    @property
    def repository(self) -> str:
        return self.offer.reference.rsplit(":", 1)[0]

    def question(self) -> str:
        return (f"bblfsh-lsp: the {self.language} driver {self.offer.version} is published in {self.repository} "
                f"({self.installed} is installed)")


@attrs.frozen
class Failure:
    """A registry that could not be asked: told once per registry and kind per check."""

    registry: str
    kind: str  # "unreachable", "slow", "denied", "missing", "failing", "other"
    message: str

    @property
    def key(self) -> tuple[str, str]:
        return self.registry, self.kind


_KINDS = (("cannot reach", "unreachable"), ("did not answer within", "slow"), ("refused access", "denied"),
          ("denies access", "denied"), ("is not in the registry", "missing"), ("has no repository", "missing"),
          ("failed to answer", "failing"))


def failure_kind(message: str) -> str:
    """What kind of failure a registry client's message says (one line told per kind per check)."""
    return next((kind for needle, kind in _KINDS if needle in message), "other")


def registry_of(origin: str) -> str:
    try:
        return parse_reference(origin).registry
    except PullFailed:
        return origin


def mode_of(settings: Settings) -> str:
    """The driverUpdates setting; a value that is none of its choices counts as the default."""
    return settings.driver_updates if settings.driver_updates in DRIVER_UPDATES else NOTIFY


def pinned(origin: str) -> bool:
    """Whether an install's origin never moves: a version tag ("...:0.1.0") or a digest."""
    try:
        reference = parse_reference(origin)
    except PullFailed:
        return True
    return bool(reference.digest) or version_key(reference.tag or "") is not None


def decide(results: Iterable[Outdated], follows: Callable[[Install, Offer], bool]) -> list[Proposal | Failure]:
    """Each install's newest compatible offer as a Proposal, and each registry's failures, one per kind.

    ``follows(install, offer)``: whether the tag the install came from names the offer now."""
    out: list[Proposal | Failure] = []
    told: set[tuple[str, str]] = set()
    for result in results:
        install = result.install
        if result.error:
            failure = Failure(registry_of(install.origin), failure_kind(result.error), result.error)
            if failure.key not in told:
                told.add(failure.key)
                out.append(failure)
            continue
        offer = result.newest
        if offer is None:
            continue
        out.append(Proposal(install.language, install.version, offer, follows(install, offer),
                            pinned(install.origin)))
    return out


def look_up(installs: list[Install], client: RegistryClient | None = None) -> list[Proposal | Failure]:
    """What the registries offer for these installs (blocking: a few small requests per registry)."""
    own = client is None
    client = client or RegistryClient(timeout=REQUEST_TIMEOUT)

    def follows(install: Install, offer: Offer) -> bool:
        reference = parse_reference(install.origin)
        if reference.tag is None or reference.digest:
            return False
        try:
            return client.digest(reference) == offer.digest
        except PullFailed:
            return False

    try:
        return decide(newer_versions(installs, client), follows)
    finally:
        if own:
            client.close()


def registry_installs(store: StateStore | None = None) -> list[Install]:
    """The current installs that came from a registry (blocking: reads the state file)."""
    state = (store or StateStore()).load()
    return [entry.current for _language, entry in sorted(state.drivers.items())
            if entry.current.source == "registry" and entry.current.origin]


def pools_idle(pools: Iterable[Any]) -> bool:
    """No driver is answering a request or starting (DriverPool.stats())."""
    return all(stats["busy"] == 0 and stats["starting"] == 0 for stats in (pool.stats() for pool in pools))


async def wait_until_idle(idle: Callable[[], bool], limit: float, poll: float = IDLE_POLL) -> bool:
    """Until ``idle()`` (True) or ``limit`` seconds have passed (False)."""
    deadline = time.monotonic() + limit
    while not idle():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(poll)
    return True


def describe_update(proposal: Proposal, result: Any) -> str:
    """What apply says once it has updated (result: driver_actions.result_data)."""
    current = (result or {}).get("current") or {}
    origin = current.get("origin") or proposal.offer.reference
    return (f"updated the {proposal.language} driver from {proposal.installed} to "
            f"{current.get('version') or proposal.offer.version} ({origin}), as driverUpdates is apply")


class DriverUpdates:
    """The server's updater: a timer, what it asks and applies, and what it has told."""

    def __init__(self, settings: Callable[[], Settings], *, ask: Ask, update: Update, tell: Tell,
                 idle: Callable[[], bool], runtime: Callable[[], str | None],
                 installs: Callable[[], list[Install]] = registry_installs,
                 check: Check = look_up):
        self.settings = settings
        self.ask = ask
        self.update = update
        self.tell = tell
        self.idle = idle
        self.runtime = runtime
        self.installs = installs
        self.check = check
        self.asked: set[tuple[str, str]] = set()  # (language, digest) offered to the user once
        self.deferred: set[tuple[str, str]] = set()  # its moving tag had not moved yet: next check
        self.failed: set[tuple[str, str]] = set()  # apply failed for it: told once, then retried quietly
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._checking: asyncio.Future[Any] | None = None  # the thread of the current check
        self._background: set[asyncio.Task[Any]] = set()
        self._warned_mode = ""
        self._busy = asyncio.Lock()  # one update at a time

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def wake(self) -> None:
        """The settings changed: look at them again now (a new interval or mode counts at once)."""
        self._wake.set()

    async def close(self) -> None:
        tasks = [task for task in (self._task, *self._background) if task is not None]
        self._task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- the timer ------------------------------------------------------------------------------

    async def _run(self) -> None:
        started, last = time.monotonic(), None
        while True:
            # Read at every turn: new settings wake the timer, and a new interval counts at once.
            interval = max(float(self.settings().driver_update_interval), 1.0)
            due = started + min(interval, FIRST_CHECK_DELAY) if last is None else last + interval
            if time.monotonic() < due:
                await self._sleep(due - time.monotonic())
                continue
            last = time.monotonic()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the updater must never take the server down
                log.exception("checking for driver updates failed")
                self.tell(logging.INFO, f"checking for driver updates failed: {exc}")

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def run_once(self) -> list[Proposal | Failure]:
        """One check, and what the mode does with it."""
        settings = self.settings()
        if settings.driver_updates not in DRIVER_UPDATES and self._warned_mode != settings.driver_updates:
            self._warned_mode = settings.driver_updates
            self.tell(logging.WARNING, f"ignoring setting driverUpdates={settings.driver_updates!r}: expected one "
                                       f"of {', '.join(DRIVER_UPDATES)}; {NOTIFY} it is")
        mode = mode_of(settings)
        if mode == OFF or self.runtime() in (None, PROCESS):
            return []  # local processes run the bundled drivers: installed images are not used
        if self._checking is not None and not self._checking.done():
            log.info("the previous look at the driver registries has not ended; skipping this one")
            return []
        installs = await asyncio.to_thread(self.installs)
        if not installs:
            return []
        self._checking = asyncio.ensure_future(asyncio.to_thread(self.check, installs))
        # An abandoned check still ends in its thread: its outcome, even an error, is dropped.
        self._checking.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            found = await asyncio.wait_for(asyncio.shield(self._checking), CHECK_TIMEOUT)
        except TimeoutError:
            self.tell(logging.INFO, f"the driver registries did not answer within {CHECK_TIMEOUT:g} s; "
                                    f"the installed drivers keep serving")
            return []
        for item in found:
            if isinstance(item, Failure):
                self.tell(logging.INFO, f"cannot look for driver updates: {item.message}; "
                                        f"the installed driver keeps serving")
            elif not (item.follows or item.pinned or item.key in self.deferred):
                self.deferred.add(item.key)  # being published: its moving tag comes next, or the version's then
                log.info("%s is published, but %s does not name it yet: again at the next check", item.offer.reference,
                         item.repository)
            elif mode == NOTIFY:
                self._offer(item)
            else:
                await self.apply(item)
        return found

    # --- notify and apply -----------------------------------------------------------------------

    def _offer(self, proposal: Proposal) -> None:
        if proposal.key in self.asked:
            return
        self.asked.add(proposal.key)
        task = asyncio.ensure_future(self._ask(proposal))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _ask(self, proposal: Proposal) -> None:
        """Ask without holding the timer: an editor may leave the question open for hours."""
        try:
            chosen = await self.ask(proposal.question(), [proposal.action])
        except Exception as exc:  # a client that cannot ask: said in the log, as a failure would be
            self.tell(logging.INFO, f"{proposal.question()} (the editor did not ask: {exc}); "
                                    f"bblfsh-lsp driver update {proposal.language}")
            return
        if chosen != proposal.action:
            log.info("not updating %s to %s: the user did not ask", proposal.language, proposal.offer.version)
            return
        async with self._busy:
            with contextlib.suppress(Exception):  # failures are told by the update itself
                await self.update(proposal.language, proposal.source, False)

    async def apply(self, proposal: Proposal) -> Any:
        """Update on its own, once no driver is busy.  A failure is shown the first time, then only
        logged at the checks that retry it."""
        if not await wait_until_idle(self.idle, MAX_DEFERRAL):
            log.info("drivers busy for %g s; updating %s anyway (blue/green)", MAX_DEFERRAL, proposal.language)
        async with self._busy:
            try:
                result = await self.update(proposal.language, proposal.source, True)
            except Exception as exc:  # PullFailed, ManagerError, as the editor's command raises them
                level = logging.INFO if proposal.key in self.failed else logging.WARNING
                self.failed.add(proposal.key)
                self.tell(level, f"could not update the {proposal.language} driver to {proposal.offer.version}: "
                                 f"{exc}; the installed one keeps serving")
                return None
        self.failed.discard(proposal.key)
        if isinstance(result, dict) and result.get("changed"):
            self.tell(NOTICE, describe_update(proposal, result))
        return result


# --- the server's means -------------------------------------------------------------------------


async def ask_editor(server: Any, message: str, actions: list[str]) -> str | None:
    """window/showMessageRequest: the title of the action the user chose, or None."""
    chosen = await server.window_show_message_request_async(types.ShowMessageRequestParams(
        type=types.MessageType.Info, message=message, actions=[types.MessageActionItem(title=title)
                                                               for title in actions]))
    return chosen.title if chosen is not None else None


def for_server(server: Any, update: Update) -> DriverUpdates:
    """The updater of a BblfshServer (its settings, service, notice and requests to the editor;
    duck-typed, as server.py imports this module)."""
    return DriverUpdates(
        lambda: server.settings,
        ask=lambda message, actions: ask_editor(server, message, actions),
        update=update,
        tell=server.notice,
        idle=lambda: server.service is None or pools_idle(server.service.pools()),
        runtime=lambda: server.service.runtime.name if server.service is not None else None,
    )
