"""Driver images in a registry, read through the Registry HTTP API v2 without pulling layers.

What the manager and a server need to know about published drivers, in a few small requests::

    client = RegistryClient()
    reference = parse_reference("127.0.0.1:5000/bblfsh/driver-python:latest")
    remote = client.resolve(reference)        # the tag's digest, its config and labels (no layers)
    client.tags(reference)                    # ["0.1.0", "0.1.1", "latest", "protocol-1"]
    newer_versions(installs, client)          # what is newer, and speaks our protocol, per install
    client.download_layout(remote, folder)    # the image as an OCI layout (the oci runtime's bundle)

Registries on loopback (127.0.0.1, localhost, ::1) are spoken to over plain HTTP, as the Docker
engine does without being told; every other registry over HTTPS.  Credentials come only from the
Docker configuration the engine's client uses (``~/.docker/config.json``, or ``$DOCKER_CONFIG``:
``auths`` and credential helpers, read by the docker SDK); nothing is stored here.  Errors are
PullFailed (driver_runtime.errors) with a message that names the registry and what it answered.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from driver_runtime import archives, images
from driver_runtime.errors import PullFailed
from driver_runtime.progress import Progress, silent
from driver_runtime.sdk.protocol import Manifest, protocol_compatible
from driver_runtime.state import Install

DOCKER_HUB = "docker.io"
_DOCKER_HUB_API = "registry-1.docker.io"
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
_MAX_DOCUMENT = 4 << 20  # a manifest or a config larger than this is not a driver image's
_CHUNK = 1 << 20
# distribution/reference's grammar, enough to refuse what is not an image reference
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAME = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$")
LATEST = "latest"
PROTOCOL_TAG_PREFIX = "protocol-"  # "protocol-1": the newest driver speaking protocol 1.x


@attrs.frozen
class Reference:
    """An image in a registry: ``registry/repository[:tag][@digest]``."""

    registry: str  # "127.0.0.1:5000", "docker.io"
    repository: str  # "bblfsh/driver-python"
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The repository as the engine names it ("127.0.0.1:5000/bblfsh/driver-python")."""
        return self.repository if self.registry == DOCKER_HUB else f"{self.registry}/{self.repository}"

    def with_tag(self, tag: str) -> Reference:
        return Reference(self.registry, self.repository, tag, None)

    def pinned(self, digest: str) -> Reference:
        """The same image by digest only: what is pulled, and what the state records."""
        return Reference(self.registry, self.repository, None, digest)

    def __str__(self) -> str:
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse_reference(text: str) -> Reference:
    """A reference from ``[registry/]repository[:tag][@digest]`` (no tag and no digest: latest)."""
    rest, _, digest = text.strip().partition("@")
    if digest and not _DIGEST.match(digest):
        raise PullFailed(f"{text!r} is not an image reference: {digest!r} is not a sha256 digest")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = DOCKER_HUB, rest
    last = path.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        path, _, tag = path.rpartition(":")
        if not _TAG.match(tag):
            raise PullFailed(f"{text!r} is not an image reference: {tag!r} is not a tag")
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not _NAME.match(path):
        raise PullFailed(f"{text!r} is not an image reference (like registry.example.com/bblfsh/driver-python:0.1.0)")
    if tag is None and not digest:
        tag = LATEST
    return Reference(registry, path, tag, digest or None)


def version_key(text: str) -> tuple[Any, ...] | None:
    """A sortable key for a version ("0.1.10" > "0.1.9"; "1.0.0-rc1" < "1.0.0"); None if it is not one."""
    match = _VERSION.match(text or "")
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch or 0), (0, pre) if pre else (1, "")


def protocol_tag(protocol_version: str) -> str:
    """The moving tag of a protocol's major version: "1.0" -> "protocol-1"."""
    return PROTOCOL_TAG_PREFIX + (protocol_version or "0").split(".")[0]


@attrs.frozen
class Descriptor:
    media_type: str
    digest: str
    size: int


