"""The drivers this installation knows, read from their manifests (never by importing them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from driver_runtime import protocol
from driver_runtime.protocol import Manifest
from driver_runtime.runtimes.base import DriverSpec

BUNDLED = Path(__file__).resolve().parent / "drivers"


def read_manifest(path: Path) -> Manifest:
    return protocol.converter.structure(json.loads(path.read_text(encoding="utf-8")), Manifest)


@attrs.define
class Registry:
    """Driver specs by language."""

    specs: dict[str, DriverSpec] = attrs.field(factory=dict)

    @classmethod
    def bundled(cls, folder: Path = BUNDLED) -> Registry:
        registry = cls()
        for manifest_path in sorted(folder.glob("*/manifest.json")):
            manifest = read_manifest(manifest_path)
            registry.add(DriverSpec(manifest=manifest, folder=manifest_path.parent))
        return registry

    def add(self, spec: DriverSpec) -> None:
        self.specs[spec.language] = spec

    def get(self, language: str) -> DriverSpec | None:
        return self.specs.get(language)

    def languages(self) -> list[str]:
        return sorted(self.specs)

    def language_for_name(self, name: str) -> str | None:
        name = name.strip().lower()
        for language, spec in self.specs.items():
            if name == language or name in spec.manifest.aliases:
                return language
        return None

    def language_for_path(self, path: str) -> str | None:
        base = os.path.basename(path)
        ext = os.path.splitext(base)[1].lower()
        for language, spec in self.specs.items():
            if base in spec.manifest.filenames or (ext and ext in spec.manifest.extensions):
                return language
        return None
