"""The ``oci`` runtime: each driver instance is a runc container, with no daemon in between.

An instance is a bundle folder holding a ``config.json`` generated here from the image's config
(entrypoint, env, working dir, user) and the :class:`Isolation`; its root is the image's rootfs
from the :class:`BundleStore`, shared read-only by every container of that image.
``runc run --keep`` is started with pipes: with ``terminal: false`` runc hands its own
stdin/stdout/stderr to the driver, so the pipes *are* the driver's stdio (no framing, no socket).
``--keep`` leaves the stopped container (and its cgroup) in place after the driver dies, so an
out-of-memory kill can still be read from the cgroup before ``runc delete`` removes it: runc
itself reports only exit status 137, the same as any SIGKILL.

Needs root: rootless runc cannot apply memory and pids limits under cgroup v1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs

from driver_runtime.bundles import BundleStore, ImageInfo
from driver_runtime.channel import FRAME_LIMIT
from driver_runtime.errors import BundleNotFound, DriverUnavailable
from driver_runtime.isolation import Isolation
from driver_runtime.runtime_names import OCI
from driver_runtime.runtimes.base import Availability, DriverSpec, Runtime
from driver_runtime.runtimes.container import (
    HOSTNAME,
    KILL_WAIT,
    LABEL_INSTANCE,
    LABEL_OWNER,
    ContainerInstance,
    ExitStatus,
    install_hint,
    instance_labels,
    owner_is_gone,
    tmpfs_options,
)

# ================================================================================================
# runc
# ================================================================================================

DEFAULT_STATE_DIR = Path("/run/bblfsh-lsp/oci")
CGROUP_PARENT = "/bblfsh-lsp"  # absolute: else runc nests it under the caller's own cgroup
CGROUP_ROOT = Path("/sys/fs/cgroup")
RUNC_TIMEOUT = 10.0
_DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Syscalls a parser never needs, refused with EPERM (everything else is allowed). runc applies
# no seccomp filter unless the config has one; Docker applies its default profile, and this is
# the part of it that matters for a confined, capability-less parser.
SECCOMP_DENY = [
    "acct", "add_key", "bpf", "chroot", "clock_adjtime", "clock_settime", "delete_module",
    "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "init_module", "kexec_file_load",
    "kexec_load", "keyctl", "mount", "move_mount", "name_to_handle_at", "open_by_handle_at",
    "open_tree", "perf_event_open", "pivot_root", "process_vm_readv", "process_vm_writev",
    "ptrace", "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon",
    "syslog", "umount2", "unshare", "userfaultfd",
]
# clone() with a namespace flag is refused, one rule per flag (rules are OR'ed; the arguments
# of one rule are AND'ed). clone3 passes its flags in memory, where seccomp cannot look, so it
# fails with ENOSYS and the C library falls back to clone(), as under Docker's profile.
_CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000]
_ENOSYS = 38


def seccomp_profile() -> dict[str, Any]:
    rules: list[dict[str, Any]] = [{"names": SECCOMP_DENY, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]
    rules += [{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
               "args": [{"index": 0, "value": flag, "valueTwo": flag, "op": "SCMP_CMP_MASKED_EQ"}]}
              for flag in _CLONE_NAMESPACE_FLAGS]
    rules.append({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": _ENOSYS})
    return {"defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": rules}


@attrs.frozen
class ExecUser:
    uid: int
    gid: int
    home: str = "/"


def _passwd_entries(path: Path) -> list[list[str]]:
    try:
        return [line.split(":") for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line and not line.startswith("#")]
    except OSError:
        return []


def resolve_user(user: str, rootfs: Path) -> ExecUser:
    """``uid[:gid]`` or ``name[:group]`` as Docker reads it, against the image's /etc files."""
    name, _, group = (user or "").partition(":")
    uid, gid, home = 0, 0, "/"
    if name:
        for entry in _passwd_entries(rootfs / "etc" / "passwd"):
            if len(entry) >= 6 and (entry[0] == name or entry[2] == name):
                uid, gid, home = int(entry[2]), int(entry[3]), entry[5] or "/"
                break
        else:
            if not name.isdigit():
                raise DriverUnavailable(f"the image has no user {name!r}")
            uid = int(name)
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            for entry in _passwd_entries(rootfs / "etc" / "group"):
                if len(entry) >= 3 and entry[0] == group:
                    gid = int(entry[2])
                    break
            else:
                raise DriverUnavailable(f"the image has no group {group!r}")
    return ExecUser(uid, gid, home)


