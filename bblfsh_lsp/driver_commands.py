"""`bblfsh-lsp driver ...`: build, install, update and remove driver images.

    bblfsh-lsp driver list [--json]
    bblfsh-lsp driver build (LANG... | --all) [--tag NAME]
    bblfsh-lsp driver install LANG [--from IMAGE-OR-FILE] [--runtime docker|oci]
    bblfsh-lsp driver update (LANG... | --all) [--from IMAGE-OR-FILE]
    bblfsh-lsp driver rollback LANG
    bblfsh-lsp driver remove LANG
    bblfsh-lsp driver publish LANG REGISTRY/REPO[:TAG] [--image IMAGE] [--force]
    bblfsh-lsp driver outdated [LANG...] [--json]

Exit status: 0 done, 1 nothing to do or not found (no such driver, already up to date),
2 error.  Long steps show a progress bar on stderr when it is a terminal, plain lines otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from driver_runtime.errors import ManagerError, NotInstalled, StateError, UnknownDriver
from driver_runtime.runtime_names import DOCKER, OCI, PROCESS

if TYPE_CHECKING:  # the manager (the docker SDK, images, bundles) is imported when a command runs
    from driver_runtime.manager import DriverManager, DriverStatus, Result
    from driver_runtime.state import Install

EXIT_OK, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
_PROG = "bblfsh-lsp"


def add_driver_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `driver list|build|install|update|rollback|remove|publish|outdated` to the CLI's subcommands."""
    driver = subparsers.add_parser(
        "driver", help="build, install, update and remove driver images (for the docker and oci runtimes)",
        description="Manage the driver images the container runtimes run. Exit status: 0 done, "
                    "1 nothing to do or not found, 2 error.",
    )
    verbs = driver.add_subparsers(dest="driver_command", required=True, metavar="VERB")

    listing = verbs.add_parser("list", help="list drivers: bundled, installed, and where each can run")
    listing.add_argument("--json", action="store_true", help="one JSON object per language")
    listing.set_defaults(run=cmd_list)

    build = verbs.add_parser("build", help="build driver images from the bundled drivers (offline)")
    build.add_argument("languages", nargs="*", metavar="LANG")
    build.add_argument("--all", action="store_true", help="every bundled driver")
    build.add_argument("--tag", metavar="NAME",
                       help="name the image (one LANG; default bblfsh-lsp/driver-LANG:VERSION)")
    build.set_defaults(run=cmd_build)

    install = verbs.add_parser(
        "install", help="install a driver image: built here (default), pulled, or loaded from a file",
        description="Install a driver image. Without --from it is built from the bundled driver.",
    )
    install.add_argument("language", metavar="LANG")
    install.add_argument("--from", dest="source", metavar="SOURCE",
                         help="an image reference to pull (registry.example.com/driver-python:1.0) or a saved "
                              "image file (docker save, optionally gzip-compressed)")
    install.add_argument("--runtime", dest="install_runtime", choices=(DOCKER, OCI, PROCESS),
                         help="the runtime to prepare it for (default: docker when an engine answers, else oci); "
                              "process prepares the bundled driver's native parser on this machine")
    install.set_defaults(run=cmd_install)

    update = verbs.add_parser(
        "update", help="replace installed drivers with new images (a running server switches over)",
        description="Rebuild, pull again, or load a new file; the replaced install is kept for a rollback.",
    )
    update.add_argument("languages", nargs="*", metavar="LANG")
    update.add_argument("--all", action="store_true", help="every installed driver")
    update.add_argument("--from", dest="source", metavar="SOURCE", help="the new image (one LANG only)")
    update.set_defaults(run=cmd_update)

    rollback = verbs.add_parser("rollback", help="go back to the install the last update replaced")
    rollback.add_argument("language", metavar="LANG")
    rollback.set_defaults(run=cmd_rollback)

    remove = verbs.add_parser("remove", help="remove an installed driver, its images and bundles")
    remove.add_argument("language", metavar="LANG")
    remove.set_defaults(run=cmd_remove)

    publish = verbs.add_parser(
        "publish", help="push a driver image to a registry, tagged with its version, protocol-N and latest",
        description="Push a driver image (by default the installed one, else the bundled driver's built image) "
                    "under its version; the moving tags protocol-N and latest follow it unless they name a newer "
                    "version. Registry credentials come from the Docker configuration (docker login).",
    )
    publish.add_argument("language", metavar="LANG")
    publish.add_argument("target", metavar="REGISTRY/REPO[:TAG]",
                         help="where to push (127.0.0.1:5000/bblfsh/driver-python); TAG is pushed too")
    publish.add_argument("--image", metavar="IMAGE", help="the engine's image to push (a name or an id)")
    publish.add_argument("--force", action="store_true", help="move the version's tag if it names another image")
    publish.set_defaults(run=cmd_publish)

    outdated = verbs.add_parser(
        "outdated", help="list newer versions the registries offer for drivers installed from them",
        description="Read the registries installed drivers came from (tags and labels; no layers are pulled). "
                    "Exit status 0: something is newer, 1: all up to date, 2: a registry could not be asked.",
    )
    outdated.add_argument("languages", nargs="*", metavar="LANG")
    outdated.add_argument("--json", action="store_true", help="one JSON object per installed driver")
    outdated.set_defaults(run=cmd_outdated)
    return driver


