"""Which driver parses a language: a language's own driver when it can run, else the universal
driver; a setting forces either; `bblfsh-lsp languages` says which and why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bblfsh_lsp.settings import Settings
from driver_runtime.driver_choice import Place, Preference, choose_driver, preference_for, unprepared
from driver_runtime.errors import NoDriver
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.prepared import build_dir
from driver_runtime.service import DriverService

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installation where no driver was prepared."""
    monkeypatch.setenv("BBLFSH_LSP_DATA", str(tmp_path))
    monkeypatch.delenv("BBLFSH_LSP_DRIVER_BUILD", raising=False)
    return tmp_path


@pytest.fixture
def bundled() -> list[Place]:
    return [Place(ProcessRuntime(), Registry.bundled())]


def test_the_registry_knows_a_driver_of_many_languages():
    registry = Registry.bundled()
    universal = registry.get("universal")
    assert universal is not None and "rust" in universal.manifest.languages
    assert {"rust", "csharp", "bash", "kotlin", "python", "go"} <= set(registry.languages())
    assert "universal" not in registry.languages()
    # A language's own driver comes first among those that serve it.
    assert [spec.manifest.name for spec in registry.serving("go")] == ["go", "universal"]
    assert [spec.manifest.name for spec in registry.serving("rust")] == ["universal"]
    assert registry.serving("klingon") == []


def test_a_language_without_a_driver_of_its_own_gets_the_universal_driver(fresh_data, bundled):
    choice = choose_driver("rust", bundled)
    assert choice is not None and choice.spec.manifest.name == "universal" and choice.universal
    assert choice.reason == "universal driver (bundled): no driver of its own"
    assert choose_driver("klingon", bundled) is None


def test_a_native_driver_wins_once_prepared(fresh_data, bundled):
    go = Registry.bundled().get("go")
    assert go is not None and unprepared(go) is not None
    before = choose_driver("go", bundled)
    assert before is not None and before.spec.manifest.name == "universal"
    assert "the go driver's native parser is not prepared" in before.reason
    assert "bblfsh-lsp driver install go --runtime process" in before.reason
    build_dir(go.manifest.name, go.manifest.version).mkdir(parents=True)  # what prepare.sh leaves
    after = choose_driver("go", bundled)
    assert after is not None and after.spec.manifest.name == "go" and after.reason == "its own driver (bundled)"
    # Python's driver needs no preparing.
    python = choose_driver("python", bundled)
    assert python is not None and python.spec.manifest.name == "python"


def test_a_setting_forces_either_driver(fresh_data, bundled):
    forced = choose_driver("python", bundled, Preference.UNIVERSAL)
    assert forced is not None and forced.spec.manifest.name == "universal" and "settings" in forced.reason
    native = choose_driver("go", bundled, Preference.NATIVE)
    assert native is not None and native.spec.manifest.name == "go"
    assert "as the settings ask" in native.reason and "not prepared" in native.reason
    assert choose_driver("rust", bundled, Preference.NATIVE) is None  # no driver of its own to force
    preferences = {"go": "universal", "*": "native"}
    assert preference_for("go", preferences) is Preference.UNIVERSAL
    assert preference_for("java", preferences) is Preference.NATIVE
    assert preference_for("java", {}) is Preference.AUTO


def test_what_the_chosen_runtime_lacks_runs_on_the_local_fallback(fresh_data):
    places = [Place(ProcessRuntime(), Registry()), Place(ProcessRuntime(), Registry.bundled(), fallback=True)]
    choice = choose_driver("python", places)
    assert choice is not None and choice.spec.manifest.name == "python"
    assert "bundled, run locally: none is installed" in choice.reason


def test_settings_take_language_names_and_skip_bad_choices(caplog):
    settings = Settings().with_editor_options({"drivers": {"C#": "universal", "*": "native", "go": "sometimes"}})
    assert settings.driver_preferences() == {"csharp": "universal", "*": "native"}
    assert "drivers.go='sometimes'" in caplog.text


async def test_one_pool_serves_every_language_of_the_universal_driver(fresh_data):
    service = DriverService(ProcessRuntime(), Registry.bundled())
    try:
        rust = await service.parse("fn main() {}\n", "main.rs")
        lua = await service.parse("local function f() end\n", "init.lua")
        assert rust.language == "rust" and rust.uast["@type"] == "rust:source_file"
        assert lua.language == "lua" and lua.uast is not None
        assert len(service.pools()) == 1
        assert service.driver_for("rust").spec.manifest.name == "universal"
        with pytest.raises(NoDriver):
            service.driver_for("klingon")
    finally:
        await service.close()


def _cli(*arguments: str, env_data: Path) -> subprocess.CompletedProcess[str]:
    import os
    env = {**os.environ, "BBLFSH_LSP_DATA": str(env_data)}
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", *arguments],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False)


def test_the_languages_command_says_which_driver_and_why(fresh_data):
    run = _cli("--driver", "python=universal", "languages", "--json", env_data=fresh_data)
    assert run.returncode == 0, run.stderr
    rows = {row["language"]: row for row in map(json.loads, run.stdout.splitlines())}
    assert len(rows) >= 150 and "universal" not in rows
    assert rows["rust"]["driver"] == "universal" and rows["rust"]["why"].endswith("no driver of its own")
    assert rows["go"]["driver"] == "universal" and "not prepared" in rows["go"]["why"]
    assert rows["python"]["driver"] == "universal" and "settings" in rows["python"]["why"]
    assert rows["java"]["driver"] == "universal"
    table = _cli("languages", env_data=fresh_data)
    assert table.returncode == 0 and any(line.split()[:2] == ["python", "python"] for line in table.stdout.splitlines())


def test_a_bad_driver_flag_is_a_clear_error(fresh_data):
    run = _cli("--driver", "go=sometimes", "languages", env_data=fresh_data)
    assert run.returncode == 2 and "LANG=CHOICE" in run.stderr
