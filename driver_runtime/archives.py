"""Image archives: which images a ``docker save`` archive or an OCI image layout holds.

The driver manager reads an archive to tell which driver image a saved file holds (before
loading it anywhere); the bundle store reads one to pick the image it unpacks for the oci
runtime. Both read it here, so they agree on the images an archive holds, on their ids, and on
which of a multi-platform index's images is this machine's.

The archive's files are handed in as a function, ``read_file(path) -> bytes | None`` (None: no
such file), so the same reading serves a tar streamed once with only its small files kept, and a
layout unpacked into a folder. Only the index and the configs are read; layers are only named.

Platforms: an OCI index may list one image per platform. Only images for linux on this
machine's architecture count (a descriptor that names no platform, or no part of one, is taken as
this machine's), at every level of the index: an image for another architecture cannot run here,
and two platforms of one image must not make an archive look as if it held two images.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from typing import Any

import attrs

from driver_runtime.errors import BundleError

# A path in the archive -> its bytes, or None if the archive has no such file.
ReadFile = Callable[[str], bytes | None]

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
DOCKER_SAVE = "docker save"
OCI_LAYOUT = "OCI layout"
# index.json lists manifests or image indexes (one manifest per platform), which may list indexes
# once more; deeper nesting is refused.
_MAX_INDEX_DEPTH = 2
# Annotations that name an image in an OCI layout, preferred first (containerd's is a whole reference).
_NAME_ANNOTATIONS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")


def _architecture() -> str:
    machine = os.uname().machine
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


PLATFORM_OS = "linux"
PLATFORM_ARCHITECTURE = _architecture()  # as OCI names it: "amd64", "arm64"
PLATFORM = f"{PLATFORM_OS}/{PLATFORM_ARCHITECTURE}"


def normalize_digest(digest: str) -> str:
    """``sha256:<64 hex>`` from that or from the bare hex; anything else is refused.

    Digests name files and folders, so this is also what keeps a digest from being a path.
    """
    text = digest.strip().lower()
    algorithm, _, hexpart = text.rpartition(":")
    if algorithm not in ("", "sha256") or not SHA256_HEX.match(hexpart):
        raise BundleError(f"not an image id: {digest!r} (expected sha256:<64 hex digits>)")
    return f"sha256:{hexpart}"


@attrs.frozen
class ArchivedLayer:
    path: str  # where the layer's tar (maybe compressed) is in the archive
    media_type: str = ""  # the OCI descriptor's media type ("": docker save names none)
    digest: str = ""  # the OCI descriptor's digest of the blob ("": docker save names none)


@attrs.frozen
class ArchivedImage:
    """One image an archive holds, as its index and its config describe it."""

    image_id: str  # "sha256:" + the sha256 of its config: the id an engine gives it
    config: dict[str, Any]
    layers: tuple[ArchivedLayer, ...]  # lowest first
    tags: tuple[str, ...]  # the names it was saved under (an OCI ref name may be a bare tag: "latest")

    @property
    def labels(self) -> dict[str, str]:
        return dict((self.config.get("config") or self.config.get("Config") or {}).get("Labels") or {})


@attrs.frozen
class ArchiveIndex:
    kind: str  # DOCKER_SAVE or OCI_LAYOUT
    images: tuple[ArchivedImage, ...]  # in the order the archive lists them; for OCI, this platform's only


def read_index(read_file: ReadFile) -> ArchiveIndex:
    """The images a ``docker save`` archive (manifest.json) or an OCI image layout (oci-layout,
    index.json, blobs/) holds; BundleError if it is neither, or if a config is not what its
    digest says."""
    manifest = read_file("manifest.json")
    if manifest is not None:
        return ArchiveIndex(DOCKER_SAVE, tuple(_docker_save_images(read_file, _json("manifest.json", manifest))))
    index = read_file("index.json")
    if index is not None and read_file("oci-layout") is not None:
        return ArchiveIndex(OCI_LAYOUT, tuple(_oci_layout_images(read_file, _json("index.json", index))))
    raise BundleError("not an image archive: no manifest.json (docker save) nor index.json (OCI layout)")


def _json(name: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise BundleError(f"{os.path.basename(name)} is not valid JSON: {exc}") from None


def _file(read_file: ReadFile, path: str) -> bytes:
    data = read_file(path)
    if data is None:
        raise BundleError(f"the image archive has no file {path!r}")
    return data


def _blob_path(digest: str) -> str:
    algorithm, _, hexpart = normalize_digest(digest).partition(":")
    return f"blobs/{algorithm}/{hexpart}"


def _config(read_file: ReadFile, path: str, expected: str | None) -> tuple[str, dict[str, Any]]:
    """An image's id and config, checked against the digest the archive names it by."""
    raw = _file(read_file, path)
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if expected is not None and normalize_digest(expected) != digest:
        raise BundleError(f"the image config does not match its digest {expected} (got {digest})")
    return digest, _json(path, raw)


