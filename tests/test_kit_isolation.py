"""The driver kit's edge.  A driver image holds the kit (driver_runtime/sdk/, whole), the driver's
own folders and empty package markers: nothing else of this package (images.py).  So the kit and
every driver may import only the standard library, the kit, the driver's own folders (its
manifest's `includes` too) and the kit's requirements (sdk/requirements.txt).

Checked twice: by reading the imports of every module under sdk/ and drivers/, and by running
drivers from an image's build context, assembled by the function images.py builds with, on this
host, in an interpreter that sees neither the repository nor any package the kit does not require.
"""

from __future__ import annotations

import ast
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import toolchain_unavailable

from driver_runtime import images
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.sdk.prepared import build_dir
from driver_runtime.sdk.programs import ISOLATED_PYTHON_FLAGS, toolchain_environment
from driver_runtime.sdk.serve import load_manifest

# Packages that are empty markers in an image: `from driver_runtime import X` can only mean the
# module driver_runtime.X there, whatever the host's driver_runtime/__init__.py exports.
MARKER_PACKAGES = frozenset({"driver_runtime", "driver_runtime.drivers"})
KIT_MODULE = "driver_runtime.sdk"
DRIVERS_MODULE = "driver_runtime.drivers"


# --- what a module imports, and what it may import -----------------------------------------------