def _memsw_supported() -> bool:
    v1 = CGROUP_ROOT / "memory"
    return (v1 / "memory.memsw.limit_in_bytes").exists() or (CGROUP_ROOT / "cgroup.controllers").exists()


def oci_config(image: ImageInfo, isolation: Isolation, *, cgroups_path: str,
               annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """The runtime spec (config.json) of one driver container."""
    user = resolve_user(isolation.user or image.user, image.rootfs)
    env = list(image.env)
    if not any(item.startswith("PATH=") for item in env):
        env.insert(0, _DEFAULT_PATH)
    if not any(item.startswith("HOME=") for item in env):
        env.append(f"HOME={user.home}")
    capabilities: list[str] = [] if isolation.drop_capabilities else [
        # Docker's default set, for parity when a caller turns dropping off.
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
    namespaces = [{"type": kind} for kind in ("pid", "ipc", "uts", "mount", "cgroup")]
    if not isolation.network:
        # A new network namespace holds only a loopback interface (down) and no routes. With
        # network allowed, the container shares the host's network: runc has no other.
        namespaces.append({"type": "network"})
    memory: dict[str, int] = {"limit": isolation.memory_bytes}
    if _memsw_supported():
        memory["swap"] = isolation.memory_bytes  # memory+swap = memory: no swap on top
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": user.uid, "gid": user.gid},
            "args": image.args,
            "env": env,
            "cwd": image.workdir or "/",
            "capabilities": {kind: list(capabilities) for kind in
                             ("bounding", "effective", "inheritable", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": isolation.no_new_privileges,
        },
        "root": {"path": str(image.rootfs), "readonly": isolation.read_only},
        "hostname": HOSTNAME,
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": tmpfs_options(isolation)},
        ],
        "annotations": dict(annotations or {}),
        "linux": {
            "namespaces": namespaces,
            "cgroupsPath": cgroups_path,
            "resources": {
                "devices": [{"allow": False, "access": "rwm"}],
                "memory": memory,
                "pids": {"limit": isolation.pids},
            },
            "seccomp": seccomp_profile(),
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                            "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    }


# --- cgroups: what runc does not tell -------------------------------------------------------------


def memory_cgroup_dir(cgroups_path: str) -> Path:
    """The host folder of a container's memory cgroup (v1 controller, else the unified tree)."""
    v1 = CGROUP_ROOT / "memory"
    base = v1 if (v1 / "cgroup.procs").exists() else CGROUP_ROOT
    return base / cgroups_path.lstrip("/")


def _cgroup_counters(path: Path) -> dict[str, int]:
    counters = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if value.strip().isdigit():
                counters[key] = int(value)
    return counters


def oom_kills(cgroup_dir: Path) -> int:
    """How many processes the kernel killed in this cgroup for going over its memory limit."""
    v1 = _cgroup_counters(cgroup_dir / "memory.oom_control")
    if "oom_kill" in v1:
        return v1["oom_kill"]
    return _cgroup_counters(cgroup_dir / "memory.events").get("oom_kill", 0)


def memory_usage(cgroup_dir: Path) -> int | None:
    """Bytes charged to the cgroup, less the page cache it could drop (as `docker stats`)."""
    try:
        if (cgroup_dir / "memory.usage_in_bytes").exists():
            usage = int((cgroup_dir / "memory.usage_in_bytes").read_text())
            return usage - _cgroup_counters(cgroup_dir / "memory.stat").get("total_inactive_file", 0)
        usage = int((cgroup_dir / "memory.current").read_text())
        return usage - _cgroup_counters(cgroup_dir / "memory.stat").get("inactive_file", 0)
    except (OSError, ValueError):
        return None


# --- the runtime -------------------------------------------------------------------------------


class OCIInstance(ContainerInstance):
    runtime_name = OCI

    def __init__(self, spec: DriverSpec, runtime: OCIRuntime, container_id: str, bundle: Path,
                 cgroups_path: str, process: asyncio.subprocess.Process, isolation: Isolation):
        assert process.stdout is not None and process.stdin is not None and process.stderr is not None
        super().__init__(spec, container_id, isolation, process.stdout, process.stdin)
        self.runtime = runtime
        self.bundle = bundle
        self.cgroups_path = cgroups_path
        self.process = process
        # runc's own errors ("error mounting ...") arrive here too, before the driver's.
        self._stderr_task = asyncio.ensure_future(self.stderr_tail.drain(process.stderr))

    @property
    def memory_cgroup(self) -> Path:
        return memory_cgroup_dir(self.cgroups_path)

    def _running(self) -> bool:
        return self.process.returncode is None

    def _close_stdin(self) -> bool:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return True

    async def _exited(self, timeout: float) -> ExitStatus | None:
        try:
            async with asyncio.timeout(timeout):
                code = await self.process.wait()
        except TimeoutError:
            return None
        # `runc run --keep` left the container and its cgroup: read it before `runc delete`.
        return ExitStatus(code, oom_killed=oom_kills(self.memory_cgroup) > 0)

    async def kill(self, signal_name: str = "KILL") -> None:
        code, _, err = await self.runtime.runc("kill", self.container_id, signal_name)
        if code != 0 and self.process.returncode is None:
            raise RuntimeError(f"runc kill {self.container_id}: {err.strip()}")

    async def _remove(self) -> None:
        with contextlib.suppress(Exception):
            await self.runtime.runc("delete", "--force", self.container_id)
        if self.process.returncode is None:  # only if runc itself hung: its container is gone
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KILL_WAIT):
                    await self.process.wait()
        self._stderr_task.cancel()
        await asyncio.to_thread(shutil.rmtree, self.bundle, True)

    # --- for diagnostics, tests and benchmarks -----------------------------------------------

    async def host_pid(self) -> int | None:
        """The driver's pid on the host (``runc state``)."""
        code, out, _ = await self.runtime.runc("state", self.container_id)
        return json.loads(out).get("pid") if code == 0 else None

    async def memory_usage(self) -> int | None:
        return memory_usage(self.memory_cgroup)

    async def exec(self, argv: list[str], timeout: float = 30.0) -> tuple[int, bytes]:
        """Run a command in the driver's container, as the driver's user and confinement
        (``runc exec`` starts from the container's process spec); exit code and output."""
        process = await asyncio.create_subprocess_exec(
            *self.runtime.runc_command("exec", self.container_id, *argv),
            stdin=subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        async with asyncio.timeout(timeout):
            out, _ = await process.communicate()
        return process.returncode or 0, out


class OCIRuntime(Runtime):
    """Drivers as runc containers on bundles unpacked from their images."""

    name = OCI

    def __init__(self, isolation: Isolation | None = None, store: BundleStore | None = None,
                 state_dir: Path | str | None = None, runc: str | None = None):
        self.isolation = isolation or Isolation()
        self.store = store or BundleStore()
        self.state_dir = Path(state_dir) if state_dir is not None else DEFAULT_STATE_DIR
        self.runc_path = runc or shutil.which("runc") or "runc"

    @property
    def runc_root(self) -> Path:
        """runc's own state (``runc --root``)."""
        return self.state_dir / "runc"

    @property
    def instances_dir(self) -> Path:
        return self.state_dir / "instances"

    def runc_command(self, *args: str) -> list[str]:
        return [self.runc_path, "--root", str(self.runc_root), *args]

    async def runc(self, *args: str, timeout: float = RUNC_TIMEOUT) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            *self.runc_command(*args), stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            async with asyncio.timeout(timeout):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            return -1, "", f"runc {args[0]} did not finish within {timeout:g} s"
        return process.returncode or 0, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    @classmethod
    def probe(cls, runc: str | None = None) -> Availability:
        path = runc or shutil.which("runc")
        if not path:
            return Availability(False, "runc is not installed (Debian: apt-get install runc)")
        try:
            version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=5, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            return Availability(False, f"runc at {path} does not run: {exc}")
        first = (version.stdout.splitlines() or ["runc"])[0].strip()
        if os.geteuid() != 0:
            return Availability(False, f"{first} needs root here: rootless runc cannot apply the memory and "
                                       "process limits under cgroup v1; run as root or use the docker runtime")
        if not (CGROUP_ROOT / "memory" / "cgroup.procs").exists() and not (CGROUP_ROOT / "cgroup.controllers").exists():
            return Availability(False, f"{first}: no memory cgroup at {CGROUP_ROOT} to confine drivers with")
        return Availability(True, f"{first}, as root")

    async def start(self, spec: DriverSpec) -> OCIInstance:
        if not spec.digest:
            raise DriverUnavailable(
                f"the {spec.language} driver has no image for the oci runtime; {install_hint(spec, self.name)}")
        try:
            image = self.store.get(spec.digest)
        except BundleNotFound:
            raise DriverUnavailable(
                f"the {spec.language} driver's image {spec.digest[:19]} is not installed for the oci runtime "
                f"(no bundle in {self.store.root}); {install_hint(spec, self.name)}") from None
        container_id = f"bblfsh-lsp-{spec.manifest.name}-{secrets.token_hex(6)}"
        cgroups_path = f"{CGROUP_PARENT}/{container_id}"
        bundle = self.instances_dir / container_id
        config = oci_config(image, self.isolation, cgroups_path=cgroups_path,
                            annotations=instance_labels(spec, self.name))
        try:
            self.runc_root.mkdir(parents=True, exist_ok=True, mode=0o700)
            bundle.mkdir(parents=True, mode=0o700)
            (bundle / "config.json").write_text(json.dumps(config), encoding="utf-8")
            process = await asyncio.create_subprocess_exec(
                *self.runc_command("run", "--keep", "--bundle", str(bundle), container_id),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=FRAME_LIMIT,
                start_new_session=True,  # a Ctrl-C in the terminal is for us, not for drivers
            )
        except BaseException as exc:  # an OSError, or cancelled (by the pool's start timeout)
            with contextlib.suppress(Exception):
                await self.runc("delete", "--force", container_id)
            shutil.rmtree(bundle, ignore_errors=True)
            if isinstance(exc, OSError):
                raise DriverUnavailable(
                    f"cannot start the {spec.language} driver with runc ({self.runc_path}): {exc}") from exc
            raise
        return OCIInstance(spec, self, container_id, bundle, cgroups_path, process, self.isolation)

    async def remove_leftovers(self, all_owners: bool = False) -> list[str]:
        """Delete our containers whose server process is gone (or all of ours); their ids."""
        code, out, _ = await self.runc("list", "--format", "json")
        listed = (json.loads(out or "null") or []) if code == 0 else []
        removed = []
        for container in listed:
            annotations = container.get("annotations") or {}
            if annotations.get(LABEL_INSTANCE) != "1":
                continue
            if all_owners or owner_is_gone(annotations.get(LABEL_OWNER)):
                await self.runc("delete", "--force", container["id"])
                removed.append(container["id"])
        known = {container["id"] for container in listed} - set(removed)
        if self.instances_dir.is_dir():
            for bundle in self.instances_dir.iterdir():
                if bundle.name in known:
                    continue
                with contextlib.suppress(OSError, ValueError):
                    annotations = json.loads((bundle / "config.json").read_text()).get("annotations") or {}
                    if all_owners or owner_is_gone(annotations.get(LABEL_OWNER)) or bundle.name in removed:
                        shutil.rmtree(bundle, ignore_errors=True)
        return removed
