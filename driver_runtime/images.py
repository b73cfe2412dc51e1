"""Driver images: their names and labels, and building them offline (docs/image-spec.md).

An image is built from a small context assembled here (the driver kit, driver_runtime/sdk/, and
one driver's folder), so the same code builds from a source checkout and from an installed package.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import string
import tarfile
from pathlib import Path
from typing import Any

import attrs

from driver_runtime.errors import ImageError
from driver_runtime.progress import Progress, silent
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import Manifest

PACKAGE = Path(__file__).resolve().parent
# The driver kit: all that a driver image holds of this package besides drivers' folders.
KIT = PACKAGE / "sdk"
BASE_IMAGE = "bblfsh-lsp/base:bookworm"
HOST_REPOSITORY = "bblfsh-lsp/driver-host"
HOST_DOCKERFILE = "driver_runtime/sdk/host.Dockerfile"
# The Dockerfile of every driver folder without one of its own, rendered by dockerfile().
DRIVER_TEMPLATE = PACKAGE / "drivers" / "driver.Dockerfile"
# What a manifest's "image" may say, each a list of words the template puts in a shell command:
# Debian packages the image's build stage installs besides host-packages.txt's (tools a host's
# list leaves out), packages its runtime stage installs instead of host-packages.txt's (java's
# JRE), and VARIABLE=value words prepare.sh runs with in the build stage.
_IMAGE_FIELDS = ("build_packages", "runtime_packages", "prepare_environment")
REPOSITORY_PREFIX = "bblfsh-lsp/driver-"
LABEL_PREFIX = "org.bblfsh-lsp.driver."
# Manifest fields that are lists travel in labels as comma-separated text.
_LIST_FIELDS = ("aliases", "extensions", "filenames", "interpreters", "editor_languages", "languages")
# The package markers that make a driver importable as driver_runtime.drivers.NAME.  They are
# written empty, not copied: the host's driver_runtime/__init__.py is the runtime's public face
# (its errors), which an image has no use for and whose edits must not change the images.
_PACKAGE_MARKERS = ("driver_runtime/__init__.py", "driver_runtime/drivers/__init__.py")
# What is never part of an image: caches, and a driver's own node_modules from development.
_SKIPPED_FOLDERS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules"})
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)")


def image_name(manifest: Manifest) -> str:
    return f"{REPOSITORY_PREFIX}{manifest.name}:{manifest.version}"


def labels(manifest: Manifest) -> dict[str, str]:
    data = attrs.asdict(manifest)
    out = {}
    for field in ("name", "language", "version", "protocol_version", "parser", *_LIST_FIELDS):
        value = data.get(field, [] if field in _LIST_FIELDS else "")
        out[LABEL_PREFIX + field.replace("_", "-")] = ",".join(value) if field in _LIST_FIELDS else str(value)
    if manifest.symbol_kinds:
        out[LABEL_PREFIX + "symbol-kinds"] = json.dumps(manifest.symbol_kinds, sort_keys=True)
    return out


def manifest_from_labels(image_labels: dict[str, str] | None) -> Manifest | None:
    """The manifest an image's labels describe, or None if it is not a driver image."""
    image_labels = image_labels or {}
    if LABEL_PREFIX + "language" not in image_labels:
        return None
    data: dict[str, Any] = {}
    for field in ("name", "language", "version", "protocol_version", "parser", *_LIST_FIELDS):
        value = image_labels.get(LABEL_PREFIX + field.replace("_", "-"), "")
        data[field] = [item for item in value.split(",") if item] if field in _LIST_FIELDS else value
    try:
        data["symbol_kinds"] = json.loads(image_labels.get(LABEL_PREFIX + "symbol-kinds") or "{}")
    except ValueError:
        data["symbol_kinds"] = {}
    return protocol.converter.structure(data, Manifest)


def _add_kit(tar: tarfile.TarFile) -> None:
    """The driver host: the driver kit, whole, and the package markers."""
    _add_folder(tar, KIT, "driver_runtime/sdk")
    for marker in _PACKAGE_MARKERS:
        tar.addfile(_stable(tarfile.TarInfo(marker)), io.BytesIO(b""))


