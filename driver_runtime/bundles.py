"""Root filesystems of driver images, unpacked for the ``oci`` runtime (runc, no daemon).

A :class:`BundleStore` holds one folder per image, named by the image's id (the sha256 of its
config, what ``docker images --no-trunc`` shows)::

    <root>/<hex>/rootfs/      the image's layers applied in order; shared read-only by containers
    <root>/<hex>/image.json   what runs: entrypoint, cmd, env, user, working dir, labels

Images come from a ``docker save`` tarball (``manifest.json`` and layer tars), from an OCI image
layout (``oci-layout``, ``index.json``, ``blobs/sha256/...``), as a file, a stream or an unpacked
folder, or straight from a Docker engine (:meth:`BundleStore.import_from_docker`); which image an
archive holds, and which is this platform's, is read by :mod:`driver_runtime.archives`.

Layers are applied the way containerd applies them: whiteouts (``.wh.<name>`` deletes a lower
file, ``.wh..wh..opq`` empties a lower directory), and every path resolved *inside* the root
filesystem, following symlinks as if the rootfs were ``/``, so no entry can write outside it.
Device nodes are skipped (runc gives containers their own ``/dev``); setuid and setgid bits are
dropped (drivers run with no-new-privileges, where they do nothing, and on the host they would be
a way in). An import unpacks into a temporary folder and renames it into place: a bundle either
is complete or is not there, and importing the same image twice does nothing the second time.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from driver_runtime import archives, paths
from driver_runtime.archives import normalize_digest
from driver_runtime.errors import BundleError, BundleNotFound

_IMAGE_FILE = "image.json"
_ROOTFS = "rootfs"
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_MAX_SYMLINK_HOPS = 255
_COPY_CHUNK = 1 << 20
# Folders runc mounts over; present in the rootfs so runc never has to create them there.
_MOUNT_POINTS = {"proc": 0o555, "dev": 0o755, "sys": 0o555, "tmp": 0o1777}
# Layers are plain or gzipped tars, told apart by their first bytes; zstd is refused by name.
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@attrs.frozen
class ImageInfo:
    """An imported image: its config, and where its root filesystem is."""

    digest: str  # "sha256:...": the image id
    path: Path  # <store>/<hex>
    entrypoint: list[str] = attrs.field(factory=list)
    cmd: list[str] = attrs.field(factory=list)
    env: list[str] = attrs.field(factory=list)
    user: str = ""
    workdir: str = ""
    labels: dict[str, str] = attrs.field(factory=dict)
    tags: list[str] = attrs.field(factory=list)

    @property
    def rootfs(self) -> Path:
        return self.path / _ROOTFS

    @property
    def args(self) -> list[str]:
        """What the container runs: the entrypoint followed by the cmd, as Docker does."""
        return [*self.entrypoint, *self.cmd]

    @classmethod
    def from_config(cls, digest: str, path: Path, config: dict[str, Any], tags: Iterable[str] = ()) -> ImageInfo:
        inner = config.get("config") or {}
        return cls(
            digest=digest,
            path=path,
            entrypoint=list(inner.get("Entrypoint") or []),
            cmd=list(inner.get("Cmd") or []),
            env=list(inner.get("Env") or []),
            user=inner.get("User") or "",
            workdir=inner.get("WorkingDir") or "",
            labels=dict(inner.get("Labels") or {}),
            tags=sorted(set(tags)),
        )


class BundleStore:
    """Unpacked images by id.  Safe to share between processes: imports end in a rename."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else paths.bundles_dir()

    # --- reading ---------------------------------------------------------------------------

    def _folder(self, digest: str) -> Path:
        return self.root / normalize_digest(digest).partition(":")[2]

    def has(self, digest: str) -> bool:
        return (self._folder(digest) / _IMAGE_FILE).is_file()

    def get(self, digest: str) -> ImageInfo:
        folder = self._folder(digest)
        try:
            data = json.loads((folder / _IMAGE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BundleNotFound(f"no bundle for image {normalize_digest(digest)} in {self.root}") from None
        return ImageInfo.from_config(data["digest"], folder, data["config"], data.get("tags", ()))

    def list(self) -> list[ImageInfo]:
        if not self.root.is_dir():
            return []
        found = []
        for entry in sorted(self.root.iterdir()):
            if archives.SHA256_HEX.match(entry.name) and (entry / _IMAGE_FILE).is_file():
                found.append(self.get(entry.name))
        return found

    def remove(self, digest: str) -> bool:
        """Delete an image's bundle; False if there was none.  Running containers keep their
        mounts; new ones can no longer start from it."""
        folder = self._folder(digest)
        if not folder.exists():
            return False
        # Renamed away first, so a half-deleted bundle is never seen as an installed one.
        doomed = self.root / f".remove-{os.getpid()}-{folder.name}"
        os.rename(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        return True

    # --- importing -------------------------------------------------------------------------

    def import_from_docker(self, client: Any, image_ref: str) -> ImageInfo:
        """Import an image the Docker engine has (``docker.DockerClient``), streaming
        ``docker save``; nothing is transferred when the bundle is already there."""
        image = client.images.get(image_ref)
        if self.has(image.id):
            return self.get(image.id)
        # Saved by id, not by tag: the tag may move to another build meanwhile, and the id is
        # what the bundle is named by (checked again against the archive by `expect`).
        stream = image.save(named=False)
        try:
            return self.import_image(ChunkReader(stream), tags=image.tags, expect=image.id)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def import_image(
        self,
        source: str | Path | IO[bytes],
        *,
        tags: Sequence[str] = (),
        expect: str | None = None,
    ) -> ImageInfo:
        """Import a ``docker save`` tarball or an OCI image layout (a tar, maybe gzipped, as a
        path or a stream; or an unpacked folder) holding one image; return the bundle.

        ``expect``: the image id the caller believes it is importing; a different one is an error.
        In an archive of several images, it picks which one to import.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep_abandoned()
        work = Path(tempfile.mkdtemp(prefix=f".import-{os.getpid()}-", dir=self.root))
        try:
            if isinstance(source, (str, Path)) and Path(source).is_dir():
                layout = Path(source)
            else:
                layout = work / "source"
                layout.mkdir()
                _unpack_archive(source, layout)
            image = _read_layout(layout, normalize_digest(expect) if expect is not None else None)
            if expect is not None and normalize_digest(expect) != image.digest:
                raise BundleError(f"expected image {normalize_digest(expect)} but the archive holds {image.digest}")
            if self.has(image.digest):
                return self.get(image.digest)
            staged = work / "bundle"
            staged.mkdir(mode=0o700)  # only root (runc) needs to go through to the image's files
            rootfs = staged / _ROOTFS
            rootfs.mkdir(mode=0o755)
            os.chmod(rootfs, 0o755)  # "/" in the container: mkdir's mode is filtered by the umask
            _apply_layers(rootfs, image.layers, image.diff_ids)
            record = {"digest": image.digest, "config": image.config, "tags": sorted({*image.tags, *tags})}
            (staged / _IMAGE_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")
            final = self._folder(image.digest)
            try:
                os.rename(staged, final)
            except OSError:
                if not self.has(image.digest):  # not a concurrent import of the same image
                    raise
            return self.get(image.digest)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _sweep_abandoned(self) -> None:
        """Remove the temporary folders of imports whose process is gone."""
        for entry in self.root.iterdir():
            match = re.match(r"^\.(?:import|remove)-(\d+)-", entry.name)
            if match and not _pid_alive(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- archives and layouts ----------------------------------------------------------------------


class ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (docker's ``image.save()``, a file read with
    progress by the manager)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _member_parts(name: str) -> list[str]:
    """The components of an archive path, relative; '..' anywhere is an attack, not a path."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BundleError(f"refusing an archive entry that leaves its folder: {name!r}")
    return parts


def _unpack_archive(source: str | Path | IO[bytes], into: Path) -> None:
    """Unpack the outer tar (docker save / OCI layout) as a stream: files, folders and the
    symlinks docker save uses for repeated layers, as long as they point inside."""
    with contextlib.ExitStack() as stack:
        fileobj = source if not isinstance(source, (str, Path)) else stack.enter_context(open(source, "rb"))
        try:
            archive = stack.enter_context(tarfile.open(fileobj=fileobj, mode="r|*"))
            for member in archive:
                parts = _member_parts(member.name)
                if not parts:
                    continue
                target = into.joinpath(*parts)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    extracted = archive.extractfile(member)
                    assert extracted is not None
                    with open(target, "wb") as out:
                        shutil.copyfileobj(extracted, out, _COPY_CHUNK)
                elif member.issym():
                    resolved = os.path.normpath(os.path.join(*parts[:-1], member.linkname) if parts[:-1]
                                                else member.linkname)
                    if os.path.isabs(member.linkname) or resolved == ".." or resolved.startswith("../"):
                        raise BundleError(
                            f"refusing a link that leaves the archive: {member.name} -> {member.linkname}")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.symlink(member.linkname, target)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BundleError(f"cannot read the image archive: {exc}") from exc


def _layout_path(layout: Path, relative: str) -> Path | None:
    """A file of the layout named by the layout itself, never outside it (even via a symlink);
    None if there is no such file."""
    parts = _member_parts(relative)
    real = Path(os.path.realpath(layout.joinpath(*parts)))
    base = os.path.realpath(layout)
    return real if str(real).startswith(base + os.sep) and real.is_file() else None


def _layout_file(layout: Path, relative: str) -> Path:
    path = _layout_path(layout, relative)
    if path is None:
        raise BundleError(f"the image archive has no file {relative!r}")
    return path


@attrs.frozen
class _Layout:
    digest: str
    config: dict[str, Any]
    layers: list[Path]
    diff_ids: list[str]
    tags: list[str]


def _read_layout(layout: Path, want: str | None) -> _Layout:
    """The one image to import from an unpacked archive (``want``, if it holds several)."""

    def read_file(relative: str) -> bytes | None:
        path = _layout_path(layout, relative)
        return path.read_bytes() if path is not None else None

    index = archives.read_index(read_file)
    found = list(index.images)
    if want is not None and len(found) > 1:
        found = [image for image in found if image.image_id == want]
    if len(found) != 1:
        if index.kind == archives.OCI_LAYOUT:
            raise BundleError(f"the OCI layout holds {len(found)} {archives.PLATFORM} images; "
                              f"import one image at a time")
        raise BundleError(f"the archive holds {len(found) or 'no'} matching images; import one image at a time")
    image = found[0]
    layers = []
    for layer in image.layers:
        if "zstd" in layer.media_type:
            raise BundleError(f"layer {layer.digest} is zstd-compressed, which this importer does not read")
        layers.append(_layout_file(layout, layer.path))
    return _Layout(image.image_id, image.config, layers, _diff_ids(image.config, len(layers)), list(image.tags))


def _diff_ids(config: dict[str, Any], count: int) -> list[str]:
    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    if len(diff_ids) != count:
        raise BundleError(f"the image config lists {len(diff_ids)} layers but the archive has {count}")
    return diff_ids


# --- applying layers ---------------------------------------------------------------------------


def _apply_layers(rootfs: Path, layers: list[Path], diff_ids: list[str]) -> None:
    directories: dict[Path, tuple[int, float]] = {}  # final mode and mtime, set once at the end
    with tempfile.TemporaryDirectory(dir=rootfs.parent) as scratch:
        for number, (layer, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
            plain = _plain_tar(layer, Path(scratch) / f"layer-{number}.tar", diff_id)
            try:
                with tarfile.open(plain, mode="r:") as archive:
                    _apply_layer(rootfs, archive, directories)
            except tarfile.TarError as exc:
                raise BundleError(f"layer {diff_id} is not a readable tar: {exc}") from exc
            if plain != layer:
                plain.unlink()
    for mount_point, mode in _MOUNT_POINTS.items():
        path = rootfs / mount_point
        if not os.path.lexists(path):
            path.mkdir()
            os.chmod(path, mode)
    # Deepest first, so setting a folder's mtime is not undone by touching its children.
    for path, (mode, mtime) in sorted(directories.items(), key=lambda item: len(item[0].parts), reverse=True):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.lstat(path).st_mode):
                os.chmod(path, mode)
                os.utime(path, (mtime, mtime), follow_symlinks=False)


def _plain_tar(layer: Path, scratch: Path, diff_id: str) -> Path:
    """The layer as an uncompressed tar (decompressed into scratch if gzipped), checked against
    its diff_id (the sha256 of the uncompressed tar): what is unpacked is what the config names."""
    with open(layer, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic.startswith(_ZSTD_MAGIC):
            raise BundleError(f"layer {diff_id} is zstd-compressed, which this importer does not read")
        digest = hashlib.sha256()
        if magic.startswith(_GZIP_MAGIC):
            with gzip.open(raw) as unzipped, open(scratch, "wb") as out:
                while chunk := unzipped.read(_COPY_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            result = scratch
        else:
            while chunk := raw.read(_COPY_CHUNK):
                digest.update(chunk)
            result = layer
    if "sha256:" + digest.hexdigest() != diff_id:
        raise BundleError(f"a layer does not match its diff_id {diff_id} (got sha256:{digest.hexdigest()})")
    return result


def _scoped(rootfs: Path, parts: list[str], create: bool) -> Path | None:
    """The host path of folder ``parts`` inside rootfs, following symlinks as if rootfs were
    ``/`` (absolute targets restart at rootfs, '..' stops there).  Missing folders are made
    when ``create``, else None is returned."""
    resolved: list[str] = []
    pending = list(parts)
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        host = rootfs.joinpath(*resolved, part)
        try:
            mode = os.lstat(host).st_mode
        except FileNotFoundError:
            if not create:
                return None
            host.mkdir(mode=0o755)
            resolved.append(part)
            continue
        if stat.S_ISLNK(mode):
            hops += 1
            if hops > _MAX_SYMLINK_HOPS:
                raise BundleError(f"too many levels of symbolic links under /{'/'.join(parts)}")
            target = os.readlink(host)
            if target.startswith("/"):
                resolved = []
            pending = target.split("/") + pending
            continue
        if not stat.S_ISDIR(mode):
            raise BundleError(f"/{'/'.join([*resolved, part])} is not a folder (needed for /{'/'.join(parts)})")
        resolved.append(part)
    return rootfs.joinpath(*resolved)


def _remove(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)  # does not follow symlinks inside
    else:
        os.unlink(path)


def _apply_layer(rootfs: Path, archive: tarfile.TarFile, directories: dict[Path, tuple[int, float]]) -> None:
    members = archive.getmembers()
    # Whiteouts first: they delete what lower layers left, never what this layer adds.
    for member in members:
        parts = _member_parts(member.name)
        if not parts or not parts[-1].startswith(_WHITEOUT):
            continue
        parent = _scoped(rootfs, parts[:-1], create=False)
        if parent is None:
            continue
        if parts[-1] == _OPAQUE:
            for entry in os.scandir(parent):
                _remove(Path(entry.path))
        elif not parts[-1].startswith(_WHITEOUT + _WHITEOUT):  # other .wh..wh. files: aufs metadata
            _remove(parent / parts[-1][len(_WHITEOUT):])
    is_root = os.geteuid() == 0
    for member in members:
        parts = _member_parts(member.name)
        if not parts or parts[-1].startswith(_WHITEOUT):
            continue
        if member.ischr() or member.isblk():
            continue  # runc makes /dev; device files in a rootfs are not needed (nor wanted)
        parent = _scoped(rootfs, parts[:-1], create=True)
        assert parent is not None
        target = parent / parts[-1]
        mode = member.mode & 0o1777  # no setuid/setgid: see the module's docstring
        if member.isdir():
            try:
                existing = os.lstat(target).st_mode
            except FileNotFoundError:
                existing = None
            if existing is not None and not stat.S_ISDIR(existing):
                _remove(target)
                existing = None
            if existing is None:
                target.mkdir(mode=0o700)
            directories[target] = (mode, member.mtime)
        elif member.isfile():
            _remove(target)
            extracted = archive.extractfile(member)
            assert extracted is not None
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                shutil.copyfileobj(extracted, out, _COPY_CHUNK)
                if is_root:
                    os.fchown(out.fileno(), member.uid, member.gid)
                os.fchmod(out.fileno(), mode)
            os.utime(target, (member.mtime, member.mtime))
            continue
        elif member.issym():
            _remove(target)
            os.symlink(member.linkname, target)
        elif member.islnk():
            link_parts = _member_parts(member.linkname)
            source_parent = _scoped(rootfs, link_parts[:-1], create=False) if link_parts else None
            source = source_parent / link_parts[-1] if source_parent is not None else None
            if source is None or not os.path.lexists(source):
                raise BundleError(f"hard link {member.name} -> {member.linkname}: no such file in the image")
            _remove(target)
            os.link(source, target, follow_symlinks=False)
            continue  # the link shares the source's owner, mode and times
        elif member.isfifo():
            _remove(target)
            os.mkfifo(target, 0o600)
            os.chmod(target, mode)
        else:
            continue
        if is_root:
            os.lchown(target, member.uid, member.gid)
        if member.issym():
            os.utime(target, (member.mtime, member.mtime), follow_symlinks=False)
