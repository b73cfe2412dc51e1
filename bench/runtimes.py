"""Benchmark: what running a driver in a container costs, against a local process.

For each runtime (process, docker, oci) with the real Python driver:
  round trip  - p50 and p90 of N parse requests through Instance.request, on a tiny file and on
                the stdlib's argparse.py (~100 KB); overhead = runtime p50 - process p50.
                The runtimes are measured in turns (one request each, round after round), so
                the machine's noise falls on all of them alike;
  cold start  - start() + the first parse answered, then stop (p50 of --cold runs);
  memory      - resident memory of the driver process (RSS, as the host sees it) after the
                large parses, and for containers the memory charged to its cgroup (less page
                cache, as `docker stats`).
Targets: p50 overhead <= 0.5 ms over process; cold start <= 1 s.

Needs the image bblfsh-lsp/driver-python:0.1.0 in the local engine; the oci runtime's bundle is
imported from it into the bundle store (--bundles, default the installation's) if missing.
Run as root: python bench/runtimes.py [--n 300] [--n-large 40] [--cold 8] [--runtimes process,docker,oci]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import attrs

from driver_runtime.bundles import BundleStore
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec, Instance, Runtime
from driver_runtime.runtimes.docker import DockerRuntime
from driver_runtime.runtimes.oci import OCIRuntime
from driver_runtime.runtimes.process import ProcessInstance, ProcessRuntime
from driver_runtime.sdk.protocol import METHOD_PARSE, ParseRequest

IMAGE = "bblfsh-lsp/driver-python:0.1.0"
TINY = "def add(a, b):\n    return a + b\n"
LARGE = Path(argparse.__file__).read_text(encoding="utf-8")
TARGET_OVERHEAD_MS = 0.5
TARGET_COLD_S = 1.0
MIB = 1024 * 1024


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rss_bytes(pid: int | None) -> int | None:
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


async def driver_pid(instance: Instance) -> int | None:
    if isinstance(instance, ProcessInstance):
        return instance.pid
    return await instance.host_pid()  # type: ignore[attr-defined]


async def cgroup_bytes(instance: Instance) -> int | None:
    usage = getattr(instance, "memory_usage", None)
    return await usage() if usage is not None else None


@attrs.define
class Measured:
    tiny: list[float] = attrs.field(factory=list)
    large: list[float] = attrs.field(factory=list)
    cold: list[float] = attrs.field(factory=list)
    rss: int | None = None
    cgroup: int | None = None


async def timed(instance: Instance, content: str) -> float:
    started = time.perf_counter()
    result = await instance.request(METHOD_PARSE, ParseRequest(content=content, filename="bench.py"), timeout=60)
    elapsed = time.perf_counter() - started
    assert result.get("uast"), "the driver did not parse"
    return elapsed


async def cold_starts(runtime: Runtime, spec: DriverSpec, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        instance = await runtime.start(spec)
        try:
            await timed(instance, TINY)
            samples.append(time.perf_counter() - started)
        finally:
            await instance.stop()
    return samples


async def run(args: argparse.Namespace) -> dict[str, Measured]:
    process_spec = Registry.bundled().get("python")
    assert process_spec is not None
    runtimes: dict[str, tuple[Runtime, DriverSpec]] = {"process": (ProcessRuntime(), process_spec)}
    wanted = args.runtimes.split(",")
    if "docker" in wanted or "oci" in wanted:
        import docker

        client = docker.from_env()
        image = client.images.get(args.image)
        container_spec = attrs.evolve(process_spec, image=args.image, digest=image.id)
        if "docker" in wanted:
            runtimes["docker"] = (DockerRuntime(), container_spec)
        if "oci" in wanted:
            store = BundleStore(args.bundles) if args.bundles else BundleStore()
            if not store.has(image.id):
                started = time.perf_counter()
                store.import_from_docker(client, args.image)
                print(f"imported {args.image} into {store.root} in {time.perf_counter() - started:.1f} s",
                      file=sys.stderr)
            runtimes["oci"] = (OCIRuntime(store=store), container_spec)
        client.close()

    measured = {name: Measured() for name in runtimes}
    instances: dict[str, Instance] = {}
    try:
        for name, (runtime, spec) in runtimes.items():
            measured[name].cold = await cold_starts(runtime, spec, args.cold)
            instances[name] = await runtime.start(spec)
            await instances[name].health()
            for _ in range(20):
                await timed(instances[name], TINY)
            for _ in range(3):
                await timed(instances[name], LARGE)
        # In turns: one request on each runtime per round.
        for _ in range(args.n):
            for name, instance in instances.items():
                measured[name].tiny.append(await timed(instance, TINY))
        for _ in range(args.n_large):
            for name, instance in instances.items():
                measured[name].large.append(await timed(instance, LARGE))
        for name, instance in instances.items():
            measured[name].rss = rss_bytes(await driver_pid(instance))
            measured[name].cgroup = await cgroup_bytes(instance)
    finally:
        for instance in instances.values():
            await instance.stop()
        for runtime, _ in runtimes.values():
            await runtime.close()
    return measured


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(measured: dict[str, Measured], args: argparse.Namespace) -> str:
    base = measured["process"]

    def ms(value: float) -> str:
        return f"{value * 1000:.2f}"

    def overhead(samples: list[float], reference: list[float]) -> str:
        return f"{(statistics.median(samples) - statistics.median(reference)) * 1000:+.2f}"

    def mib(value: int | None) -> str:
        return f"{value / MIB:.1f}" if value is not None else "-"

    header = ("runtime", "tiny p50", "tiny p90", "tiny +p50", "100KB p50", "100KB p90", "100KB +p50",
              "cold p50", "cold max", "RSS MiB", "cgroup MiB")
    rows = [header]
    for name, m in measured.items():
        rows.append((
            name, ms(statistics.median(m.tiny)), ms(percentile(m.tiny, 0.9)), overhead(m.tiny, base.tiny),
            ms(statistics.median(m.large)), ms(percentile(m.large, 0.9)), overhead(m.large, base.large),
            ms(statistics.median(m.cold)), ms(max(m.cold)), mib(m.rss), mib(m.cgroup),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.rjust(width) if column else cell.ljust(width)
                       for column, (cell, width) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.append(f"times in ms; +p50 = p50 - process p50; n={args.n} tiny ({len(TINY)} B), "
                 f"n={args.n_large} large ({len(LARGE.encode()) // 1024} KB, argparse.py), cold n={args.cold}")
    for name, m in measured.items():
        if name == "process":
            continue
        tiny_over = (statistics.median(m.tiny) - statistics.median(base.tiny)) * 1000
        cold = statistics.median(m.cold)
        lines.append(f"{name}: tiny p50 overhead {tiny_over:+.2f} ms (target <= {TARGET_OVERHEAD_MS} ms: "
                     f"{verdict(tiny_over <= TARGET_OVERHEAD_MS)}); cold start p50 {cold * 1000:.0f} ms "
                     f"(target <= {TARGET_COLD_S * 1000:.0f} ms: {verdict(cold <= TARGET_COLD_S)})")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="round trips on the tiny file, per runtime")
    parser.add_argument("--n-large", type=int, default=40, help="round trips on argparse.py, per runtime")
    parser.add_argument("--cold", type=int, default=8, help="cold starts per runtime")
    parser.add_argument("--runtimes", default="process,docker,oci")
    parser.add_argument("--image", default=IMAGE)
    parser.add_argument("--bundles", help="bundle store folder (default: the installation's)")
    args = parser.parse_args()
    if os.geteuid() != 0 and "oci" in args.runtimes:
        print("the oci runtime needs root; run as root or pass --runtimes process,docker", file=sys.stderr)
        return 2
    measured = asyncio.run(run(args))
    print(report(measured, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