def _add_folder(tar: tarfile.TarFile, folder: Path, arcname: str) -> None:
    """Every file in `folder`, recursively, but for caches (_SKIPPED_FOLDERS), at `arcname`."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not _SKIPPED_FOLDERS.intersection(relative.parts):
            tar.add(path, arcname=f"{arcname}/{relative.as_posix()}", filter=_stable)


def _stable(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """The same files give the same tar (so the host image's tag follows its content only)."""
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def host_context() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add_kit(tar)
    return buffer.getvalue()


def host_image_name(base: str = BASE_IMAGE) -> str:
    """The host image's name: its tag is a digest of what goes into it (and of the base)."""
    digest = hashlib.sha256(host_context() + base.encode()).hexdigest()[:12]
    return f"{HOST_REPOSITORY}:{digest}"


class _Template(string.Template):
    delimiter = "@"  # a Dockerfile's own ${ARG}s and the shell's $(...) stay as they are


def dockerfile(spec: DriverSpec) -> str:
    """The driver's Dockerfile: its folder's own, else driver_runtime/drivers/driver.Dockerfile
    rendered with its name, its folders and its manifest's "image" (_IMAGE_FIELDS)."""
    if spec.folder is None:
        raise ImageError(f"the {spec.language} driver has no folder to build an image from")
    own = spec.folder / "Dockerfile"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    name = spec.folder.name
    if not (spec.folder / "prepare.sh").is_file() or not (spec.folder / "host-packages.txt").is_file():
        raise ImageError(f"the {spec.language} driver has neither a Dockerfile nor the prepare.sh and "
                         f"host-packages.txt that {DRIVER_TEMPLATE.name} builds with")
    image = json.loads((spec.folder / "manifest.json").read_text(encoding="utf-8")).get("image", {})
    unknown = set(image) - set(_IMAGE_FIELDS)
    if unknown:
        raise ImageError(f"the {spec.language} driver's manifest says {sorted(unknown)} under \"image\": "
                         f"only {list(_IMAGE_FIELDS)} are known")
    folders = [*spec.manifest.includes, name]
    return _Template(DRIVER_TEMPLATE.read_text(encoding="utf-8")).substitute(
        name=name,
        **{field: "".join(f"{word} " for word in image.get(field, [])) for field in _IMAGE_FIELDS},
        build_copies="\n".join(f"COPY driver_runtime/drivers/{folder} /src/{folder}" for folder in folders),
        runtime_copies="\n".join(f"COPY driver_runtime/drivers/{folder} /opt/driver/driver_runtime/drivers/{folder}"
                                  for folder in folders),
    )


def build_context(spec: DriverSpec) -> bytes:
    """A tar of what the driver's Dockerfile copies, rooted like this package's parent, and the
    Dockerfile (dockerfile()) at dockerfile_path()."""
    text = dockerfile(spec).encode("utf-8")
    assert spec.folder is not None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add_kit(tar)
        for folder in (spec.folder, *(spec.folder.parent / name for name in spec.manifest.includes)):
            if not folder.is_dir():
                raise ImageError(f"the {spec.language} driver includes {folder.name}, which is not bundled")
            _add_folder(tar, folder, f"driver_runtime/drivers/{folder.name}")
        if not (spec.folder / "Dockerfile").is_file():
            info = _stable(tarfile.TarInfo(dockerfile_path(spec)))
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


def dockerfile_path(spec: DriverSpec) -> str:
    assert spec.folder is not None
    return f"driver_runtime/drivers/{spec.folder.name}/Dockerfile"


def build_host(client: Any, progress: Progress = silent, base: str = BASE_IMAGE) -> str:
    """The driver host image's name, built first if this content was never built here."""
    name = host_image_name(base)
    try:
        client.images.get(name)
        return name
    except Exception:  # docker.errors.ImageNotFound, or an engine that cannot say
        pass
    # Reported without a total: the host is a first part of a longer build, not its end.
    _run_build(client, host_context(), HOST_DOCKERFILE, name, {}, {"BASE": base},
               lambda done, _total, message: progress(done, 0, f"driver host: {message}"))
    return name


def build(client: Any, spec: DriverSpec, progress: Progress = silent, base: str = BASE_IMAGE,
          tag: str | None = None) -> str:
    """Build the driver's image with a docker.DockerClient; return its id.

    The driver host image comes first (once per content); progress is reported per
    Dockerfile step.  The classic builder is used (BuildKit's buildx is not packaged on
    Debian bookworm).
    """
    tag = tag or image_name(spec.manifest)
    context = build_context(spec)
    host = build_host(client, progress, base)
    return _run_build(client, context, dockerfile_path(spec), tag, labels(spec.manifest),
                      {"BASE": base, "HOST": host}, progress)


def _run_build(client: Any, context: bytes, dockerfile: str, tag: str, image_labels: dict[str, str],
               buildargs: dict[str, str], progress: Progress) -> str:
    progress(0, 0, f"building {tag}")
    log: list[str] = []
    image_id = None
    try:
        stream = client.api.build(
            fileobj=io.BytesIO(context), custom_context=True, dockerfile=dockerfile, tag=tag,
            labels=image_labels, buildargs=buildargs, rm=True, forcerm=True, decode=True,
        )
        for chunk in stream:
            if "error" in chunk:
                tail = "".join(log[-8:]).strip()
                raise ImageError(f"building {tag} failed: {chunk['error'].strip()}\n{tail}")
            text = chunk.get("stream", "")
            if text:
                log.append(text)
                step = _STEP.match(text)
                if step:
                    progress(int(step.group(1)), int(step.group(2)), step.group(3).strip()[:80])
            aux = chunk.get("aux") or {}
            if "ID" in aux:
                image_id = aux["ID"]
    except ImageError:
        raise
    except Exception as exc:  # the engine refused (no base image, no space, engine gone)
        raise ImageError(f"building {tag} failed: {exc}") from exc
    if image_id is None:
        image_id = client.images.get(tag).id
    progress(1, 1, f"built {tag}")
    return image_id