@attrs.frozen
class RemoteImage:
    """One platform's image behind a reference, as the registry describes it (no layer fetched)."""

    reference: Reference  # as asked for
    digest: str  # what the reference resolves to (a manifest, or a multi-platform index): what is pulled
    manifest_digest: str  # this platform's manifest (== digest unless the reference is an index)
    manifest_bytes: bytes
    config_digest: str  # the image id an engine gives it
    config_bytes: bytes
    layers: tuple[Descriptor, ...]

    @property
    def config(self) -> dict[str, Any]:
        return json.loads(self.config_bytes)

    @property
    def labels(self) -> dict[str, str]:
        config = self.config
        return dict((config.get("config") or config.get("Config") or {}).get("Labels") or {})

    @property
    def manifest(self) -> Manifest | None:
        """The driver manifest its labels carry (None: not a driver image)."""
        return images.manifest_from_labels(self.labels)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)


@attrs.frozen
class Offer:
    """A version a registry offers for an installed driver."""

    version: str
    reference: str  # repository:tag
    digest: str
    protocol_version: str
    compatible: bool  # speaks a protocol this bblfsh-lsp speaks


@attrs.frozen
class Outdated:
    """What the registry an install came from offers that is newer than it."""

    install: Install
    offers: tuple[Offer, ...] = ()  # newer versions, oldest first
    error: str = ""  # why the registry could not be asked ("" if it was)

    @property
    def newest(self) -> Offer | None:
        """The newest offer a server can switch to."""
        return next((offer for offer in reversed(self.offers) if offer.compatible), None)


def _is_loopback(registry: str) -> bool:
    host = registry.rsplit(":", 1)[0] if not registry.startswith("[") else registry.split("]")[0] + "]"
    return host in _LOOPBACK or host.startswith("127.")


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="...",service="..."`` -> ("bearer", {"realm": ..., "service": ...})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), {key.lower(): value for key, value in re.findall(r'(\w+)="([^"]*)"', rest)}


