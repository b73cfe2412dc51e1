"""The zero-setup runtime: each driver instance is a local child process speaking on its pipes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

from driver_runtime import early
from driver_runtime.channel import FRAME_LIMIT, Channel
from driver_runtime.errors import DriverUnavailable
from driver_runtime.runtime_names import PROCESS
from driver_runtime.runtimes.base import Availability, DriverSpec, Instance, Runtime
from driver_runtime.runtimes.container import StderrTail
from driver_runtime.sdk.programs import isolated_python, toolchain_environment

log = logging.getLogger(__name__)

# The folder that holds the driver_runtime package.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def expand_command(spec: DriverSpec) -> list[str]:
    """The manifest's command, with {folder} filled in and {python} (a part of its own) made
    this interpreter, isolated, through the launcher that puts this package on sys.path
    (sdk/programs.isolated_python): `{python} -m driver_runtime.drivers.python` runs
    `python -I -B .../sdk/launch.py -m driver_runtime.drivers.python`."""
    folder = str(spec.folder or "")
    command: list[str] = []
    for part in spec.manifest.command:
        command += isolated_python() if part == "{python}" else [part.replace("{folder}", folder)]
    return command


def working_directory(spec: DriverSpec) -> str:
    """Where a driver runs: its own folder, never the user's working directory (the workspace,
    for an editor), whose files a toolchain could take for its own modules or configuration."""
    return str(spec.folder) if spec.folder is not None and spec.folder.is_dir() else str(PACKAGE_ROOT)


class _Launched:
    """A driver process started without an event loop (driver_runtime.early), as the instance
    uses an asyncio subprocess: its pipes as streams, its exit awaited."""

    def __init__(self, process: subprocess.Popen[bytes], stdin: asyncio.StreamWriter,
                 stdout: asyncio.StreamReader, stderr: asyncio.StreamReader):
        self._process = process
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.pid = process.pid

    @classmethod
    async def adopt(cls, process: subprocess.Popen[bytes]) -> _Launched:
        loop = asyncio.get_running_loop()
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        readers = []
        for pipe, limit in ((process.stdout, FRAME_LIMIT), (process.stderr, 1 << 16)):
            reader = asyncio.StreamReader(limit=limit, loop=loop)
            await loop.connect_read_pipe(lambda reader=reader: asyncio.StreamReaderProtocol(reader, loop=loop), pipe)
            readers.append(reader)
        transport, protocol = await loop.connect_write_pipe(lambda: asyncio.StreamReaderProtocol(
            asyncio.StreamReader(loop=loop), loop=loop), process.stdin)
        return cls(process, asyncio.StreamWriter(transport, protocol, None, loop), *readers)

    @property
    def returncode(self) -> int | None:
        return self._process.poll()

    async def wait(self) -> int:
        return await asyncio.to_thread(self._process.wait)

    def kill(self) -> None:
        self._process.kill()


class ProcessInstance(Instance):
    def __init__(self, spec: DriverSpec, process: asyncio.subprocess.Process | _Launched):
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
    name = PROCESS

    @classmethod
    def probe(cls) -> Availability:
        return Availability(True, "local processes need no setup")

    async def start(self, spec: DriverSpec) -> ProcessInstance:
        command = expand_command(spec)
        if not command:
            raise DriverUnavailable(f"the {spec.language} driver has no command to run as a process")
        launched = early.take(command, working_directory(spec))
        if launched is not None:  # started by the command line before it could start it here
            log.debug("took the %s driver's process launched at start-up (pid %d)", spec.language, launched.pid)
            return ProcessInstance(spec, await _Launched.adopt(launched))
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=working_directory(spec),
                env=toolchain_environment(os.environ),
                limit=FRAME_LIMIT,
                start_new_session=True,  # a Ctrl-C in the terminal is for us, not for drivers
            )
        except OSError as exc:
            raise DriverUnavailable(f"cannot start the {spec.language} driver ({command[0]}): {exc}") from exc
        return ProcessInstance(spec, process)
