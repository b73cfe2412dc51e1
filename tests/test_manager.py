"""The driver manager and `bblfsh-lsp driver ...`, against the real container engine.

Tests that need the engine skip when none answers, and fail instead when
BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI).  Every test uses its own data folder (BBLFSH_LSP_DATA), so
the user's installed drivers are untouched.  One image is built for the whole module and only
copies of it, tagged ...:test-<pid>-*, are ever removed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import REPO, engine_with_base_image

from driver_runtime import images, paths
from driver_runtime.errors import (
    BuildFailed,
    ManagerError,
    NoEngine,
    NotADriverImage,
    NotInstalled,
    PullFailed,
    StateError,
    UnknownDriver,
)
from driver_runtime.manager import DriverManager, read_saved_images
from driver_runtime.registry import Registry
from driver_runtime.runtimes.docker import DockerRuntime
from driver_runtime.state import FORMAT, Entry, Install, StateStore

PREFIX = f"bblfsh-lsp/driver-python:test-{os.getpid()}"
TAG = PREFIX  # the image the module builds (a copy of bblfsh-lsp/driver-python:0.1.0)
KEEP = f"{PREFIX}-keep"  # holds the image while tests remove their tags
FILE_TAG = f"{PREFIX}-file"
V2_TAG = f"{PREFIX}-v2"
V3_TAG = f"{PREFIX}-v3"
NOWHERE = "unix:///nonexistent/docker.sock"


@pytest.fixture(scope="module")
def client():
    engine = engine_with_base_image()
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def image_id(client) -> str:
    """The Python driver's image, built once for the module."""
    spec = Registry.bundled().get("python")
    built = images.build(client, spec, tag=TAG)
    client.images.get(built).tag(KEEP)
    yield built
    for tag in (TAG, FILE_TAG, V2_TAG, V3_TAG, KEEP):
        try:
            client.images.remove(tag)
        except Exception:
            pass


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_ENV, str(folder))
    return folder


def _tag_exists(client, tag: str) -> bool:
    import docker

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def _save(client, tag: str, path: Path, compress: bool = False) -> Path:
    """`docker save TAG` to a file, with the SDK."""
    opener = gzip.open(path, "wb", compresslevel=1) if compress else open(path, "wb")
    with opener as out:
        for chunk in client.images.get(tag).save(named=tag):
            out.write(chunk)
    return path


# --- build, list, remove --------------------------------------------------------------------


def test_build_list_remove_round_trip(client, image_id: str, data: Path):
    manager = DriverManager()
    steps = []
    result = manager.build("python", progress=lambda done, total, message: steps.append((done, total, message)),
                           tag=TAG)
    install = result.current
    assert result.changed and result.previous is None
    assert (install.language, install.name, install.version, install.source) == ("python", "python", "0.1.0", "built")
    assert (install.image, install.image_id, install.runtimes) == (TAG, image_id, ("docker",))
    assert install.origin.endswith("drivers/python") and install.manifest.extensions == [".py", ".pyi", ".pyw"]
    assert any(total > 1 and message.startswith(("RUN", "COPY")) for _done, total, message in steps)

    status = python_status(manager)
    assert status.language == "python" and status.bundled_version == "0.1.0" and status.installed == install
    assert {name: value.ok for name, value in status.runnable.items()} == {"process": True, "docker": True, "oci": False}

    # What the runtimes get: bundled drivers for "process", the installed image for "docker".
    spec = Registry.for_runtime("docker").get("python")
    assert (spec.image, spec.digest, spec.folder) == (TAG, image_id, None)
    assert spec.manifest.interpreters == Registry.bundled().get("python").manifest.interpreters  # from its labels
    assert Registry.for_runtime("oci").get("python") is None
    assert Registry.for_runtime("process").get("python").folder == Registry.bundled().get("python").folder

    result = manager.remove("py")  # any of the language's names
    assert result.current is None and result.previous == install
    assert result.notes == (f"removed the reference {TAG} (the image {image_id[7:19]} has other names)",)
    assert not _tag_exists(client, TAG) and _tag_exists(client, KEEP)
    assert manager.get("python") is None and manager.list()[0].installed is None
    with pytest.raises(NotInstalled, match="no python driver is installed"):
        manager.remove("python")


