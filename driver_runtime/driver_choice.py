"""Which driver parses a language, and why.

A language may have its own driver (a native parser: CPython's ast, Babel, go/parser...) and is
also served by a driver of many languages (the universal driver, on tree-sitter).  The rule:

1. its own driver when it can run: installed for the chosen runtime, or bundled and prepared
   for the local fallback (a driver whose native parser needs `prepare.sh` cannot run before it);
2. otherwise a driver of many languages, on the chosen runtime first, then locally;

so every language the universal driver knows works right after install, and a native driver
takes over once it is installed.  A per-language preference ("native" or "universal") forces
one side; a forced native driver that is not prepared still answers, with the error that says
how to prepare it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

import attrs

from driver_runtime.registry import Registry
from driver_runtime.runtime_names import PROCESS
from driver_runtime.runtimes.base import DriverSpec, Runtime
from driver_runtime.sdk.prepared import build_dir


class Preference(str, enum.Enum):
    AUTO = "auto"  # its own driver when it can run, else the universal one
    NATIVE = "native"  # its own driver, always
    UNIVERSAL = "universal"  # a driver of many languages, always


ANY_LANGUAGE = "*"  # the preferences' key for every language not named


@attrs.frozen
class Place:
    """Where drivers may run: a runtime, and the drivers it has."""

    runtime: Runtime
    registry: Registry
    fallback: bool = False  # the local process runtime, for what the chosen runtime lacks


@attrs.frozen
class DriverChoice:
    language: str
    spec: DriverSpec
    runtime: Runtime
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        """What a pool of this driver is known by: one pool serves every language it is chosen for."""
        return self.runtime.name, self.spec.manifest.name

    @property
    def universal(self) -> bool:
        return bool(self.spec.manifest.languages)

    def describe(self) -> str:
        where = self.spec.image or "bundled"
        return f"the {self.spec.manifest.name} driver {self.spec.manifest.version} on {self.runtime.name} ({where})"


def unprepared(spec: DriverSpec) -> str | None:
    """Why a bundled driver cannot parse yet (its prepare.sh has not run), or None."""
    if spec.folder is None or not (spec.folder / "prepare.sh").exists():
        return None
    if build_dir(spec.manifest.name, spec.manifest.version).exists():
        return None
    language = spec.manifest.language
    return (f"the {language} driver's native parser is not prepared "
            f"(`bblfsh-lsp driver install {language} --runtime process` prepares it)")


def preference_for(language: str, preferences: Mapping[str, str]) -> Preference:
    value = preferences.get(language, preferences.get(ANY_LANGUAGE, Preference.AUTO.value))
    return Preference(value)


def choose_driver(language: str, places: Sequence[Place], preference: Preference = Preference.AUTO) -> DriverChoice | None:
    """The driver for a language, or None when no place has one."""
    own: list[tuple[DriverSpec, Place]] = []
    many: list[tuple[DriverSpec, Place]] = []
    for place in places:
        for spec in place.registry.serving(language):
            (many if spec.manifest.languages else own).append((spec, place))

    def where(spec: DriverSpec, place: Place) -> str:
        if place.fallback:
            return f"bundled, run locally: none is installed for the {places[0].runtime.name} runtime"
        return f"installed for {place.runtime.name}" if place.runtime.name != PROCESS else "bundled"

    if preference is Preference.UNIVERSAL:
        if many:
            spec, place = many[0]
            return DriverChoice(language, spec, place.runtime, f"{spec.manifest.name} driver, as the settings ask")
        return None
    why_not: list[str] = []
    for spec, place in own:
        problem = unprepared(spec)
        if problem is None:
            return DriverChoice(language, spec, place.runtime, f"its own driver ({where(spec, place)})")
        why_not.append(problem)
    if preference is Preference.NATIVE:
        if own:  # not prepared: it answers with the message that says how to prepare it
            spec, place = own[0]
            return DriverChoice(language, spec, place.runtime, f"its own driver, as the settings ask; {why_not[0]}")
        return None
    if many:
        spec, place = many[0]
        because = why_not[0] if why_not else "no driver of its own"
        return DriverChoice(language, spec, place.runtime, f"{spec.manifest.name} driver ({where(spec, place)}): {because}")
    return None