def normalized(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them (typing_extensions == typing-extensions)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def requirement_names(path: Path) -> set[str]:
    """The distributions a pip requirements file names (options and hash lines aside)."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement and not requirement.startswith("-"):
            names.add(normalized(re.split(r"[\s=<>!~;\[@\\]", requirement, maxsplit=1)[0]))
    return names


def import_names(distributions: Iterable[str]) -> set[str]:
    """The top-level modules the distributions give (attrs gives attr and attrs), as the installed
    ones say; one not installed here (a native helper's, prepared elsewhere) gives its own name."""
    wanted = set(distributions)
    installed = {module for module, owners in importlib.metadata.packages_distributions().items()
                 if any(normalized(owner) in wanted for owner in owners)}
    return installed | {name.replace("-", "_") for name in wanted}


def module_name(package: Path, path: Path) -> str:
    """The dotted name of the module at `path`, under the folder `package` (driver_runtime)."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of each import in the file, wherever it is (in a function, under
    TYPE_CHECKING: an image must hold what any of them names)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            if base in MARKER_PACKAGES:
                for alias in node.names:
                    yield node.lineno, f"{base}.{alias.name}"
            else:
                yield node.lineno, base


def within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def foreign_imports(package: Path) -> list[str]:
    """Every import, in a module under PACKAGE/sdk or PACKAGE/drivers, of what a driver image does
    not hold, as "path:line: module"."""
    kit_requirements = import_names(requirement_names(package / "sdk" / "requirements.txt"))
    drivers = package / "drivers"
    found = []
    for path in sorted([*(package / "sdk").rglob("*.py"), *drivers.rglob("*.py")]):
        if "__pycache__" in path.parts:
            continue
        own_modules = {KIT_MODULE}
        third_party = set(kit_requirements)
        if drivers in path.parents and path.parent != drivers:
            folder = drivers / path.relative_to(drivers).parts[0]
            # A driver without a manifest yet (the universal driver) includes no other folder.
            includes = load_manifest(folder).includes if (folder / "manifest.json").exists() else []
            own_modules |= {f"{DRIVERS_MODULE}.{name}" for name in [folder.name, *includes]}
            if (folder / "requirements.txt").exists():  # a driver's own packages (the universal driver's)
                third_party |= import_names(requirement_names(folder / "requirements.txt"))
        if not (path.parent / "__init__.py").exists():
            # A script (a native helper in Python): its folder is first on its sys.path, and it
            # runs with what its driver's prepare.sh installed from native/requirements.txt.
            third_party |= {sibling.stem for sibling in path.parent.glob("*.py")}
            third_party |= import_names(requirement_names(path.parent / "requirements.txt")
                                        if (path.parent / "requirements.txt").exists() else ())
        for line, name in imported_modules(path, module_name(package, path)):
            top = name.partition(".")[0]
            if not (top in sys.stdlib_module_names or top in third_party
                    or any(within(name, own) for own in own_modules)):
                found.append(f"{path.relative_to(package.parent)}:{line}: {name}")
    return found


def test_the_kit_and_the_drivers_import_only_what_an_image_holds():
    assert foreign_imports(images.PACKAGE) == []


def test_a_foreign_import_is_found(tmp_path):
    """The check itself, on a copy of the kit and of a driver: a host module, a package the kit
    does not require and another driver's module are each found, wherever they are imported."""
    package = tmp_path / "driver_runtime"
    shutil.copytree(images.KIT, package / "sdk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(images.PACKAGE / "drivers" / "go", package / "drivers" / "go",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (package / "drivers" / "__init__.py").write_text("")
    assert foreign_imports(package) == []
    with (package / "sdk" / "serve.py").open("a") as serve:
        serve.write("\n\ndef later():\n    from driver_runtime import paths\n")
    with (package / "drivers" / "go" / "driver.py").open("a") as driver:
        driver.write("\nimport yaml\nfrom .. import python\n")
    found = [re.sub(r":\d+:", ":", entry) for entry in foreign_imports(package)]
    assert found == ["driver_runtime/drivers/go/driver.py: yaml",
                     "driver_runtime/drivers/go/driver.py: driver_runtime.drivers.python",
                     "driver_runtime/sdk/serve.py: driver_runtime.paths"]


# --- drivers run from an image's build context ---------------------------------------------------

@pytest.fixture(scope="module")
def kit_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python that sees the standard library and the kit's requirements only: a new virtual
    environment whose site-packages links to their installed distributions (not the repository,
    which this test's environment reaches through its editable install)."""
    folder = tmp_path_factory.mktemp("kit-python")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    site_packages = next(folder.glob("lib/python3*/site-packages"))
    for name in requirement_names(images.KIT / "requirements.txt"):
        distribution = importlib.metadata.distribution(name)
        tops = {file.parts[0] for file in distribution.files or () if file.parts[0] not in ("..", "__pycache__")}
        for top in tops:
            (site_packages / top).symlink_to(Path(str(distribution.locate_file(top))))
    return folder / "bin" / "python"


def unpacked_context(spec: DriverSpec, folder: Path) -> Path:
    """The driver image's build context (images.build_context), unpacked in `folder`."""
    with tarfile.open(fileobj=io.BytesIO(images.build_context(spec))) as tar:
        tar.extractall(folder, filter="data")
    return folder


def types_in(tree: Any) -> set[str]:
    if isinstance(tree, dict):
        return {tree.get("@type", ""), *(kind for value in tree.values() for kind in types_in(value))}
    if isinstance(tree, list):
        return {kind for item in tree for kind in types_in(item)}
    return set()


@pytest.mark.parametrize("language, filename, source", [
    pytest.param("python", "answer.py", "def answer():\n    return 42\n", id="python"),
    # A driver around a native parser (node), found where `driver install --runtime process` put it.
    pytest.param("javascript", "answer.js", "function answer() {\n  return 42;\n}\n", id="javascript"),
])
def test_a_driver_runs_from_its_image_context_alone(kit_python, tmp_path, language, filename, source):
    spec = Registry.bundled().get(language)
    assert spec is not None and spec.folder is not None
    if (spec.folder / "prepare.sh").exists():
        if shutil.which("node") is None:
            toolchain_unavailable("node is not installed (scripts/setup-toolchains.sh installs it)")
        if not build_dir(spec.manifest.name, spec.manifest.version).is_dir():
            toolchain_unavailable(f"the {language} driver is not prepared "
                                  f"(bblfsh-lsp driver install {language} --runtime process)")
    context = unpacked_context(spec, tmp_path)
    assert sorted(path.name for path in (context / "driver_runtime").iterdir()) == ["__init__.py", "drivers", "sdk"]
    assert sorted(path.name for path in (context / "driver_runtime" / "drivers").iterdir()) == [
        "__init__.py", *sorted([spec.folder.name, *spec.manifest.includes])]
    requests = [{"id": 1, "method": "info"},
                {"id": 2, "method": "parse", "params": {"content": source, "filename": filename, "mode": "semantic"}}]
    # As an image's entry point runs it, with the context in the image's /opt/driver.
    run = subprocess.run(
        [str(kit_python), *ISOLATED_PYTHON_FLAGS, str(context / "driver_runtime" / "sdk" / "launch.py"),
         "-m", f"driver_runtime.drivers.{language}"],
        input="".join(json.dumps(request) + "\n" for request in requests).encode(), capture_output=True,
        cwd=context / "driver_runtime" / "drivers" / language, env=toolchain_environment(os.environ), timeout=120,
        check=False,
    )
    stderr = run.stderr.decode(errors="replace")
    assert run.returncode == 0, stderr
    info, parsed = (json.loads(line) for line in run.stdout.splitlines())
    assert info["result"]["name"] == language, stderr
    assert not parsed["result"].get("errors"), parsed
    assert "uast:FunctionGroup" in types_in(parsed["result"]["uast"])