def test_a_failed_build_shows_the_end_of_its_log(client, data: Path, tmp_path: Path):
    folder = tmp_path / "drivers" / "broken"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"name": "broken", "language": "broken", "version": "0.0.1"}))
    (folder / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\nRUN echo 'no compiler here' >&2 && exit 3\n")
    manager = DriverManager(bundled_folder=tmp_path / "drivers")
    with pytest.raises(BuildFailed) as failed:
        manager.build("broken", tag=f"{PREFIX}-broken")
    message = str(failed.value)
    assert message.startswith(f"building {PREFIX}-broken failed: The command '/bin/sh -c echo 'no compiler here' >&2 "
                              f"&& exit 3' returned a non-zero code: 3")
    assert "\nno compiler here\n" in message and "\x1b" not in message  # the log's last lines, uncoloured
    assert manager.get("broken") is None


# --- install from a file, from a registry ----------------------------------------------------


@pytest.fixture(scope="module")
def saved_file(client, image_id: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The driver image saved (gzip-compressed) under FILE_TAG, which is then removed."""
    client.images.get(image_id).tag(FILE_TAG)
    path = _save(client, FILE_TAG, tmp_path_factory.mktemp("saved") / "driver-python.tar.gz", compress=True)
    client.images.remove(FILE_TAG)
    return path


def test_install_from_a_saved_image_file(client, image_id: str, saved_file: Path, data: Path):
    assert not _tag_exists(client, FILE_TAG)
    (saved,) = read_saved_images(saved_file)
    assert (saved.image_id, saved.tags) == (image_id, (FILE_TAG,))

    manager = DriverManager()
    result = manager.install("python", str(saved_file))
    install = result.current
    assert (install.source, install.origin, install.image, install.image_id) == ("file", str(saved_file), FILE_TAG,
                                                                                   image_id)
    assert install.owned and install.runtimes == ("docker",) and install.version == "0.1.0"
    assert client.images.get(FILE_TAG).id == image_id  # the image is back
    record = json.loads(paths.state_file().read_text())["drivers"]["python"]
    assert (record["source"], record["image"], record["image_id"], record["previous"]) == ("file", FILE_TAG, image_id,
                                                                                           None)
    # The same file again: nothing to do.
    assert not manager.install("python", str(saved_file)).changed
    # An update of a driver installed from a file needs the new file.
    with pytest.raises(ManagerError, match="installed from a file"):
        manager.update("python")
    manager.remove("python")
    assert not _tag_exists(client, FILE_TAG)


def test_a_file_that_is_not_a_driver_image_is_refused(client, data: Path, tmp_path: Path):
    base = _save(client, images.BASE_IMAGE, tmp_path / "base.tar")
    manager = DriverManager()
    with pytest.raises(NotADriverImage) as refused:
        manager.install("python", str(base))
    assert str(refused.value) == (f"{base} is not a driver image: {images.BASE_IMAGE} has no "
                                  f"org.bblfsh-lsp.driver.language label (see docs/image-spec.md); nothing was installed")
    assert manager.get("python") is None and not paths.state_file().exists()


def test_a_driver_image_for_another_language_is_refused(data: Path, tmp_path: Path):
    """(No engine needed: the file is read before anything is loaded.)"""
    config = json.dumps({"config": {"Labels": {images.LABEL_PREFIX + "language": "go",
                                                images.LABEL_PREFIX + "name": "go",
                                                images.LABEL_PREFIX + "version": "1.0"}}}).encode()
    path = tmp_path / "go-driver.tar"
    with tarfile.open(path, "w") as tar:
        for name, content in (("config.json", config),
                              ("manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["x/go:1"],
                                                             "Layers": []}]).encode())):
            member = tarfile.TarInfo(name)
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
    with pytest.raises(NotADriverImage, match=f"^{path} holds a go driver image, not a python driver$"):
        DriverManager().install("python", str(path))
    (tmp_path / "notes.txt").write_text("not an image\n")
    with pytest.raises(ManagerError, match="is not a saved image"):
        DriverManager().install("python", str(tmp_path / "notes.txt"))
    with pytest.raises(ManagerError, match="^no such file: ./missing.tar$"):
        DriverManager().install("python", "./missing.tar")


def test_install_from_an_unreachable_registry_says_why(client, data: Path):
    reference = "registry.invalid/bblfsh/python-driver:v2"
    with pytest.raises(PullFailed) as failed:
        DriverManager().install("python", reference)
    message = str(failed.value)
    assert message.startswith(f"cannot pull {reference}: ") and "registry.invalid" in message
    assert "\n" not in message and not paths.state_file().exists()


def test_without_an_engine_the_errors_say_so(data: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    manager = DriverManager()
    with pytest.raises(NoEngine, match=f"^no container engine answers at {NOWHERE} "):
        manager.build("python")
    with pytest.raises(UnknownDriver, match="no bash driver is bundled"):
        manager.build("bash")
    status = python_status(manager)
    assert status.runnable["process"].ok and not status.runnable["docker"].ok


def test_drivers_are_installed_into_the_engine_that_runs_them(data: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """The manager makes its client as the docker runtime does: the CLI's current context counts
    for both (no engine needed: the context's is one that does not answer)."""
    endpoint = "unix:///nonexistent/context.sock"
    config = tmp_path / "docker-config"
    meta = config / "contexts" / "meta" / hashlib.sha256(b"elsewhere").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": "elsewhere", "Metadata": {},
                                                "Endpoints": {"docker": {"Host": endpoint, "SkipTLSVerify": False}}}))
    (config / "config.json").write_text(json.dumps({"currentContext": "elsewhere"}))
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    with pytest.raises(NoEngine, match=f"^no container engine answers at {endpoint} "):
        DriverManager().build("python")
    probe = DockerRuntime.probe()
    assert not probe.ok and probe.reason.startswith(f"no Docker engine answers at {endpoint}: ")


