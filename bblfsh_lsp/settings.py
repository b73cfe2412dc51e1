"""Settings, from command-line flags, the environment, and the editor (LSP initializationOptions).

Editors send ``{"runtime": "docker", "maxFileBytes": 4194304, ...}`` as initializationOptions,
optionally nested under ``"bblfsh"``; unknown keys are ignored with a log line, and a bad value
is ignored with a warning that names the setting, the others still apply.

``Settings`` is the one place a setting is written: its attribute is the editor's key in
snake_case (``max_file_bytes`` is ``maxFileBytes``, by the converter's convention, never by a
table), and its metadata is what the README and the editors say about it.  scripts/
generate_facts.py writes the README's table and the editors' settings from it.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any, Final

import attrs
import cattrs

from bblfsh_lsp.camel_case import camel_case, register_camel_case
from bblfsh_lsp.files import DEFAULT_MAX_BYTES
from driver_runtime.driver_choice import ANY_LANGUAGE, Preference
from driver_runtime.isolation import Isolation
from driver_runtime.languages import canonical
from driver_runtime.pool import PoolSettings
from driver_runtime.runtime_names import AUTO, RUNTIME_ENV, RUNTIME_NAMES

log = logging.getLogger(__name__)

PREFERENCES: Final = tuple(preference.value for preference in Preference)
DRIVER_UPDATES: Final = ("off", "notify", "apply")  # bblfsh_lsp/driver_updates.py does what each says

# Editor keys that were renamed, and their names now: users' configurations keep working.
RENAMED_KEYS: Final[dict[str, str]] = {"memoryLimitMiB": "memoryLimitMib"}


def runtime_from_environment() -> str:
    return os.environ.get(RUNTIME_ENV, AUTO)


@attrs.frozen
class SettingHelp:
    """What the README and the editors say about a setting."""

    meaning: str  # a phrase, lower case, without a final stop: the README's "meaning" column
    minimum: float | None = None  # the least value an editor lets a user enter
    choices: tuple[str, ...] = ()  # the values an editor offers (another is refused where it is used, with a message)
    flag: str = ""  # how the command line or the environment gives it, in the README's words
    documented_default: str = ""  # when the default is not a constant (the runtime's)


_HELP: Final = "help"


def _setting(meaning: str, default: Any = attrs.NOTHING, *, factory: Any = None, minimum: float | None = None,
             choices: tuple[str, ...] = (), flag: str = "", documented_default: str = "") -> Any:
    return attrs.field(default=default, factory=factory, metadata={
        _HELP: SettingHelp(meaning, minimum, choices, flag, documented_default)})


@attrs.frozen
class Settings:
    runtime: str = _setting(
        f"where drivers run: {', '.join(f'`{name}`' for name in RUNTIME_NAMES)}; unset, "
        f"`{RUNTIME_ENV}` decides, else `{AUTO}`; a change restarts the drivers",
        factory=runtime_from_environment, choices=RUNTIME_NAMES, flag=f"`--runtime`, `{RUNTIME_ENV}`",
        documented_default=AUTO)
    max_file_bytes: int = _setting(
        "larger documents are not parsed; the editor shows an information diagnostic saying so",
        DEFAULT_MAX_BYTES, minimum=1)
    request_timeout: float = _setting(
        "seconds a driver may take for one file of up to 1 MiB (once more per further MiB) before it is "
        "killed and replaced", 30.0, minimum=1)
    # An editor must stay responsive: `//*//*//*//*` on a large file runs for minutes.
    query_timeout: float = _setting(
        "seconds a structural query may run on one document before it is stopped (error -32803 naming the "
        "file and this setting)", 4.0, minimum=0.1, flag="`--timeout` (query)")
    max_instances: int = _setting("driver processes per language", 2, minimum=1)
    min_instances: int = _setting("driver processes kept warm per language", 0, minimum=0)
    idle_timeout: float = _setting(
        "seconds before an idle driver process above `minInstances` is stopped", 300.0, minimum=0)
    memory_limit_mib: int = _setting(
        "memory of a driver container (docker and oci runtimes); above it the kernel kills the driver", 512,
        minimum=16)
    driver_network: bool = _setting("give driver containers a network (drivers do not need one)", False)
    workspace_index: bool = _setting(
        "keep an index of the workspace's parses in the user's cache folder, built in the background from "
        "start-up and refreshed on save and on changes to files: structural search and workspace symbols answer "
        "from it", True, flag="`bblfsh-lsp index`")
    drivers: dict[str, str] = _setting(
        "which driver parses a language: `{\"go\": \"universal\"}` or `{\"*\": \"native\"}`; `auto` (the default) "
        "takes the language's own driver when it is installed and prepared, else the universal driver "
        "(tree-sitter); `native` forces its own, `universal` the universal one",
        factory=dict, choices=PREFERENCES, flag="`--driver LANG=CHOICE`",
        documented_default="{}")
    driver_updates: str = _setting(
        "what a running server does when a registry offers a newer version of a driver installed from it "
        "(docker and oci runtimes): `notify` asks, with an action that updates; `apply` updates blue/green on "
        "its own, once no request is running, and says so; `off` asks no registry",
        "notify", choices=DRIVER_UPDATES)
    driver_update_interval: float = _setting(
        "seconds between two looks at the registries of the installed drivers (`driverUpdates`); the first "
        "is a minute after start-up, or sooner if this is shorter", 21600.0, minimum=1)

    def pool(self) -> PoolSettings:
        return PoolSettings(
            min_instances=self.min_instances,
            max_instances=max(self.max_instances, 1),
            idle_timeout=self.idle_timeout,
            deadline=self.request_timeout,
        )

    def driver_preferences(self) -> dict[str, str]:
        """`drivers` by Babelfish's language names ("c#" -> "csharp"); a bad choice is logged and skipped."""
        preferences = {}
        for language, choice in self.drivers.items():
            if choice not in PREFERENCES:
                log.warning("ignoring setting drivers.%s=%r: expected one of %s", language, choice,
                            ", ".join(PREFERENCES))
                continue
            preferences[language if language == ANY_LANGUAGE else canonical(language) or language] = choice
        return preferences

    def isolation(self) -> Isolation:
        return Isolation(memory_bytes=self.memory_limit_mib * 1024 * 1024, network=self.driver_network)

    def with_editor_options(self, options: Any) -> Settings:
        """These settings updated with what an editor sent; bad values are logged and skipped."""
        if not isinstance(options, dict):
            return self
        if isinstance(options.get("bblfsh"), dict):
            options = options["bblfsh"]
        current = editor_options(self)
        given = dict(current)
        for key, value in options.items():
            key = RENAMED_KEYS.get(key, key)
            if key not in current:
                log.info("ignoring unknown setting %r", key)
            elif value is None:  # the editor resets it: the default
                del given[key]
            else:
                given[key] = value
        try:
            return _converter().structure(given, Settings)
        except cattrs.ClassValidationError as error:
            for _problem, note in error.group_exceptions()[0]:
                key = editor_key(note.name)
                expected = getattr(note.type, "__name__", note.type)
                log.warning("ignoring setting %s=%r: expected %s", key, given[key], expected)
                given[key] = current[key]
            # Raises only if a value this class held was bad: never, as every one passed here.
            return _converter().structure(given, Settings)


attrs.resolve_types(Settings)  # its fields' types as types, not as written: what the editors' schemas are made from


def editor_key(attribute: str) -> str:
    """The editor's name of a setting: ``max_file_bytes`` -> ``maxFileBytes``."""
    return camel_case(attribute)


def setting_help(field: attrs.Attribute[Any]) -> SettingHelp:
    help_: SettingHelp = field.metadata[_HELP]
    return help_


def editor_options(settings: Settings) -> dict[str, Any]:
    """The settings as an editor sends them."""
    options: dict[str, Any] = _converter().unstructure(settings)
    return options


def _structure_bool(value: Any, _kind: type) -> bool:
    """A JSON boolean, or its spelling in a string ("true", "False"); not any value Python finds true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"not a boolean: {value!r}")


@functools.cache
def _converter() -> cattrs.Converter:
    """The editor's converter, made when an editor's settings are first read or written (its hooks
    are generated code: a command line, whose settings are flags, never needs it)."""
    converter = cattrs.Converter()
    converter.register_structure_hook(bool, _structure_bool)
    register_camel_case(converter, Settings)
    return converter
