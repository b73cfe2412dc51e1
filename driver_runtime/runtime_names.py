"""The names of the runtimes, as users write them (``--runtime``, the ``runtime`` setting).

The one place they are spelled: the code compares with these constants, and the editor clients'
lists (VS Code's ``bblfsh.runtime`` choices) are generated from them by scripts/generate_facts.py.
Plain strings rather than an enum: they travel as they are in messages, JSON and the state file.
"""

from __future__ import annotations

from typing import Final

AUTO: Final = "auto"
DOCKER: Final = "docker"
OCI: Final = "oci"
PROCESS: Final = "process"

RUNTIME_NAMES: Final = (AUTO, DOCKER, OCI, PROCESS)
RUNTIME_ENV: Final = "BBLFSH_LSP_RUNTIME"  # the runtime when neither an option nor a setting says
CONTAINER_RUNTIMES: Final = (DOCKER, OCI)  # those that run driver images, installed beforehand

# One line on each, for an editor's list of choices (the README's table says more).
SUMMARIES: Final[dict[str, str]] = {
    AUTO: "Docker if an engine answers, else oci if runc can run, else local processes",
    DOCKER: "A container per driver instance, through the Docker Engine API",
    OCI: "runc on OCI bundles unpacked from the driver images (root)",
    PROCESS: "Local child processes: the bundled drivers, no setup",
}
