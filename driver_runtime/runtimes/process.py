"""The zero-setup runtime: each driver instance is a local child process speaking on its pipes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from driver_runtime.channel import FRAME_LIMIT, Channel
from driver_runtime.runtimes.base import Availability, DriverSpec, DriverUnavailable, Instance, Runtime
from driver_runtime.runtimes.container import StderrTail

# The folder that holds the driver_runtime package: drivers run as "python -m driver_runtime...".
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def expand_command(spec: DriverSpec) -> list[str]:
    """The manifest's command, with {python} and {folder} filled in."""
    folder = str(spec.folder or "")
    return [part.replace("{python}", sys.executable).replace("{folder}", folder) for part in spec.manifest.command]


class ProcessInstance(Instance):
    def __init__(self, spec: DriverSpec, process: asyncio.subprocess.Process):
        super().__init__(spec)
        self.process = process
        assert process.stdout is not None and process.stdin is not None and process.stderr is not None
        self.stderr_tail = StderrTail()
        self._stderr_task = asyncio.ensure_future(self.stderr_tail.drain(process.stderr))
        self.channel = Channel(process.stdout, process.stdin, self._death_note)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _death_note(self) -> str:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await self.process.wait()
        code = self.process.returncode
        status = f"exit status {code}" if code is not None and code >= 0 else (
            f"killed by signal {-code}" if code is not None else "still running")
        tail = self.stderr_tail.summary()
        return status + (f"; stderr: {tail}" if tail else "")

    async def request(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        return await self.channel.call(method, params, timeout)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None and not self.channel.dead

    async def stop(self) -> None:
        process = self.process
        if process.returncode is None:
            if process.stdin is not None:
                process.stdin.close()  # a well-behaved driver exits at EOF
            try:
                async with asyncio.timeout(2.0):
                    await process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        self._stderr_task.cancel()


class ProcessRuntime(Runtime):
    name = "process"

    @classmethod
    def probe(cls) -> Availability:
        return Availability(True, "local processes need no setup")

    async def start(self, spec: DriverSpec) -> ProcessInstance:
        command = expand_command(spec)
        if not command:
            raise DriverUnavailable(f"the {spec.language} driver has no command to run as a process")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
        env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                limit=FRAME_LIMIT,
                start_new_session=True,  # a Ctrl-C in the terminal is for us, not for drivers
            )
        except OSError as exc:
            raise DriverUnavailable(f"cannot start the {spec.language} driver ({command[0]}): {exc}") from exc
        return ProcessInstance(spec, process)
