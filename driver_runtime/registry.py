"""The drivers this installation knows, read from their manifests (never by importing them).

The process runtime runs the bundled drivers (``Registry.bundled()``); the container runtimes
run the installed driver images (``Registry.installed("docker")``, from the state file that
driver_runtime.manager writes).  ``Registry.for_runtime(name)`` picks the right one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from driver_runtime.runtime_names import CONTAINER_RUNTIMES, DOCKER, PROCESS
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import Manifest

BUNDLED = Path(__file__).resolve().parent / "drivers"


def read_manifest(path: Path) -> Manifest:
    return protocol.converter.structure(json.loads(path.read_text(encoding="utf-8")), Manifest)


@attrs.define
class Registry:
    """Driver specs by name: a language's own driver is named for its language ("go"), a driver
    of many languages for itself ("universal", with the languages in its manifest)."""

    specs: dict[str, DriverSpec] = attrs.field(factory=dict)

    @classmethod
    def bundled(cls, folder: Path = BUNDLED) -> Registry:
        registry = cls()
        for manifest_path in sorted(folder.glob("*/manifest.json")):
            manifest = read_manifest(manifest_path)
            registry.add(DriverSpec(manifest=manifest, folder=manifest_path.parent))
        return registry

    @classmethod
    def installed(cls, runtime: str = DOCKER, state_file: Path | None = None) -> Registry:
        """The driver images installed for a container runtime ("docker" or "oci").

        Each spec has ``image`` (the reference), ``digest`` (the image id, what runs) and the
        manifest the image's labels carry.  Raises state.StateError when the state file is corrupt.
        """
        from driver_runtime.state import StateStore  # the state module is only needed here

        if runtime not in CONTAINER_RUNTIMES:
            raise ValueError(f"no installed drivers for the {runtime!r} runtime "
                             f"(container runtimes: {', '.join(CONTAINER_RUNTIMES)})")
        registry = cls()
        for language, entry in sorted(StateStore(state_file).load().drivers.items()):
            install = entry.current
            if runtime in install.runtimes and install.manifest is not None:
                registry.add(DriverSpec(manifest=install.manifest, image=install.image, digest=install.image_id))
        return registry

    @classmethod
    def for_runtime(cls, runtime: str, folder: Path = BUNDLED, state_file: Path | None = None) -> Registry:
        """The drivers a runtime can run: bundled ones for "process", installed images otherwise."""
        if runtime == PROCESS:
            return cls.bundled(folder)
        return cls.installed(runtime, state_file)

    def add(self, spec: DriverSpec) -> None:
        self.specs[spec.manifest.language] = spec

    def get(self, name: str) -> DriverSpec | None:
        """The driver named so: a language's own driver ("go"), or a driver of many languages
        ("universal")."""
        return self.specs.get(name)

    def serving(self, language: str) -> list[DriverSpec]:
        """The drivers here that parse a language: its own driver first, then the drivers of
        many languages that list it."""
        own = self.specs.get(language)
        found = [own] if own is not None and not own.manifest.languages else []
        found += [spec for spec in self.specs.values() if language in spec.manifest.languages]
        return found

    def languages(self) -> list[str]:
        """Every language a driver here parses."""
        served = set()
        for name, spec in self.specs.items():
            served.update(spec.manifest.languages or (name,))
        return sorted(served)

    def language_for_name(self, name: str) -> str | None:
        name = name.strip().lower()
        for language, spec in self.specs.items():
            if not spec.manifest.languages and (name == language or name in spec.manifest.aliases):
                return language
        return None

    def language_for_path(self, path: str) -> str | None:
        base = os.path.basename(path)
        ext = os.path.splitext(base)[1].lower()
        for language, spec in self.specs.items():
            if base in spec.manifest.filenames or (ext and ext in spec.manifest.extensions):
                return language
        return None
