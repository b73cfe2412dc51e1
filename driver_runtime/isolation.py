"""How a driver container is confined: the same promises for every container runtime.

Defaults: no network, read-only root filesystem, every capability dropped, no new privileges,
memory and process limits, a non-root user, and only a small tmpfs at /tmp writable.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Isolation:
    network: bool = False  # True: the runtime's default network; False: loopback only
    read_only: bool = True  # the root filesystem
    memory_bytes: int = 512 * 1024 * 1024  # hard limit; the kernel kills the driver above it
    pids: int = 128  # processes and threads
    user: str = "10001:10001"  # uid:gid inside the container
    tmpfs_bytes: int = 64 * 1024 * 1024  # size of the writable /tmp
    drop_capabilities: bool = True  # all of them
    no_new_privileges: bool = True