class RegistryClient:
    """Reads registries through the HTTP API v2.  ``timeout``: (connect, read) seconds per request."""

    def __init__(self, timeout: tuple[float, float] = (5.0, 30.0), docker_config: dict[str, Any] | None = None):
        import requests

        self.timeout = timeout
        self._session = requests.Session()
        self._auth_configs = docker_config  # docker.auth's parsed config; loaded when first needed
        self._authorization: dict[tuple[str, str], str] = {}  # (registry, scope) -> Authorization header

    def close(self) -> None:
        self._session.close()

    # --- what the manager asks ------------------------------------------------------------------

    def tags(self, reference: Reference) -> list[str]:
        """Every tag of the reference's repository."""
        found: list[str] = []
        path = f"{reference.repository}/tags/list?n=1000"
        while path:
            response = self._get(reference, path, "the tags of")
            try:
                found += list(response.json().get("tags") or [])
            except (ValueError, AttributeError, TypeError):
                raise PullFailed(f"the registry {reference.registry} answered the tags of "
                                 f"{reference.name} with something that is not a tag list") from None
            following = response.links.get("next", {}).get("url", "")
            path = following.split("/v2/", 1)[1] if "/v2/" in following else ""
        return found

    def digest(self, reference: Reference) -> str:
        """What a tag names now (a HEAD request: no manifest is sent)."""
        found = self._head(reference)
        if found is None:
            raise PullFailed(f"{reference} is not in the registry {reference.registry} any more (404: no such tag)")
        return found

    def lookup(self, reference: Reference) -> RemoteImage | None:
        """The reference's image, or None if the registry has no such tag (it exists: resolve())."""
        return self.resolve(reference) if self._head(reference) is not None else None

    def _head(self, reference: Reference) -> str | None:
        response = self._request("HEAD", reference, f"{reference.repository}/manifests/{reference.tag}",
                                 {"Accept": _ACCEPT}, what="", missing_ok=True)
        if response is None:
            return None
        digest = response.headers.get("Docker-Content-Digest", "")
        if not _DIGEST.match(digest):  # a registry that does not say: ask for the manifest itself
            return self.resolve(reference).digest
        return digest

    def resolve(self, reference: Reference) -> RemoteImage:
        """The reference's image for this platform: its digest, manifest, config (labels) and layers."""
        top_digest, media_type, document, raw = self._manifest(reference, reference.digest or reference.tag or LATEST)
        manifest_digest, manifest_raw = top_digest, raw
        if media_type in (DOCKER_LIST, OCI_INDEX) or "manifests" in document:
            chosen = [item for item in document.get("manifests") or []
                      if archives._for_this_platform(item)]  # noqa: SLF001 - one rule for archives and registries
            if not chosen:
                raise PullFailed(f"{reference} has no image for {archives.PLATFORM}")
            manifest_digest, media_type, document, manifest_raw = self._manifest(reference, chosen[0]["digest"])
        if document.get("schemaVersion") != 2 or "config" not in document:
            raise PullFailed(f"{reference} has a manifest this bblfsh-lsp does not read ({media_type or 'no type'}; "
                             f"schema 2 manifests are)")
        config = self._descriptor(reference, document["config"])
        config_raw = self._small_blob(reference, config)
        layers = tuple(self._descriptor(reference, layer) for layer in document.get("layers") or [])
        return RemoteImage(reference, top_digest, manifest_digest, manifest_raw, config.digest, config_raw, layers)

    def ping(self, reference: Reference) -> None:
        """Whether the registry answers (PullFailed says how it does not)."""
        self._get(reference, "", "the API root of")

    def download_layout(self, remote: RemoteImage, folder: Path, progress: Progress = silent) -> None:
        """Write the image into ``folder`` as an OCI image layout (what BundleStore.import_image
        reads), every blob checked against its size and digest as it arrives."""
        blobs = folder / "blobs" / "sha256"
        blobs.mkdir(parents=True, exist_ok=True)
        (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        (blobs / remote.manifest_digest.partition(":")[2]).write_bytes(remote.manifest_bytes)
        (blobs / remote.config_digest.partition(":")[2]).write_bytes(remote.config_bytes)
        total, done = remote.size, 0
        message = f"downloading {remote.reference}"
        for layer in remote.layers:
            target = blobs / layer.digest.partition(":")[2]
            if target.exists():
                done += layer.size
                continue
            base = done

            def step(received: int, base: int = base) -> None:
                progress(base + received, total, message)

            self._download(remote.reference, layer, target, step)
            done += layer.size
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": DOCKER_MANIFEST if b"docker.distribution" in remote.manifest_bytes else OCI_MANIFEST,
            "digest": remote.manifest_digest, "size": len(remote.manifest_bytes),
        }]}
        (folder / "index.json").write_text(json.dumps(index))
        progress(total, total, f"downloaded {remote.reference}")

    # --- manifests and blobs --------------------------------------------------------------------

    def _manifest(self, reference: Reference, tag_or_digest: str) -> tuple[str, str, dict[str, Any], bytes]:
        response = self._get(reference, f"{reference.repository}/manifests/{tag_or_digest}", "",
                             accept=_ACCEPT, limit=_MAX_DOCUMENT)
        raw = response.content
        digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        said = response.headers.get("Docker-Content-Digest")
        expected = tag_or_digest if _DIGEST.match(tag_or_digest) else said
        if expected and expected != digest:
            raise PullFailed(f"the registry {reference.registry} sent a manifest for {reference} that is not what "
                             f"its digest says ({expected}, got {digest}); nothing was installed")
        try:
            document = json.loads(raw)
        except ValueError:
            raise PullFailed(f"the registry {reference.registry} sent a manifest for {reference} that is not JSON") \
                from None
        if not isinstance(document, dict):
            raise PullFailed(f"the registry {reference.registry} sent a manifest for {reference} that is not one")
        media_type = document.get("mediaType") or response.headers.get("Content-Type", "").split(";")[0]
        return digest, media_type, document, raw

    @staticmethod
    def _descriptor(reference: Reference, data: Any) -> Descriptor:
        try:
            digest, size = str(data["digest"]), int(data["size"])
        except (KeyError, TypeError, ValueError):
            raise PullFailed(f"{reference} has a manifest with a malformed descriptor: {data!r:.120}") from None
        if not _DIGEST.match(digest) or size < 0:
            raise PullFailed(f"{reference} has a manifest naming {digest!r:.80}, which is not a sha256 digest")
        return Descriptor(str(data.get("mediaType") or ""), digest, size)

    def _small_blob(self, reference: Reference, blob: Descriptor) -> bytes:
        if blob.size > _MAX_DOCUMENT:
            raise PullFailed(f"{reference} has a config of {blob.size} bytes: not a driver image's")
        raw = self._get(reference, f"{reference.repository}/blobs/{blob.digest}", "", limit=_MAX_DOCUMENT).content
        if len(raw) != blob.size or "sha256:" + hashlib.sha256(raw).hexdigest() != blob.digest:
            raise PullFailed(f"the registry {reference.registry} sent a config for {reference} that is not "
                             f"{blob.digest} ({len(raw)} of {blob.size} bytes); nothing was installed")
        return raw

    def _download(self, reference: Reference, blob: Descriptor, target: Path, step: Any) -> None:
        """One blob into ``target`` (written under a temporary name, renamed once verified)."""
        import requests

        partial = target.with_name(target.name + ".partial")
        hasher = hashlib.sha256()
        received = 0
        short = blob.digest[7:19]
        try:
            response = self._get(reference, f"{reference.repository}/blobs/{blob.digest}", "", stream=True)
            with response, open(partial, "wb") as out:
                for chunk in response.iter_content(_CHUNK):
                    received += len(chunk)
                    if received > blob.size:
                        raise PullFailed(f"the registry {reference.registry} sent more than the {blob.size} bytes of "
                                         f"layer {short} of {reference}; nothing was installed")
                    hasher.update(chunk)
                    out.write(chunk)
                    step(received)
        except requests.RequestException as exc:  # refused, reset, timed out, cut short (ChunkedEncodingError)
            partial.unlink(missing_ok=True)
            raise PullFailed(f"the registry {reference.registry} stopped sending layer {short} of {reference} after "
                             f"{received} of {blob.size} bytes ({_reason(exc)}); nothing was installed") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if received != blob.size:
            partial.unlink(missing_ok=True)
            raise PullFailed(f"the registry {reference.registry} sent a truncated layer {short} of {reference} "
                             f"({received} of {blob.size} bytes); nothing was installed")
        if "sha256:" + hasher.hexdigest() != blob.digest:
            partial.unlink(missing_ok=True)
            raise PullFailed(f"the registry {reference.registry} sent a layer of {reference} that does not match its "
                             f"digest {blob.digest}; nothing was installed")
        partial.rename(target)

    # --- HTTP -----------------------------------------------------------------------------------

    def _url(self, reference: Reference, path: str) -> str:
        host = _DOCKER_HUB_API if reference.registry == DOCKER_HUB else reference.registry
        scheme = "http" if _is_loopback(reference.registry) else "https"
        return f"{scheme}://{host}/v2/{path}"

    def _get(self, reference: Reference, path: str, what: str, *, accept: str | None = None,
             limit: int | None = None, stream: bool = False) -> Any:
        response = self._request("GET", reference, path, {"Accept": accept} if accept else {}, what=what,
                                 stream=stream or limit is not None)
        if limit is not None and not stream:
            body = bytearray()
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > limit:
                    response.close()
                    raise PullFailed(f"the registry {reference.registry} sent more than {limit} bytes for "
                                     f"{reference}: not a driver image's manifest")
            response._content = bytes(body)  # noqa: SLF001 - read with a limit, then used as requests does
        return response

    def _request(self, method: str, reference: Reference, path: str, headers: dict[str, str], *, what: str,
                 stream: bool = False, missing_ok: bool = False) -> Any:
        import requests

        url = self._url(reference, path)
        scope = f"repository:{reference.repository}:pull"
        for attempt in range(2):
            sent = dict(headers)
            authorization = self._authorization.get((reference.registry, scope))
            if authorization:
                sent["Authorization"] = authorization
            try:
                response = self._session.request(method, url, headers=sent, timeout=self.timeout, stream=stream,
                                                 allow_redirects=True)
            except requests.Timeout:
                raise PullFailed(f"the registry {reference.registry} did not answer within {self.timeout[1]:g} s "
                                 f"({method} {url})") from None
            except requests.ConnectionError as exc:
                raise PullFailed(f"cannot reach the registry {reference.registry}: {_reason(exc)}") from None
            except requests.RequestException as exc:
                raise PullFailed(f"cannot ask the registry {reference.registry}: {_reason(exc)}") from None
            if response.status_code == 401 and attempt == 0:
                header = self._authorize(reference, response.headers.get("WWW-Authenticate", ""), scope)
                if header:
                    response.close()
                    self._authorization[(reference.registry, scope)] = header
                    continue
            break
        if response.status_code >= 400:
            response.close()
            if missing_ok and response.status_code == 404:
                return None
            raise PullFailed(self._refusal(reference, response, what, method, path))
        return response

    def _refusal(self, reference: Reference, response: Any, what: str, method: str, path: str) -> str:
        status = f"{response.status_code} {response.reason or ''}".strip()
        registry = reference.registry
        if response.status_code == 401:
            login = "" if self._credentials(reference) else f"; log in with `docker login {registry}` (bblfsh-lsp " \
                                                             f"reads the Docker configuration's credentials)"
            return f"the registry {registry} refused access to {reference.name} ({status}){login}"
        if response.status_code == 403:
            return f"the registry {registry} denies access to {reference.name} ({status})"
        if response.status_code == 404:
            if "/manifests/" in path:
                return f"{reference} is not in the registry {registry} ({status}: no such tag or repository)"
            if "/tags/list" in path:
                return f"the registry {registry} has no repository {reference.repository} ({status})"
            return f"the registry {registry} lacks a blob of {reference} ({status})"
        about = f" {what} {reference.name}" if what else f" {reference}"
        return f"the registry {registry} failed to answer{about} ({status} on {method} /v2/{path.split('?')[0]})"

    # --- credentials ----------------------------------------------------------------------------

    def _credentials(self, reference: Reference) -> tuple[str, str] | None:
        """(user, password) the Docker configuration has for the registry, or None."""
        try:
            from docker import auth

            if self._auth_configs is None:
                self._auth_configs = auth.load_config()
            found = auth.resolve_authconfig(self._auth_configs,
                                            auth.INDEX_NAME if reference.registry == DOCKER_HUB else reference.registry)
        except Exception:  # no docker SDK, an unreadable config or credential helper: ask without credentials
            return None
        if found and found.get("Username") and found.get("Password"):
            return str(found["Username"]), str(found["Password"])
        return None

    def _authorize(self, reference: Reference, header: str, scope: str) -> str | None:
        """The Authorization header that answers a 401's challenge, or None if there is none."""
        import base64

        import requests

        scheme, params = _challenge(header)
        credentials = self._credentials(reference)
        if scheme == "basic":
            if credentials is None:
                return None
            return "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        if scheme != "bearer" or not params.get("realm"):
            return None
        query = {"scope": params.get("scope") or scope}
        if params.get("service"):
            query["service"] = params["service"]
        try:
            answer = self._session.get(params["realm"], params=query, auth=credentials, timeout=self.timeout)
            token = answer.json().get("token") or answer.json().get("access_token") if answer.ok else None
        except (requests.RequestException, ValueError, AttributeError):
            return None
        return f"Bearer {token}" if token else None