# --- progress ---------------------------------------------------------------------------------


class ProgressReporter:
    """A progress callback for the manager: a tqdm bar on a terminal, else a line per new step."""

    def __init__(self, stream: Any = None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.bar: Any = None  # a tqdm bar, imported when one is shown
        self.last: str | None = None
        self.drawn = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        if self.tty:
            self._draw(done, total, message)
        elif message != self.last:
            step = f"[{done}/{total}] " if 1 < total < 1000 and 0 < done <= total else ""
            print(f"{step}{message}", file=self.stream, flush=True)
        self.last = message

    def _draw(self, done: int, total: int, message: str) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total or None, file=self.stream, leave=False, dynamic_ncols=True,
                            bar_format=self._format(total))
        bar = self.bar
        if (total or None) != bar.total:
            bar.reset(total=total or None)
            bar.bar_format = self._format(total)
        now = time.monotonic()
        if message == self.last and now - self.drawn < 0.1 and done < total:
            return  # at most ten redraws a second
        self.drawn = now
        bar.n = min(done, total) if total else 0
        bar.set_description_str(message[:60], refresh=False)
        bar.refresh()

    @staticmethod
    def _format(total: int) -> str:
        return "{desc} {percentage:3.0f}%|{bar}| {elapsed}" if total else "{desc} {elapsed}"

    def write(self, line: str) -> None:
        """A line on stdout that does not tear the bar."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# --- output -----------------------------------------------------------------------------------


def _short(image_id: str | None) -> str:
    return (image_id or "").removeprefix("sha256:")[:12]


def _describe(install: Install) -> str:
    return f"{install.language} {install.version}: {install.image} ({_short(install.image_id)})"


def _runtimes(install: Install) -> str:
    return ", ".join(install.runtimes)


def _error(message: str) -> None:
    print(f"{_PROG}: {message}", file=sys.stderr)


def _failed(exc: Exception, reporter: ProgressReporter,
            not_found: tuple[type[Exception], ...] = (NotInstalled, UnknownDriver)) -> int:
    """Say why a verb failed (below the bar, which is closed first); its exit status: nothing
    for a `not_found` error, else error."""
    reporter.close()
    _error(str(exc))
    return EXIT_NOTHING if isinstance(exc, not_found) else EXIT_ERROR


def _run(verb: Callable[[DriverManager, ProgressReporter], int]) -> int:
    """Run one manager verb with a reporter; map errors to exit statuses."""
    reporter = ProgressReporter()
    try:
        from driver_runtime.manager import DriverManager

        return verb(DriverManager(), reporter)
    except (ManagerError, StateError) as exc:
        return _failed(exc, reporter)
    finally:
        reporter.close()


def _notes(result: Result, reporter: ProgressReporter) -> None:
    for note in result.notes:
        reporter.write(f"  {note}")


# --- the verbs --------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    try:
        from driver_runtime.manager import DriverManager

        manager = DriverManager()
        statuses = manager.list()
        engine = manager.engine()
    except (ManagerError, StateError) as exc:
        _error(str(exc))
        return EXIT_ERROR
    if args.json:
        for status in statuses:
            sys.stdout.buffer.write(orjson.dumps(status_data(status)) + b"\n")
        return EXIT_OK
    for line in status_table(statuses):
        print(line)
    origins = [f"{status.language}: {source_text(status.installed)}" for status in statuses
               if status.installed is not None and status.installed.source != "built"]
    if origins:  # where images from elsewhere came from (a registry: the reference and the digest pulled)
        print()
        print("\n".join(origins))
    notes = [] if engine.ok else [f"docker: {engine.reason}"]
    for status in statuses:  # why an installed driver cannot run where it was installed for
        for runtime in status.installed.runtimes if status.installed else ():
            availability = status.runnable[runtime]
            if not availability.ok and (engine.ok or runtime != DOCKER):
                notes.append(f"{status.language} on {runtime}: {availability.reason}")
    if notes:
        print()
        print("\n".join(notes))
    return EXIT_OK


def status_table(statuses: list[DriverStatus]) -> list[str]:
    header = ("LANGUAGE", "BUNDLED", "INSTALLED", "IMAGE", "ID", "SOURCE", "INSTALLED AT", "PROCESS", "DOCKER", "OCI")
    rows = [header]
    for status in statuses:
        install = status.installed
        rows.append((
            status.language,
            status.bundled_version or "-",
            (install.version + (" (update)" if status.update_available else "")) if install else "-",
            install.image if install else "-",
            _short(install.image_id) if install else "-",
            install.source if install else "-",
            install.installed_at.replace("T", " ").removesuffix("Z")[:16] if install else "-",
            *("yes" if status.runnable[runtime].ok else "no" for runtime in (PROCESS, DOCKER, OCI)),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def source_text(install: Install) -> str:
    """Where an install came from: the registry reference and the digest it named, the file, the folder."""
    if install.source == "registry":
        return f"pulled from {install.origin}@{install.digest}" if install.digest else f"pulled from {install.origin}"
    if install.source == "file":
        return f"loaded from {install.origin}"
    return f"built from {install.origin}" if install.origin else "built here"


def install_data(install: Install | None) -> dict[str, Any] | None:
    if install is None:
        return None
    return {"name": install.name, "version": install.version, "image": install.image, "image_id": install.image_id,
            "source": install.source, "origin": install.origin, "digest": install.digest or None,
            "installed_at": install.installed_at, "runtimes": list(install.runtimes)}


def status_data(status: DriverStatus) -> dict[str, Any]:
    return {
        "language": status.language,
        "bundled": status.bundled_version,
        "installed": install_data(status.installed),
        "previous": install_data(status.previous),
        "runnable": {name: {"ok": value.ok, "reason": value.reason} for name, value in status.runnable.items()},
    }


def cmd_build(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        languages = _languages(args, sorted(manager.bundled.specs), "bundled")
        if languages is None:
            return EXIT_ERROR
        if args.tag and len(languages) != 1:
            _error("--tag names one image: name one LANG")
            return EXIT_ERROR
        if not languages:
            _error("no driver is bundled")
            return EXIT_NOTHING
        status = EXIT_OK
        for language in languages:
            try:
                result = manager.build(language, reporter, tag=args.tag)
            except ManagerError as exc:
                status = max(status, _failed(exc, reporter, (UnknownDriver,)))
                continue
            reporter.close()
            assert result.current is not None
            done = "built" if result.changed else "built (unchanged)"
            reporter.write(f"{done} {_describe(result.current)}")
            _notes(result, reporter)
        return status

    return _run(verb)


def cmd_install(args: argparse.Namespace) -> int:
    runtime = args.install_runtime
    if runtime is None and getattr(args, "runtime", None) in (DOCKER, OCI):
        runtime = args.runtime  # `bblfsh-lsp --runtime oci driver install ...`

    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        if runtime == PROCESS:
            prepared = manager.prepare(args.language, reporter)
            reporter.close()
            reporter.write(f"prepared the {args.language} driver for the process runtime in {prepared}"
                           if prepared else f"the {args.language} driver needs no preparation for the process runtime")
            return EXIT_OK
        result = manager.install(args.language, args.source, runtime, reporter)
        reporter.close()
        assert result.current is not None
        install = result.current
        origin = "built here" if install.source == "built" else source_text(install)
        if not result.changed:
            reporter.write(f"already installed: {_describe(install)} for {_runtimes(install)}")
            return EXIT_NOTHING
        reporter.write(f"installed {_describe(install)}, {origin}, for {_runtimes(install)}")
        if result.previous is not None:
            reporter.write(f"  it replaces {result.previous.version} ({_short(result.previous.image_id)}); "
                           f"`{_PROG} driver rollback {install.language}` goes back")
        _notes(result, reporter)
        return EXIT_OK

    return _run(verb)


def cmd_update(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        drivers = manager.state.load().drivers
        languages = _languages(args, sorted(drivers), "installed")
        if languages is None:
            return EXIT_ERROR
        if args.source and len(languages) != 1:
            _error("--from updates one driver: name one LANG")
            return EXIT_ERROR
        if not languages:
            _error("no driver is installed")
            return EXIT_NOTHING
        worst, changed = EXIT_OK, False  # worst: of the failures
        for language in languages:
            if args.all and drivers[language].current.source == "file":
                reporter.write(f"skipped {language}: it was installed from a file; "
                               f"update it with `{_PROG} driver update {language} --from FILE`")
                continue
            try:
                result = manager.update(language, args.source, reporter)
            except ManagerError as exc:
                worst = max(worst, _failed(exc, reporter, (NotInstalled,)))
                continue
            reporter.close()
            assert result.current is not None
            if not result.changed:
                reporter.write(f"up to date: {_describe(result.current)}")
                continue
            changed = True
            old = result.previous
            reporter.write(f"updated {result.current.language}: "
                           + (f"{old.version} ({_short(old.image_id)}) -> " if old else "")
                           + f"{result.current.version} ({_short(result.current.image_id)}); "
                           + "a running server switches to it")
            _notes(result, reporter)
        return max(worst, EXIT_OK if changed else EXIT_NOTHING)

    return _run(verb)


def cmd_rollback(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        result = manager.rollback(args.language)
        assert result.current is not None
        reporter.write(f"rolled back to {_describe(result.current)}")
        return EXIT_OK

    return _run(verb)


def cmd_remove(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        result = manager.remove(args.language)  # quick: no progress to show
        assert result.previous is not None
        reporter.write(f"removed the {result.language} driver ({result.previous.image})")
        _notes(result, reporter)
        return EXIT_OK

    return _run(verb)


def cmd_publish(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        published = manager.publish(args.language, args.target, image=args.image, force=args.force,
                                    progress=reporter)
        reporter.close()
        reporter.write(f"published {published.language} {published.version} ({_short(published.image_id)}) as "
                       f"{published.reference}@{published.digest}")
        reporter.write(f"  tags: {', '.join(published.tags)}")
        for note in published.notes:
            reporter.write(f"  {note}")
        return EXIT_OK

    return _run(verb)


def cmd_outdated(args: argparse.Namespace) -> int:
    def verb(manager: DriverManager, reporter: ProgressReporter) -> int:
        found = manager.outdated(args.languages or None)
        if args.json:
            for item in found:
                sys.stdout.buffer.write(orjson.dumps(outdated_data(item)) + b"\n")
        elif not found:
            reporter.write("no driver is installed from a registry")
        for item in found if not args.json else ():
            install = item.install
            if item.error:
                _error(f"{install.language}: {item.error}")
            elif item.newest is None:
                reporter.write(f"{install.language} {install.version}: up to date ({install.origin})"
                               + (f"; newer, for another protocol: {', '.join(o.version for o in item.offers)}"
                                  if item.offers else ""))
            else:
                others = ", ".join(f"{offer.version} (protocol {offer.protocol_version})"
                                   for offer in item.offers if not offer.compatible)
                reporter.write(f"{install.language} {install.version} -> {item.newest.version}: "
                               f"{_PROG} driver update {install.language} --from {item.newest.reference}"
                               + (f" (not for this bblfsh-lsp: {others})" if others else ""))
        if any(item.error for item in found):
            return EXIT_ERROR
        return EXIT_OK if any(item.newest for item in found) else EXIT_NOTHING

    return _run(verb)


def outdated_data(item: Any) -> dict[str, Any]:
    return {"language": item.install.language, "installed": item.install.version, "origin": item.install.origin,
            "digest": item.install.digest or None, "error": item.error or None,
            "newest": item.newest.version if item.newest else None,
            "offers": [{"version": offer.version, "reference": offer.reference, "digest": offer.digest,
                        "protocol_version": offer.protocol_version, "compatible": offer.compatible}
                       for offer in item.offers]}


def _languages(args: argparse.Namespace, every: list[str], what: str) -> list[str] | None:
    """The languages a verb acts on: those named, or with --all every one (None: a usage error)."""
    if args.all and args.languages:
        _error("give LANG... or --all, not both")
        return None
    if args.all:
        return list(every)
    if not args.languages:
        _error(f"name a language (LANG), or --all for every {what} driver")
        return None
    return list(args.languages)