# --- update, rollback ---------------------------------------------------------------------------


def _newer(client, image_id: str, version: str, tag: str, folder: Path) -> tuple[str, Path]:
    """A "newer" driver image (one more label layer), saved under ``tag``, then removed."""
    dockerfile = f"FROM {image_id}\nLABEL {images.LABEL_PREFIX}version={version}\n".encode()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        member = tarfile.TarInfo("Dockerfile")
        member.size = len(dockerfile)
        tar.addfile(member, io.BytesIO(dockerfile))
    context.seek(0)
    image, _log = client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True)
    path = _save(client, tag, folder / f"driver-python-{version}.tar")
    client.images.remove(tag)  # its last name: the image goes; installing the file brings it back
    return image.id, path


@pytest.fixture(scope="module")
def v2_file(client, image_id: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return _newer(client, image_id, "0.1.1", V2_TAG, tmp_path_factory.mktemp("v2"))


def test_update_keeps_the_previous_install(client, image_id: str, saved_file: Path, v2_file, data: Path,
                                           tmp_path: Path):
    v2_id, v2_path = v2_file
    manager = DriverManager()
    first = manager.install("python", str(saved_file)).current
    revision = manager.revision()

    result = manager.update("python", str(v2_path))
    assert result.changed and result.previous == first
    assert (result.current.version, result.current.image_id, result.current.image) == ("0.1.1", v2_id, V2_TAG)
    assert manager.revision() > revision
    assert manager.get("python") == Entry(result.current, first)
    record = json.loads(paths.state_file().read_text())["drivers"]["python"]
    assert (record["image_id"], record["previous"]["image_id"]) == (v2_id, image_id)
    assert Registry.for_runtime("docker").get("python").digest == v2_id  # what a server swaps to

    # The same image again changes nothing (and keeps the history).
    revision = manager.revision()
    again = manager.update("python", str(v2_path))
    assert not again.changed and manager.revision() == revision and manager.get("python").previous == first

    # A failed swap goes back, and forth.
    back = manager.rollback("python")
    assert (back.current, back.previous) == (first, result.current)
    assert Registry.for_runtime("docker").get("python").digest == image_id
    assert manager.rollback("python").current == result.current

    # One more update: the install two steps back is discarded (here only its name: the image has others).
    v3_id, v3_path = _newer(client, image_id, "0.1.2", V3_TAG, tmp_path)
    third = manager.update("python", str(v3_path))
    assert (third.current.image_id, third.previous) == (v3_id, result.current)
    assert third.notes == (f"removed the reference {FILE_TAG} (the image {image_id[7:19]} has other names)",)
    assert not _tag_exists(client, FILE_TAG) and _tag_exists(client, V2_TAG)

    # Removing removes both installs' images (they had no other names: they are deleted).
    notes = manager.remove("python").notes
    assert notes == (f"removed image {V3_TAG} ({v3_id[7:19]})", f"removed image {V2_TAG} ({v2_id[7:19]})")
    assert not _tag_exists(client, v2_id) and not _tag_exists(client, v3_id) and _tag_exists(client, KEEP)


def test_remove_keeps_an_image_a_container_uses(client, v2_file, data: Path):
    v2_id, v2_path = v2_file
    manager = DriverManager()
    manager.install("python", str(v2_path))
    container = client.containers.create(V2_TAG, labels={"org.bblfsh-lsp.test": str(os.getpid())})
    try:
        (note,) = manager.remove("python").notes
        assert note.startswith(f"kept image {V2_TAG} ({v2_id[7:19]}): it is in use (")
        assert manager.get("python") is None and _tag_exists(client, V2_TAG)  # forgotten, not deleted
    finally:
        container.remove(force=True)
        client.images.remove(V2_TAG)


def test_update_needs_an_installed_driver(data: Path):
    with pytest.raises(NotInstalled, match=r"no python driver is installed \(bblfsh-lsp driver install python\)"):
        DriverManager().update("python")


# --- the state file -----------------------------------------------------------------------------


def _install(version: str, image_id: str) -> Install:
    return Install(language="python", name="python", version=version, image=f"x/python:{version}",
                   image_id=image_id, source="registry", origin=f"x/python:{version}")


_CRASHING_WRITER = """
import os, sys
from driver_runtime.state import Entry, Install, StateStore
store = StateStore()
def crash(*args):
    os._exit(9)  # killed between writing the new document and putting it in place
setattr(os, sys.argv[1], crash)
with store.transaction() as state:
    state.drivers["python"] = Entry(Install(language="python", name="python", version="9", image="x/python:9",
                                            image_id="sha256:" + "9" * 64, source="registry"))
"""


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_the_state_file_survives_a_crash_while_writing(data: Path, where: str):
    store = StateStore()
    with store.transaction() as state:
        state.drivers["python"] = Entry(_install("1", "sha256:" + "1" * 64))
    before = store.path.read_bytes()

    crashed = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, where], env=os.environ | {}, cwd=REPO,
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    assert store.path.read_bytes() == before  # the old document, whole
    assert store.load().get("python").current.version == "1"
    leftovers = list(data.glob(".drivers.json.*.tmp"))
    assert leftovers  # what the crashed writer left ...
    with store.transaction() as state:
        state.drivers["python"] = Entry(_install("2", "sha256:" + "2" * 64), state.drivers["python"].current)
    assert not list(data.glob(".drivers.json.*.tmp"))  # ... is cleaned up by the next writer
    assert store.load().get("python").previous.version == "1" and store.revision() == 2

    # A writer that fails before the end writes nothing.
    with pytest.raises(RuntimeError), store.transaction() as state:
        state.drivers.clear()
        raise RuntimeError("interrupted")
    assert store.load().get("python").current.version == "2"