def _reason(exc: BaseException) -> str:
    """The innermost, readable cause of a requests error ("Connection refused", "Read timed out")."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")\]]+)", r"(Read timed out)", r"(Connection aborted)",
                    r"(IncompleteRead\([^)]*\))", r"(Connection broken: [^'\"]+)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return text.splitlines()[0][:160] if text else type(exc).__name__


# --- what is newer ------------------------------------------------------------------------------


def newer_versions(installs: Iterable[Install], client: RegistryClient | None = None) -> list[Outdated]:
    """For each install that came from a registry, the newer versions its repository offers.

    A plain function a server can call on a timer: it reads tags and configs (a few small
    requests per newer tag), never layers; a registry that cannot be asked is said in ``error``
    rather than raised, so one unreachable registry does not hide the others' news.
    """
    own = client is None
    client = client or RegistryClient()
    try:
        out = []
        for install in installs:
            if install.source != "registry" or not install.origin:
                continue
            out.append(_outdated(install, client))
        return out
    finally:
        if own:
            client.close()


def _outdated(install: Install, client: RegistryClient) -> Outdated:
    installed = version_key(install.version)
    try:
        reference = parse_reference(install.origin)
        candidates = sorted((key, tag) for tag in client.tags(reference)
                            if (key := version_key(tag)) is not None and (installed is None or key > installed))
        offers = []
        for _key, tag in candidates:
            remote = client.resolve(reference.with_tag(tag))
            manifest = remote.manifest
            if manifest is None or manifest.language != install.language:
                continue  # a tag of something else: not an offer for this driver
            offers.append(Offer(manifest.version, str(reference.with_tag(tag)), remote.digest,
                                manifest.protocol_version, protocol_compatible(manifest.protocol_version or "0")))
    except PullFailed as exc:
        return Outdated(install, (), str(exc))
    return Outdated(install, tuple(offers))


__all__ = ["Offer", "Outdated", "Reference", "RegistryClient", "RemoteImage", "newer_versions", "parse_reference",
           "protocol_tag", "version_key"]