def _config_stem(name: str) -> str | None:
    """The digest a docker save config is named by: "<hex>.json" (docker <= 24) or
    "blobs/sha256/<hex>" (docker >= 25)."""
    stem = os.path.basename(name).removesuffix(".json")
    return f"sha256:{stem}" if SHA256_HEX.match(stem) else None


def _docker_save_images(read_file: ReadFile, manifest: Any) -> list[ArchivedImage]:
    found = []
    for entry in manifest if isinstance(manifest, list) else []:
        config_path = entry["Config"]
        image_id, config = _config(read_file, config_path, _config_stem(config_path))
        layers = tuple(ArchivedLayer(path) for path in entry.get("Layers") or [])
        found.append(ArchivedImage(image_id, config, layers, tuple(entry.get("RepoTags") or ())))
    return found


def _for_this_platform(descriptor: dict[str, Any]) -> bool:
    platform = descriptor.get("platform") or {}
    return (platform.get("os", PLATFORM_OS) == PLATFORM_OS
            and platform.get("architecture", PLATFORM_ARCHITECTURE) == PLATFORM_ARCHITECTURE)


def _name(descriptor: dict[str, Any]) -> str | None:
    annotations = descriptor.get("annotations") or {}
    return next((annotations[key] for key in _NAME_ANNOTATIONS if annotations.get(key)), None)


def _oci_layout_images(read_file: ReadFile, index: dict[str, Any]) -> list[ArchivedImage]:
    found: dict[str, ArchivedImage] = {}  # by manifest digest: one image listed under two names is one image
    # (descriptor, the name of the index that lists it, how deep that index is nested)
    pending: list[tuple[dict[str, Any], str | None, int]] = [(item, None, 0) for item in index.get("manifests") or []]
    while pending:
        descriptor, outer_name, depth = pending.pop(0)
        if not _for_this_platform(descriptor):
            continue
        name = _name(descriptor) or outer_name  # a platform's manifest is named by its index
        document = _json(descriptor["digest"], _file(read_file, _blob_path(descriptor["digest"])))
        if "manifests" in document:  # an image index: the images it lists
            if depth >= _MAX_INDEX_DEPTH:
                raise BundleError("the OCI layout nests image indexes too deeply")
            pending += [(inner, name, depth + 1) for inner in document["manifests"] or []]
            continue
        tags = (name,) if name else ()
        known = found.get(descriptor["digest"])
        if known is not None:
            found[descriptor["digest"]] = attrs.evolve(known, tags=tuple(dict.fromkeys(known.tags + tags)))
            continue
        config_descriptor = document.get("config") or {}
        image_id, config = _config(read_file, _blob_path(config_descriptor["digest"]), config_descriptor["digest"])
        layers = tuple(ArchivedLayer(_blob_path(layer["digest"]), layer.get("mediaType", ""), layer["digest"])
                       for layer in document.get("layers") or [])
        found[descriptor["digest"]] = ArchivedImage(image_id, config, layers, tags)
    return list(found.values())