def test_a_corrupt_state_file_gives_a_clear_error(data: Path):
    path = paths.state_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "drivers": {"python": {"image": ')
    with pytest.raises(StateError) as corrupt:
        DriverManager().list()
    assert str(corrupt.value).startswith(f"the installed-drivers file {path} is corrupt (not JSON: ")
    assert "delete it, then install the drivers again" in str(corrupt.value)
    with pytest.raises(StateError, match="is corrupt"):
        Registry.for_runtime("docker")

    path.write_text(json.dumps({"format": 1, "drivers": {"python": {"version": "1"}}}))
    with pytest.raises(StateError, match=r"corrupt \(the record of 'python' lacks language, name, image, image_id"):
        StateStore().load()
    path.write_text(json.dumps({"format": FORMAT + 1, "drivers": {}}))
    with pytest.raises(StateError, match=f"has format {FORMAT + 1}, newer than this bblfsh-lsp understands"):
        StateStore().load()


# --- OCI bundles --------------------------------------------------------------------------------


def test_oci_install_from_a_file_makes_a_bundle_without_the_engine(client, saved_file: Path, image_id: str, data: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("driver_runtime.bundles", reason="driver_runtime/bundles.py is not there yet")
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)  # a machine without docker
    manager = DriverManager()
    result = manager.install("python", str(saved_file), runtime="oci")
    install = result.current
    assert (install.runtimes, install.image_id, install.source) == (("oci",), image_id, "file")
    assert manager._bundle_store().has(image_id)
    status = python_status(manager)
    assert status.runnable["oci"].ok and not status.runnable["docker"].ok
    assert Registry.for_runtime("oci").get("python").digest == image_id
    assert Registry.for_runtime("docker").get("python") is None

    # With an engine again, a build of the same image prepares it for docker too.
    monkeypatch.delenv("DOCKER_HOST")
    manager = DriverManager()
    result = manager.build("python", tag=TAG)
    assert result.changed and result.previous is None  # the same image: no swap, one more runtime
    assert result.current.runtimes == ("docker", "oci") and result.current.source == "built"
    status = python_status(manager)
    assert status.runnable["oci"].ok and status.runnable["docker"].ok
    assert manager.update("python").changed is False  # rebuilt under its own name: the same image

    notes = manager.remove("python").notes
    assert f"removed the oci bundle of {TAG} ({image_id[7:19]})" in notes
    assert not manager._bundle_store().has(image_id) and not _tag_exists(client, TAG)


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in members.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            member.mode = 0o755
            tar.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


def test_oci_install_needs_no_engine(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A saved image made by hand (one layer, driver labels), on a machine without docker."""
    pytest.importorskip("driver_runtime.bundles", reason="driver_runtime/bundles.py is not there yet")
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    layer = _tar({"opt/driver/run": b"#!/bin/sh\n"})
    manifest = Registry.bundled().get("python").manifest
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/opt/driver/run"], "User": "10001:10001", "Labels": images.labels(manifest)},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }).encode()
    image_id = "sha256:" + hashlib.sha256(config).hexdigest()
    archive = tmp_path / "handmade.tar.gz"
    archive.write_bytes(gzip.compress(_tar({
        "layer/layer.tar": layer, f"{image_id[7:]}.json": config,
        "manifest.json": json.dumps([{"Config": f"{image_id[7:]}.json", "RepoTags": ["example/driver-python:9"],
                                      "Layers": ["layer/layer.tar"]}]).encode(),
    })))

    manager = DriverManager()
    install = manager.install("python", str(archive)).current  # no engine: for oci
    assert (install.runtimes, install.image_id, install.image, install.source) == (("oci",), image_id,
                                                                                  "example/driver-python:9", "file")
    assert manager._bundle_store().get(image_id).args == ["/opt/driver/run"]
    assert Registry.for_runtime("oci").get("python").digest == image_id
    status = python_status(manager)
    assert status.runnable["docker"].reason == "installed for oci only"
    assert manager.remove("python").notes == (f"removed the oci bundle of example/driver-python:9 ({image_id[7:19]})",)
    assert not manager._bundle_store().has(image_id)


# --- the command line ---------------------------------------------------------------------------

_RUNNER = """
import argparse, sys
from bblfsh_lsp.driver_commands import add_driver_commands
parser = argparse.ArgumentParser(prog="bblfsh-lsp")
parser.add_argument("--runtime", default="auto")
add_driver_commands(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args))
"""


def driver(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`bblfsh-lsp driver ARGS` in a subprocess (through the real CLI once cli.py adds the commands)."""
    if "add_driver_commands" in (REPO / "bblfsh_lsp" / "cli.py").read_text(encoding="utf-8"):
        command = [sys.executable, "-m", "bblfsh_lsp", "driver", *args]
    else:
        command = [sys.executable, "-c", _RUNNER, "driver", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300,
                          env=os.environ | (env or {}))


def test_cli_list_build_remove(client, image_id: str, data: Path):
    listed = driver("list")
    assert listed.returncode == 0, listed.stderr
    header = listed.stdout.splitlines()[0]
    row = python_row(listed.stdout)
    assert header.split() == ["LANGUAGE", "BUNDLED", "INSTALLED", "IMAGE", "ID", "SOURCE", "INSTALLED", "AT",
                              "PROCESS", "DOCKER", "OCI"]
    assert row == ["python", "0.1.0", "-", "-", "-", "-", "-", "yes", "no", "no"]

    built = driver("build", "python", "--tag", TAG)
    assert built.returncode == 0, built.stderr
    assert built.stdout == f"built python 0.1.0: {TAG} ({image_id[7:19]})\n"
    assert "[3/" in built.stderr  # plain progress lines: stderr is not a terminal

    listed = driver("list")
    row = python_row(listed.stdout)
    assert row[:6] == ["python", "0.1.0", "0.1.0", TAG, image_id[7:19], "built"] and row[-3:] == ["yes", "yes", "no"]
    (record,) = [json.loads(line) for line in driver("list", "--json").stdout.splitlines()
                 if json.loads(line)["language"] == "python"]
    assert record["installed"]["image_id"] == image_id and record["runnable"]["docker"]["ok"] is True

    removed = driver("remove", "python")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines()[0] == f"removed the python driver ({TAG})"
    assert not _tag_exists(client, TAG)
    again = driver("remove", "python")
    assert (again.returncode, again.stderr) == (1, "bblfsh-lsp: no python driver is installed\n")


def test_cli_errors_and_nothing_to_do(client, data: Path):
    pulled = driver("install", "python", "--from", "registry.invalid/bblfsh/python-driver:v2")
    assert pulled.returncode == 2
    assert pulled.stderr.splitlines()[-1].startswith("bblfsh-lsp: cannot pull registry.invalid/bblfsh/python-driver:v2: ")
    assert driver("update", "python").returncode == 1
    assert driver("build").returncode == 2  # neither LANG nor --all
    assert driver("build", "bash").returncode == 1
    no_engine = driver("list", env={"DOCKER_HOST": NOWHERE})
    assert no_engine.returncode == 0
    assert f"docker: no container engine answers at {NOWHERE}" in no_engine.stdout

    paths.state_file().parent.mkdir(parents=True, exist_ok=True)
    paths.state_file().write_text("{")
    corrupt = driver("list")
    assert corrupt.returncode == 2 and "is corrupt" in corrupt.stderr


def python_row(listing: str) -> list[str]:
    """The Python driver's row of `driver list`, split in cells."""
    return next(line.split() for line in listing.splitlines() if line.split()[:1] == ["python"])


def python_status(manager: DriverManager):
    """The Python driver's line of `list()` (other drivers are bundled too)."""
    return next(status for status in manager.list() if status.language == "python")
