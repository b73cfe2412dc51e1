"""Installing drivers: build, install, update, remove driver images, and say what is installed.

The verbs are synchronous (they talk to the container engine and copy hundreds of megabytes;
a server runs them in a thread) and take an optional progress callback (progress.Progress)::

    manager = DriverManager()
    manager.build("python")                                      # from the bundled driver folder
    manager.install("python", "registry.example.com/bblfsh/python-driver:v2")   # pulled by digest
    manager.install("python", "python-driver.tar.gz", runtime="oci")           # a `docker save` file
    manager.update("python")                                     # again from where it came from
    manager.remove("python")
    for status in manager.list(): ...
    manager.publish("python", "127.0.0.1:5000/bblfsh/driver-python")  # :0.1.0, :protocol-1, :latest
    for outdated in manager.outdated(): ...                           # what registries offer that is newer

A registry install looks the reference up first (driver_runtime.registry_client: its digest, its
config's labels, no layers), refuses what is not a compatible driver before anything is pulled,
pulls by that digest (the engine for docker; for the oci runtime alone, the layers straight into
a bundle, no engine needed), checks the image is the one the manifest describes, and refuses it if
the tag moved to another digest meanwhile; whatever it fetched is removed when it fails.

What is installed is recorded in the state file (driver_runtime.state).  Nothing here stops a
running driver: an update records the new image as current and the replaced one as
``previous``; a running server notices the change (``revision()``), starts the new driver
beside the old one and swaps them, or rolls back.

Errors are ManagerError and its subclasses (driver_runtime.errors), with messages meant for users.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from driver_runtime import archives, images, registry_client
from driver_runtime.archives import ArchivedImage
from driver_runtime.errors import (
    BuildFailed,
    BundleError,
    ImageError,
    ManagerError,
    NoEngine,
    NotADriverImage,
    NotInstalled,
    PullFailed,
    UnknownDriver,
)
from driver_runtime.languages import LANGUAGES
from driver_runtime.progress import Progress, silent
from driver_runtime.registry import BUNDLED, CONTAINER_RUNTIMES, Registry
from driver_runtime.registry_client import Outdated, Reference, RegistryClient, RemoteImage
from driver_runtime.runtime_names import DOCKER, OCI, PROCESS
from driver_runtime.runtimes.base import Availability
from driver_runtime.runtimes.docker_engine import describe_engine, make_client
from driver_runtime.sdk.protocol import PROTOCOL_VERSION, Manifest, protocol_compatible
from driver_runtime.state import Entry, Install, StateStore

# A registry reference has one of these; a saved image file is an existing path.
_FILE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the classic builder colours the steps' stderr
ENGINE_TIMEOUT = 900  # seconds an engine call may be silent: build steps can be, for minutes
# Seconds a pull may go without a byte: the engine retries a registry that stopped answering for
# about a minute (5, 10, 15, 20 s apart) before it gives up; we give up sooner, and say why.
PULL_STALL_TIMEOUT = 60.0
_RETRYING = re.compile(r"^Retrying in \d+ seconds?")


@attrs.frozen
class DriverStatus:
    """What ``list()`` says about one language."""

    language: str
    bundled_version: str | None  # the bundled driver's version (None: none is bundled)
    installed: Install | None  # the current install (None: no image is installed)
    previous: Install | None  # what the last update replaced
    runnable: dict[str, Availability]  # "process", "docker", "oci" -> whether it can run there, and why

    @property
    def update_available(self) -> bool:
        """The bundled driver is newer than the image built from it."""
        return (self.installed is not None and self.installed.source == "built" and self.bundled_version is not None
                and self.bundled_version != self.installed.version)


@attrs.frozen
class Published:
    """What ``publish()`` pushed."""

    language: str
    version: str
    image_id: str  # the local image pushed
    reference: str  # REGISTRY/REPO:VERSION
    digest: str  # the manifest digest the registry gives it
    tags: tuple[str, ...]  # the tags now naming it
    notes: tuple[str, ...] = ()  # moving tags kept where they were (a newer version has them), ...


@attrs.frozen
class Result:
    """What a verb did."""

    language: str
    current: Install | None  # the install now current (None after remove)
    previous: Install | None  # the install it replaced (after an update), or the one removed
    changed: bool  # False: nothing to do (the same image was already installed)
    notes: tuple[str, ...] = ()  # things worth telling (an image kept because it is in use, ...)


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def classify_source(source: str | None) -> tuple[str, str]:
    """("built", ""), ("file", absolute path) or ("registry", reference)."""
    if source is None or source == "":
        return "built", ""
    path = Path(source).expanduser()
    if path.exists():
        if path.is_dir():
            raise ManagerError(f"{source} is a folder; give a saved image file (docker save -o FILE IMAGE) "
                               f"or an image reference")
        return "file", str(path.resolve())
    looks_like_path = source.startswith((".", "/", "~")) or source.lower().endswith(_FILE_SUFFIXES)
    if looks_like_path:
        raise ManagerError(f"no such file: {source}")
    if "/" in source or ":" in source or "@" in source:
        return "registry", source
    raise ManagerError(
        f"{source!r} is neither an image file nor an image reference (like registry.example.com/driver-python:1.0)"
    )


def read_saved_images(path: str | os.PathLike[str]) -> list[ArchivedImage]:
    """The images a saved image archive holds, with their labels (nothing is loaded anywhere).

    Reads `docker save` archives (manifest.json, with the config beside it) and OCI image
    layouts (index.json and blobs/), plain or compressed (gzip, bzip2, xz): only their small
    files, in one pass (driver_runtime.archives says what they hold).
    """
    kept: dict[str, bytes] = {}
    budget = 64 << 20
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                name = member.name.removeprefix("./")
                if not member.isfile() or member.size > (4 << 20) or member.size > budget:
                    continue
                if name.endswith(".json") or name.startswith("blobs/") or name in ("repositories", "oci-layout"):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        kept[name] = handle.read()
                        budget -= member.size
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ManagerError(f"{path} is not a saved image (a `docker save` archive, optionally compressed): "
                           f"{exc}") from None
    found: tuple[ArchivedImage, ...] = ()
    if "manifest.json" in kept or "index.json" in kept:
        try:
            found = archives.read_index(kept.get).images
        except BundleError as exc:
            raise ManagerError(f"{path} is not a readable saved image: {exc}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManagerError(f"{path} is not a readable saved image: {exc!r}") from None
    if not found:
        raise ManagerError(f"{path} holds no image (no manifest.json or index.json: it is not a `docker save` archive)")
    return list(found)


def _reference(image: ArchivedImage) -> str | None:
    """The name an archived image is installed under: the first it was saved under that is a whole
    image reference (an OCI layout's ref name may be a bare tag, such as "latest")."""
    return next((tag for tag in image.tags if ":" in tag), None)


def _read_in_chunks(path: str, progress: Progress, message: str) -> Iterator[bytes]:
    total = os.path.getsize(path)
    done = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            done += len(chunk)
            progress(done, total, message)
            yield chunk


@contextlib.contextmanager
def _pulling(reference: Reference) -> Iterator[None]:
    """The registry client's errors, said as what failed: "cannot pull REF: <what the registry did>"."""
    try:
        yield
    except PullFailed as exc:
        raise PullFailed(f"cannot pull {reference}: {exc}") from None


def _runc_availability() -> Availability:
    """Whether runc can run drivers here (a subprocess: list() asks once, not per language)."""
    try:
        from driver_runtime.runtimes.oci import OCIRuntime

        return OCIRuntime.probe()
    except Exception as exc:  # ImportError: the runtime is not part of this installation
        return Availability(False, f"the oci runtime cannot be used: {exc}")


def _engine_reason(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    text = str(explanation or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class DriverManager:
    """Builds, installs, updates and removes driver images; the state file records them.

    ``client`` is a docker.DockerClient (made by docker_engine.make_client when first needed);
    ``bundled`` the bundled drivers; ``state`` the state file; ``bundles`` the OCI bundle
    store (driver_runtime.bundles.BundleStore, made when first needed).
    """

    def __init__(self, *, client: Any = None, bundled: Registry | None = None, state: StateStore | None = None,
                 bundles: Any = None, bundled_folder: Path = BUNDLED, registry_client: RegistryClient | None = None,
                 pull_stall_timeout: float = PULL_STALL_TIMEOUT):
        self._client = client
        self.bundled = bundled if bundled is not None else Registry.bundled(bundled_folder)
        self.state = state if state is not None else StateStore()
        self._bundles = bundles
        self._registry_client = registry_client
        self.pull_stall_timeout = pull_stall_timeout

    # --- what is there ------------------------------------------------------------------

    def list(self) -> list[DriverStatus]:
        """Every bundled or installed driver (a language's own, or one of many languages), and where it can run."""
        state = self.state.load()
        languages = sorted(set(self.bundled.specs) | set(state.drivers))
        client = self._client if self.engine().ok else None
        bundles = self._bundle_store_or_none()
        runc = functools.cache(_runc_availability)  # probed once, and only if an oci bundle is there
        out = []
        for language in languages:
            spec = self.bundled.get(language)
            entry = state.get(language)
            install = entry.current if entry else None
            runnable = {
                PROCESS: Availability(True, "bundled driver") if spec is not None and spec.manifest.command
                else Availability(False, "no bundled driver"),
                DOCKER: self._docker_availability(install, client),
                OCI: self._oci_availability(install, bundles, runc),
            }
            out.append(DriverStatus(language, spec.manifest.version if spec else None, install,
                                    entry.previous if entry else None, runnable))
        return out

    def get(self, language: str) -> Entry | None:
        """The state's record of a language (current and previous install), or None."""
        return self.state.load().get(self.resolve(language))

    def revision(self) -> int:
        """Changes whenever what is installed changes: a server polls it to notice updates."""
        return self.state.revision()

    def registry_client(self) -> RegistryClient:
        """The client that reads registries (tags, manifests, configs; layers for the oci runtime)."""
        if self._registry_client is None:
            self._registry_client = RegistryClient()
        return self._registry_client

    def outdated(self, languages: list[str] | None = None) -> list[Outdated]:
        """For each driver installed from a registry (of ``languages``, or all), the newer versions
        its repository offers, and whether each speaks a protocol this bblfsh-lsp speaks."""
        wanted = {self.resolve(language) for language in languages or ()}
        installs = [entry.current for language, entry in sorted(self.state.load().drivers.items())
                    if not wanted or language in wanted]
        return registry_client.newer_versions(installs, self.registry_client())

    def registry(self, runtime: str) -> Registry:
        """The drivers a runtime can run ("process": bundled; "docker", "oci": installed)."""
        return Registry.for_runtime(runtime, state_file=self.state.path)

    def resolve(self, language: str) -> str:
        """A language's Babelfish name, from any of its names ("py" -> "python")."""
        name = language.strip().lower()
        found = self.bundled.language_for_name(name)
        if found:
            return found
        for known in LANGUAGES:
            if name == known.name or name in known.aliases:
                return known.name
        return name

    def engine(self) -> Availability:
        """Whether a container engine answers."""
        try:
            self.client()
        except NoEngine as exc:
            return Availability(False, str(exc))
        return Availability(True, "engine answers")

    def client(self) -> Any:
        """The docker client, made as the docker runtime makes its own (the environment, the CLI's
        context, ssh), so a driver is installed into the engine that runs it; NoEngine when no
        engine answers."""
        if self._client is not None:
            return self._client
        client = None
        try:
            client = make_client(timeout=ENGINE_TIMEOUT)
            client.ping()
        except ImportError:
            raise NoEngine("the docker Python package is not installed (pip install docker)") from None
        except Exception as exc:  # docker.errors.DockerException, requests' errors, ssh's
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            raise NoEngine(
                f"no container engine answers at {describe_engine(None)} ({_engine_reason(exc)}); start Docker "
                f"(sudo scripts/setup-docker.sh), or install for the oci runtime from an image file "
                f"(--runtime oci --from FILE)"
            ) from None
        self._client = client
        return client

    # --- the verbs ----------------------------------------------------------------------

    def build(self, language: str, progress: Progress = silent, tag: str | None = None) -> Result:
        """Build the image of the bundled driver and record it as installed (source "built").

        ``tag`` names the image (default: bblfsh-lsp/driver-NAME:VERSION).
        """
        language = self.resolve(language)
        entry = self.state.load().get(language)
        runtimes = {DOCKER} | set(entry.current.runtimes if entry else ())
        install = self._acquire(language, "built", "", runtimes, progress, tag=tag)
        return self._record(language, install)

    def install(self, language: str, source: str | None = None, runtime: str | None = None,
                progress: Progress = silent) -> Result:
        """Install a driver image for ``runtime`` ("docker", "oci"; None: docker when an engine
        answers, else oci).

        ``source``: None builds from the bundled driver; a path is a saved image file (`docker
        save`, optionally gzip-compressed); anything else is a registry reference to pull.
        Installing over an installed driver keeps the replaced install as ``previous``.
        """
        language = self.resolve(language)
        kind, origin = classify_source(source)
        if runtime is None:  # a file or a registry needs no engine for oci: the layers are unpacked here
            runtime = DOCKER if kind == "built" or self.engine().ok else OCI
        if runtime not in CONTAINER_RUNTIMES:
            raise ManagerError(f"unknown runtime {runtime!r} (install for docker or oci)")
        entry = self.state.load().get(language)
        runtimes = {runtime} | set(entry.current.runtimes if entry else ())
        install = self._acquire(language, kind, origin, runtimes, progress)
        return self._record(language, install)

    def update(self, language: str, source: str | None = None, progress: Progress = silent) -> Result:
        """Replace an installed driver with a new image, from ``source`` or from where it came.

        The new install becomes current and the replaced one ``previous`` (what a server rolls
        back to); nothing running is stopped.  ``changed`` is False when the image is the same.
        """
        language = self.resolve(language)
        entry = self.state.load().get(language)
        if entry is None:
            raise NotInstalled(f"no {language} driver is installed (bblfsh-lsp driver install {language})")
        current = entry.current
        if source is not None:
            kind, origin = classify_source(source)
        elif current.source == "file":
            raise ManagerError(f"the {language} driver was installed from a file ({current.origin}); "
                               f"give the new file (--from FILE)")
        else:
            kind, origin = current.source, (current.origin if current.source == "registry" else "")
        # A rebuild keeps a name the user chose; the default name follows the new version.
        default_name = f"{images.REPOSITORY_PREFIX}{current.name}:{current.version}"
        tag = current.image if kind == "built" and current.source == "built" and current.image != default_name else None
        install = self._acquire(language, kind, origin, set(current.runtimes), progress, tag=tag)
        return self._record(language, install)

    def prepare(self, language: str, progress: Progress = silent) -> Path | None:
        """Prepare a bundled driver's native parts for the process runtime: run its prepare.sh
        (compile, install packages) into its build folder.  None if it needs nothing.

        The folder is filled under a temporary name and renamed, so a driver never sees half a
        build; the host needs the driver's toolchain (node, go, javac...) installed.
        """
        from driver_runtime.sdk.prepared import build_dir

        language = self.resolve(language)
        spec = self.bundled.get(language)
        if spec is None or spec.folder is None:
            raise UnknownDriver(f"no {language} driver is bundled{self._served_by(language)}")
        script = spec.folder / "prepare.sh"
        if not script.exists():
            return None
        target = build_dir(spec.manifest.name, spec.manifest.version)
        staging = target.with_name(f"{target.name}.preparing-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        progress(0, 0, f"preparing the {language} driver in {target}")
        lines: list[str] = []
        try:
            process = subprocess.Popen(["sh", str(script), str(staging)], cwd=spec.folder, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, errors="replace")
        except OSError as exc:
            raise ManagerError(f"cannot run {script}: {exc}") from None
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            progress(len(lines), 0, line.strip()[:80])
        if process.wait() != 0:
            shutil.rmtree(staging, ignore_errors=True)
            tail = "\n".join(lines[-12:])
            raise BuildFailed(f"preparing the {language} driver failed (exit {process.returncode}):\n{tail}")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        progress(1, 1, f"prepared the {language} driver in {target}")
        return target

    def rollback(self, language: str) -> Result:
        """Make the previous install current again (and the current one previous)."""
        language = self.resolve(language)
        entry = self.state.load().get(language)
        if entry is None:
            raise NotInstalled(f"no {language} driver is installed")
        if entry.previous is None:
            raise ManagerError(f"the {language} driver has no previous install to roll back to")
        missing = self._missing_parts(entry.previous)
        if missing:
            raise ManagerError(f"cannot roll back the {language} driver: {missing}")
        with self.state.transaction() as state:
            now = state.get(language)
            if now is None or now.previous is None:
                raise ManagerError(f"the {language} driver changed meanwhile; nothing rolled back")
            state.drivers[language] = Entry(now.previous, now.current)
        return Result(language, now.previous, now.current, True)

    def remove(self, language: str, progress: Progress = silent) -> Result:
        """Forget an installed driver and remove its images (those its installs created) and bundles.

        An image a container still uses is kept, with a note saying so.
        """
        language = self.resolve(language)
        with self.state.transaction() as state:
            entry = state.drivers.pop(language, None)
            if entry is None:
                raise NotInstalled(f"no {language} driver is installed")
            keep = self._referenced(state)
        progress(0, 0, f"removing the {language} driver")
        notes = []
        for install in (entry.current, entry.previous):
            if install is not None:
                notes += self._discard(install, keep)
        progress(1, 1, f"removed the {language} driver")
        return Result(language, None, entry.current, True, tuple(notes))

    # --- getting an image ---------------------------------------------------------------

    def _acquire(self, language: str, kind: str, origin: str, runtimes: set[str], progress: Progress,
                 tag: str | None = None) -> Install:
        if kind == "built":
            install = self._build(language, progress, tag)
        elif kind == "registry":
            return self._pull(language, origin, runtimes, progress)
        elif DOCKER in runtimes:
            install = self._load(language, origin, progress)
        else:  # a file, for oci only: no engine needed
            return self._import_file(language, origin, progress)
        if OCI in runtimes:
            if kind == "file":
                self._bundle_from_file(origin, install.image_id, progress)
            else:
                self._bundle_from_engine(install, progress)
            install = attrs.evolve(install, runtimes=(DOCKER, OCI))
        return install

    def _served_by(self, language: str) -> str:
        """`, the universal driver parses it (...)` where a bundled driver of many languages does."""
        many = [spec.manifest.name for spec in self.bundled.serving(language) if spec.manifest.languages]
        if not many:
            return ""
        return (f"; the {many[0]} driver parses {language} and needs no preparing "
                f"(`bblfsh-lsp driver install {many[0]}` installs its image for the container runtimes)")

    def _build(self, language: str, progress: Progress, tag: str | None) -> Install:
        spec = self.bundled.get(language)
        if spec is None:
            raise UnknownDriver(
                f"no {language} driver is bundled (bundled: {', '.join(sorted(self.bundled.specs)) or 'none'})"
                f"{self._served_by(language)}; install one from an image: "
                f"bblfsh-lsp driver install {language} --from IMAGE-OR-FILE"
            )
        client = self.client()
        reference = tag or images.image_name(spec.manifest)
        try:
            image_id = images.build(client, spec, progress, tag=reference)
        except ImageError as exc:  # its message ends with the build log's last lines
            raise BuildFailed(_ANSI.sub("", str(exc))) from None
        image = client.images.get(image_id)
        manifest = self._check_driver(language, image.labels, f"the image built from {spec.folder}")
        return Install(language=language, name=manifest.name, version=manifest.version, image=reference,
                       image_id=image.id, source="built", origin=str(spec.folder), runtimes=(DOCKER,),
                       owned=True, manifest=manifest)

    def _pull(self, language: str, origin: str, runtimes: set[str], progress: Progress) -> Install:
        """A driver from a registry, by the digest its reference names now (module docstring)."""
        reference = registry_client.parse_reference(origin)
        registry = self.registry_client()
        progress(0, 0, f"looking up {reference}")
        with _pulling(reference):
            remote = registry.resolve(reference)
        manifest = self._check_driver(language, remote.labels, str(reference))  # before any layer moves
        pinned = reference.pinned(remote.digest)
        undo: list[Callable[[], Any]] = []  # what this pull added, removed again if it fails
        owned = True
        try:
            if DOCKER in runtimes:
                owned = self._engine_pull(pinned, remote, progress)
                if owned:
                    undo.append(functools.partial(self.client().images.remove, str(pinned)))
            if OCI in runtimes:
                store = self._bundle_store()
                if not store.has(remote.config_digest):
                    undo.append(functools.partial(store.remove, remote.config_digest))
                if DOCKER in runtimes:
                    self._bundle_call("import_from_docker", self.client(), remote.config_digest)
                else:
                    with _pulling(reference):
                        self._bundle_from_registry(remote, progress)
            if reference.digest is None:  # pulled by digest; the tag must still name it
                with _pulling(reference):
                    now = registry.digest(reference)
                if now != remote.digest:
                    raise PullFailed(f"cannot pull {reference}: it moved from {remote.digest[:19]} to {now[:19]} "
                                     f"while it was being installed; nothing was installed (install again to get "
                                     f"what it names now)")
        except BaseException:
            for step in reversed(undo):
                with contextlib.suppress(Exception):
                    step()
            raise
        progress(1, 1, f"pulled {pinned}")
        return Install(language=language, name=manifest.name, version=manifest.version, image=str(pinned),
                       image_id=remote.config_digest, source="registry", origin=str(reference),
                       runtimes=tuple(sorted(runtimes)), owned=owned, manifest=manifest, digest=remote.digest)

    def _engine_pull(self, pinned: Reference, remote: RemoteImage, progress: Progress) -> bool:
        """Pull ``pinned`` into the engine unless it is there; check it is the image the registry
        described (its id is its config's digest, so its labels are those read); True if it was pulled."""
        client = self.client()
        name = str(pinned)
        pulled = self._image_id(client, name) is None
        if pulled:
            self._stream_pull(client, pinned, progress)
        try:
            image = client.images.get(name)
        except Exception as exc:
            raise PullFailed(f"cannot pull {name}: {_engine_reason(exc)}") from None
        if image.id != remote.config_digest or (image.labels or {}) != remote.labels:
            if pulled:
                with contextlib.suppress(Exception):
                    client.images.remove(name)
            raise NotADriverImage(f"{name} is not the image its registry manifest describes (the engine has "
                                  f"{_short(image.id)}, the manifest names {_short(remote.config_digest)}); "
                                  f"nothing was installed")
        return pulled

    def _stream_pull(self, client: Any, pinned: Reference, progress: Progress) -> None:
        """`docker pull NAME@DIGEST`, following the engine's progress; stopped, with the registry's
        answer, when no byte arrives for ``pull_stall_timeout`` seconds.

        Made as the docker SDK's ``pull`` makes it, but keeping the response: closing it is what
        makes the engine cancel a pull (the SDK's generator never closes it).
        """
        from docker import auth

        message = f"pulling {pinned}"
        progress(0, 0, message)
        headers = {}
        header = auth.get_config_header(client.api, auth.resolve_repository_name(pinned.name)[0])
        if header:
            headers["X-Registry-Auth"] = header
        layers: dict[str, tuple[int, int]] = {}
        stall = self.pull_stall_timeout
        try:
            response = client.api._post(client.api._url("/images/create"),  # noqa: SLF001 - see the docstring
                                        params={"fromImage": pinned.name, "tag": pinned.digest}, headers=headers,
                                        stream=True, timeout=(10, stall))
            client.api._raise_for_status(response)  # noqa: SLF001
        except Exception as exc:
            raise PullFailed(f"cannot pull {pinned}: {_engine_reason(exc)}") from None
        last = time.monotonic()
        retrying = ""
        try:
            for chunk in client.api._stream_helper(response, decode=True):  # noqa: SLF001
                if "error" in chunk:
                    raise PullFailed(f"cannot pull {pinned}: {str(chunk['error']).strip()}; nothing was installed")
                detail = chunk.get("progressDetail") or {}
                status = str(chunk.get("status") or "")
                if chunk.get("id") and detail.get("total") and status == "Downloading":
                    layer = (int(detail.get("current") or 0), int(detail["total"]))
                    if layers.get(chunk["id"]) != layer:
                        layers[chunk["id"]] = layer
                        last, retrying = time.monotonic(), ""
                    progress(sum(done for done, _ in layers.values()), sum(total for _, total in layers.values()),
                             message)
                elif _RETRYING.match(status):
                    retrying = status
                elif status:
                    last = time.monotonic()  # verifying, extracting: the engine is working
                if retrying and time.monotonic() - last > stall:
                    raise PullFailed(self._stalled(pinned, stall, "the engine keeps retrying"))
        except PullFailed:
            raise
        except Exception as exc:  # a read timeout: the engine said nothing for `stall` seconds
            raise PullFailed(self._stalled(pinned, stall, _engine_reason(exc))) from None
        finally:
            response.close()  # the engine cancels what it still does

    def _stalled(self, pinned: Reference, stall: float, what: str) -> str:
        """Why a pull stopped moving: what the registry answers now, else ``what``."""
        why = what
        try:
            self.registry_client().ping(pinned)
        except PullFailed as exc:
            why = str(exc)
        return f"cannot pull {pinned}: no data for {stall:g} s ({why}); nothing was installed"

    def _bundle_from_registry(self, remote: RemoteImage, progress: Progress) -> None:
        """The image's layers fetched into a scratch OCI layout and unpacked as a bundle (no engine).

        The scratch folder sits in the bundle store, named as its imports are, so that a process
        killed mid-download leaves nothing the store's next import does not sweep away.
        """
        import tempfile

        store = self._bundle_store()
        store.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".import-{os.getpid()}-registry-", dir=store.root) as scratch:
            self.registry_client().download_layout(remote, Path(scratch), progress)
            progress(0, 0, f"unpacking {remote.reference} for oci")
            self._bundle_call("import_image", Path(scratch), expect=remote.config_digest)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, language: str, target: str, image: str | None = None, force: bool = False,
                progress: Progress = silent) -> Published:
        """Push a driver image to ``target`` (REGISTRY/REPO[:TAG]) under its version, the moving tags
        ``protocol-N`` and ``latest``, and TAG if given.

        ``image``: the engine's image to push (default: the installed driver's image, else the
        bundled driver's built image).  A version already published as another image is refused
        unless ``force``; a moving tag stays where it is when it names a newer version.
        """
        language = self.resolve(language)
        client = self.client()
        source = image or self._publishable(language)
        try:
            local = client.images.get(source)
        except Exception as exc:
            raise ManagerError(f"cannot publish {source}: {_engine_reason(exc)} (build it first: "
                               f"bblfsh-lsp driver build {language})") from None
        manifest = self._check_driver(language, local.labels, source)
        reference = registry_client.parse_reference(target)
        if reference.digest:
            raise ManagerError(f"publish to a repository or a tag, not a digest ({target})")
        explicit = reference.tag if ":" in target.rsplit("/", 1)[-1] else None
        registry = self.registry_client()
        version_key = registry_client.version_key(manifest.version)
        plan: list[str] = []  # the tags to push
        naming: list[str] = []  # the tags that name the image once published
        notes: list[str] = []
        for tag in dict.fromkeys([manifest.version, *([explicit] if explicit else []),
                                  registry_client.protocol_tag(manifest.protocol_version), registry_client.LATEST]):
            there = registry.lookup(reference.with_tag(tag))
            naming.append(tag)
            if there is None:
                plan.append(tag)
            elif there.config_digest == local.id:
                continue  # already names this image
            elif tag == manifest.version and not force:
                raise ManagerError(f"{reference.with_tag(tag)} is already published as another image "
                                   f"({_short(there.config_digest)}); publish a new version, or --force to move "
                                   f"the tag")
            elif tag in (explicit, manifest.version):
                plan.append(tag)
            else:
                theirs = there.manifest.version if there.manifest else ""
                their_key = registry_client.version_key(theirs)
                if version_key is not None and their_key is not None and their_key > version_key:
                    notes.append(f"kept {tag} at {theirs} (newer than {manifest.version})")
                    naming.pop()
                else:
                    plan.append(tag)
        for number, tag in enumerate(plan):
            self._push(client, local, reference.with_tag(tag),
                       lambda done, total, message, number=number: progress(number * 100 + (done * 100 // total
                                                                                             if total else 0),
                                                                          len(plan) * 100, message))
        published = registry.resolve(reference.with_tag(manifest.version))
        if published.config_digest != local.id:
            raise ManagerError(f"{reference.with_tag(manifest.version)} names {_short(published.config_digest)} "
                               f"after the push, not {_short(local.id)}: someone else published meanwhile")
        progress(1, 1, f"published {reference.with_tag(manifest.version)}")
        return Published(language, manifest.version, local.id, str(reference.with_tag(manifest.version)),
                         published.digest, tuple(naming), tuple(notes))

    def _publishable(self, language: str) -> str:
        """The image `publish` pushes by default: the installed one (if the engine has it), else the built one."""
        entry = self.state.load().get(language)
        if entry is not None and DOCKER in entry.current.runtimes:
            return entry.current.image_id
        spec = self.bundled.get(language)
        if spec is None:
            raise UnknownDriver(f"no {language} driver is bundled or installed; name the image to publish (--image)")
        return images.image_name(spec.manifest)

    def _push(self, client: Any, local: Any, target: Reference, progress: Progress) -> None:
        """Push ``local`` as ``target``; the engine's name for it is as it was before, after."""
        assert target.tag is not None
        name = str(target)
        before = self._image_id(client, name)
        message = f"pushing {name}"
        progress(0, 0, message)
        layers: dict[str, tuple[int, int]] = {}
        try:
            local.tag(target.name, target.tag)
            for chunk in client.api.push(target.name, tag=target.tag, stream=True, decode=True):
                if "error" in chunk:
                    raise ManagerError(f"cannot publish {name}: {str(chunk['error']).strip()}")
                detail = chunk.get("progressDetail") or {}
                if chunk.get("id") and detail.get("total"):
                    layers[chunk["id"]] = (int(detail.get("current") or 0), int(detail["total"]))
                    progress(sum(done for done, _ in layers.values()), sum(total for _, total in layers.values()),
                             message)
        except ManagerError:
            raise
        except Exception as exc:
            raise ManagerError(f"cannot publish {name}: {_engine_reason(exc)}") from None
        finally:
            with contextlib.suppress(Exception):
                if before is None:
                    client.images.remove(name, noprune=True)  # the name only: the image stays
                elif before != local.id:
                    client.images.get(before).tag(target.name, target.tag)
        progress(1, 1, f"pushed {name}")

    def _saved_driver(self, language: str, path: str) -> tuple[ArchivedImage, Manifest, str]:
        """The language's driver image in a saved image file, its manifest, and the reference it
        is installed under (its tag, else one made from its manifest and id)."""
        saved = read_saved_images(path)
        matching = [(image, manifest) for image in saved
                    if (manifest := images.manifest_from_labels(image.labels)) and manifest.language == language]
        if len(matching) > 1:
            raise ManagerError(f"{path} holds {len(matching)} {language} driver images; save only one")
        if not matching:
            drivers = [manifest.language for image in saved if (manifest := images.manifest_from_labels(image.labels))]
            if drivers:
                raise NotADriverImage(f"{path} holds a {drivers[0]} driver image, not a {language} driver")
            names = ", ".join(_reference(image) or _short(image.image_id) for image in saved)
            raise NotADriverImage(
                f"{path} is not a driver image: {names} has no {images.LABEL_PREFIX}language label "
                f"(see docs/image-spec.md); nothing was installed"
            )
        image, manifest = matching[0]
        self._check_driver(language, image.labels, path)  # the protocol version
        reference = _reference(image) or f"{images.image_name(manifest)}-{_short(image.image_id)}"
        return image, manifest, reference

    def _load(self, language: str, path: str, progress: Progress) -> Install:
        saved, manifest, reference = self._saved_driver(language, path)
        client = self.client()
        before = self._image_id(client, reference)
        message = f"loading {os.path.basename(path)}"
        progress(0, 0, message)
        try:
            for chunk in client.api.load_image(_read_in_chunks(path, progress, message)):
                if "errorDetail" in chunk or "error" in chunk:
                    reason = (chunk.get("errorDetail") or {}).get("message") or chunk.get("error")
                    raise ManagerError(f"cannot load {path}: {reason}")
            image = client.images.get(saved.image_id)
            if _reference(saved) is None:
                image.tag(reference)
        except ManagerError:
            raise
        except Exception as exc:
            raise ManagerError(f"cannot load {path}: {_engine_reason(exc)}") from None
        progress(1, 1, f"loaded {reference}")
        return Install(language=language, name=manifest.name, version=manifest.version, image=reference,
                       image_id=image.id, source="file", origin=path, runtimes=(DOCKER,),
                       owned=before != image.id, manifest=manifest)

    def _import_file(self, language: str, path: str, progress: Progress) -> Install:
        """A saved image file, for the oci runtime only: unpacked as a bundle, no engine needed."""
        saved, manifest, reference = self._saved_driver(language, path)
        self._bundle_from_file(path, saved.image_id, progress)
        return Install(language=language, name=manifest.name, version=manifest.version, image=reference,
                       image_id=saved.image_id, source="file", origin=path, runtimes=(OCI,), owned=True,
                       manifest=manifest)

    def _check_driver(self, language: str, labels: dict[str, str] | None, what: str) -> Manifest:
        manifest = images.manifest_from_labels(labels)
        if manifest is None:
            raise NotADriverImage(f"{what} is not a driver image: it has no {images.LABEL_PREFIX}language label "
                                  f"(see docs/image-spec.md)")
        if manifest.language != language:
            raise NotADriverImage(f"{what} is a {manifest.language} driver, not a {language} driver")
        if not protocol_compatible(manifest.protocol_version or "0"):
            raise NotADriverImage(f"{what} speaks driver protocol {manifest.protocol_version or '(none)'}; "
                                  f"this bblfsh-lsp speaks {PROTOCOL_VERSION}")
        return manifest

    @staticmethod
    def _image_id(client: Any, reference: str) -> str | None:
        try:
            return client.images.get(reference).id
        except Exception:  # ImageNotFound, or a reference the engine cannot parse
            return None

    # --- OCI bundles --------------------------------------------------------------------

    def _bundle_store(self) -> Any:
        """The OCI bundle store (driver_runtime.bundles.BundleStore at paths.bundles_dir())."""
        if self._bundles is None:
            try:
                from driver_runtime.bundles import BundleStore
            except ImportError as exc:
                raise ManagerError(f"the oci runtime is not available in this installation ({exc})") from None
            self._bundles = BundleStore()
        return self._bundles

    def _bundle_store_or_none(self) -> Any:
        try:
            return self._bundle_store()
        except ManagerError:
            return None

    def _bundle_call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        store = self._bundle_store()
        try:
            return getattr(store, method)(*args, **kwargs)
        except ManagerError:
            raise
        except Exception as exc:  # BundleError, OSError (no space, permissions)
            raise ManagerError(f"cannot make the oci bundle: {exc}") from None

    def _bundle_from_file(self, path: str, image_id: str, progress: Progress) -> None:
        message = f"unpacking {os.path.basename(path)} for oci"
        progress(0, 0, message)
        self._bundle_store()  # ManagerError if the oci runtime is not part of this installation
        from driver_runtime.bundles import ChunkReader

        self._bundle_call("import_image", ChunkReader(_read_in_chunks(path, progress, message)), expect=image_id)
        progress(1, 1, f"unpacked {os.path.basename(path)} for oci")

    def _bundle_from_engine(self, install: Install, progress: Progress) -> None:
        progress(0, 0, f"unpacking {install.image} for oci")
        self._bundle_call("import_from_docker", self.client(), install.image_id)
        progress(1, 1, f"unpacked {install.image} for oci")

    # --- the state ----------------------------------------------------------------------

    def _record(self, language: str, install: Install) -> Result:
        """Make ``install`` current; what it replaces becomes previous, what that replaces is discarded."""
        with self.state.transaction() as state:
            entry = state.get(language)
            if entry is None:
                state.drivers[language] = Entry(install)
                changed, previous, dropped = True, None, None
            elif entry.current.image_id == install.image_id:
                # The same image: nothing to swap; keep its history, note new runtimes.
                runtimes = tuple(sorted(set(entry.current.runtimes) | set(install.runtimes)))
                changed = runtimes != tuple(sorted(entry.current.runtimes)) or entry.current.image != install.image
                merged = attrs.evolve(install, runtimes=runtimes,
                                      owned=install.owned or entry.current.owned,
                                      installed_at=install.installed_at if changed else entry.current.installed_at)
                state.drivers[language] = Entry(merged, entry.previous)
                install, previous, dropped = merged, entry.previous, None
            else:
                state.drivers[language] = Entry(install, entry.current)
                changed, previous, dropped = True, entry.current, entry.previous
            keep = self._referenced(state)
        notes = self._discard(dropped, keep) if dropped is not None else []
        return Result(language, install, previous, changed, tuple(notes))

    @staticmethod
    def _referenced(state: Any) -> set[str]:
        """Image ids some record (current or previous, of any language) still uses."""
        ids = set()
        for entry in state.drivers.values():
            for install in (entry.current, entry.previous):
                if install is not None:
                    ids.add(install.image_id)
        return ids

    def _discard(self, install: Install, keep: set[str]) -> list[str]:
        """Remove what an install put on this machine and no record uses any more."""
        if install.image_id in keep:
            return []
        notes = []
        if DOCKER in install.runtimes:
            notes += self._remove_image(install)
        if OCI in install.runtimes:
            store = self._bundle_store_or_none()
            if store is not None:
                try:
                    if store.has(install.image_id):
                        store.remove(install.image_id)
                        notes.append(f"removed the oci bundle of {install.image} ({_short(install.image_id)})")
                except Exception as exc:
                    notes.append(f"kept the oci bundle of {install.image}: {exc}")
        return notes

    def _remove_image(self, install: Install) -> list[str]:
        if not install.owned:
            return [f"kept image {install.image}: it was there before the driver was installed"]
        try:
            client = self.client()
        except NoEngine:
            return [f"kept image {install.image}: no container engine answers"]
        import docker

        try:
            image = client.images.get(install.image_id)
        except docker.errors.ImageNotFound:
            return []
        except Exception as exc:
            return [f"kept image {install.image}: {_engine_reason(exc)}"]
        removed_reference = False
        try:
            if self._image_id(client, install.image) == install.image_id:
                client.images.remove(install.image)  # untags; deletes the image with its last tag
                removed_reference = True
            if self._image_id(client, install.image_id) is not None and not client.images.get(install.image_id).tags:
                client.images.remove(install.image_id)  # an image our reference had moved away from
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                return [f"kept image {install.image} ({_short(image.id)}): it is in use ({_engine_reason(exc)})"]
            return [f"kept image {install.image}: {_engine_reason(exc)}"]
        if self._image_id(client, install.image_id) is None:
            return [f"removed image {install.image} ({_short(install.image_id)})"]
        if removed_reference:
            return [f"removed the reference {install.image} (the image {_short(install.image_id)} has other names)"]
        return [f"kept image {_short(install.image_id)}: it has other names"]

    def _missing_parts(self, install: Install) -> str:
        if DOCKER in install.runtimes:
            engine = self.engine()
            if engine.ok and self._image_id(self.client(), install.image_id) is None:
                return f"its image {install.image} ({_short(install.image_id)}) is gone"
        if OCI in install.runtimes and DOCKER not in install.runtimes:
            store = self._bundle_store_or_none()
            if store is not None and not store.has(install.image_id):
                return f"its oci bundle ({_short(install.image_id)}) is gone"
        return ""

    # --- availability -------------------------------------------------------------------

    def _docker_availability(self, install: Install | None, client: Any) -> Availability:
        if install is None:
            return Availability(False, "no image installed")
        if DOCKER not in install.runtimes:
            return Availability(False, "installed for oci only")
        if client is None:
            return Availability(False, "no container engine answers")
        if self._image_id(client, install.image_id) is None:
            return Availability(False, f"image {_short(install.image_id)} is missing from the engine; reinstall")
        return Availability(True, f"image {_short(install.image_id)}")

    def _oci_availability(self, install: Install | None, bundles: Any,
                          runc: Callable[[], Availability]) -> Availability:
        if install is None:
            return Availability(False, "no image installed")
        if OCI not in install.runtimes:
            return Availability(False, "no oci bundle (install --runtime oci)")
        if bundles is None:
            return Availability(False, "the oci runtime is not available in this installation")
        try:
            present = bundles.has(install.image_id)
        except Exception as exc:
            return Availability(False, f"cannot read the bundle store: {exc}")
        if not present:
            return Availability(False, f"bundle {_short(install.image_id)} is missing; reinstall")
        probe = runc()
        if not probe.ok:
            return Availability(False, probe.reason)
        return Availability(True, f"bundle {_short(install.image_id)}")


__all__ = ["DriverManager", "DriverStatus", "Published", "Result", "classify_source", "read_saved_images"]
