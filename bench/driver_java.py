"""Benchmark: what the Java driver costs over its parser.

Parse latency of the largest Java fixture (../shared/conformance/java/bench_othelo.java, 32 KB):

  reference  - javac's parser called in-process in its own runtime: a small Java program (written,
               compiled and run here) that parses the file with JavacTask.parse(), the same call
               and options as the driver, on a JVM with the driver's options;
  driver     - the driver in this Python process (JavaDriver.parse: the JVM parses, converts to
               the JDT-shaped tree and writes JSON; Python reads it, converts UTF-16 offsets to
               bytes and normalizes), per mode;
  runtime    - the same through the process runtime (a driver process, the protocol on pipes).

Each is measured after a warm-up (the JVM's JIT), as the median of --n parses; the report is the
ratio of medians (driver / reference).  A benchmark, not a test: run it by hand.

    python bench/driver_java.py [--n 60] [--warmup 30] [--file PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from driver_runtime.drivers.java.driver import JVM_OPTIONS, JavaDriver, java_binary  # noqa: E402
from driver_runtime.protocol import METHOD_PARSE, Mode, ParseRequest  # noqa: E402
from driver_runtime.registry import Registry  # noqa: E402
from driver_runtime.runtimes.process import ProcessRuntime  # noqa: E402

FIXTURE = REPO.parent / "shared" / "conformance" / "java" / "bench_othelo.java"

REFERENCE = r"""
import com.sun.source.util.JavacTask;
import javax.tools.*;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class ParseBench {
    public static void main(String[] args) throws Exception {
        String source = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        int warmup = Integer.parseInt(args[1]), n = Integer.parseInt(args[2]);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        List<String> options = List.of("-proc:none", "-implicit:none", "-Xlint:none", "-nowarn", "-XDsuppressNotes",
                "--enable-preview", "--release", String.valueOf(Runtime.version().feature()));
        double[] times = new double[n];
        for (int i = -warmup; i < n; i++) {
            JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Source.java"), JavaFileObject.Kind.SOURCE) {
                @Override public CharSequence getCharContent(boolean ignore) { return source; }
            };
            long start = System.nanoTime();
            JavacTask task = (JavacTask) compiler.getTask(null, files, d -> {}, options, null, List.of(file));
            task.parse().iterator().next();
            long end = System.nanoTime();
            if (i >= 0) times[i] = (end - start) / 1e6;
        }
        Arrays.sort(times);
        System.out.println(times[n / 2]);
    }
}
"""


def reference_median(path: Path, warmup: int, n: int) -> float:
    """javac's parse alone, in its own JVM (milliseconds, median)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ParseBench.java"
        source.write_text(REFERENCE, encoding="utf-8")
        javac = str(Path(java_binary()).resolve().parent / "javac")
        subprocess.run([javac, "-nowarn", "-d", folder, str(source)], check=True, capture_output=True)
        options = [o for o in JVM_OPTIONS if not o.startswith("-Xlog")]
        out = subprocess.run([java_binary(), *options, "-cp", folder, "ParseBench", str(path), str(warmup), str(n)],
                             check=True, capture_output=True, text=True)
        return float(out.stdout.strip())


def driver_medians(path: Path, warmup: int, n: int) -> dict[str, float]:
    source = path.read_text(encoding="utf-8")
    driver = JavaDriver()
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    out = {}
    try:
        for mode in Mode:
            request = ParseRequest(content=source, filename=path.name, mode=mode)
            times = []
            for i in range(warmup + n):
                start = time.perf_counter()
                result = driver.parse(request)
                elapsed = (time.perf_counter() - start) * 1000
                assert result.ok, result.errors
                if i >= warmup:
                    times.append(elapsed)
            out[mode.value] = statistics.median(times)
    finally:
        driver.close()
    return out


async def runtime_median(path: Path, warmup: int, n: int) -> float:
    spec = Registry.bundled().get("java")
    assert spec is not None
    instance = await ProcessRuntime().start(spec)
    request = ParseRequest(content=path.read_text(encoding="utf-8"), filename=path.name)
    times = []
    try:
        for i in range(warmup + n):
            start = time.perf_counter()
            answer = await instance.request(METHOD_PARSE, request, timeout=60)
            elapsed = (time.perf_counter() - start) * 1000
            assert answer.get("uast"), answer.get("errors")
            if i >= warmup:
                times.append(elapsed)
    finally:
        await instance.stop()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--file", type=Path, default=FIXTURE)
    args = parser.parse_args()
    size = args.file.stat().st_size
    print(f"{args.file.name}: {size / 1000:.1f} KB, median of {args.n} parses after {args.warmup} warm-up ones")
    reference = reference_median(args.file, args.warmup, args.n)
    print(f"  reference (javac parse in its JVM)  {reference:8.2f} ms")
    for mode, median in driver_medians(args.file, args.warmup, args.n).items():
        print(f"  driver, {mode:<9} (in process)  {median:8.2f} ms   ratio {median / reference:5.2f}")
    through = asyncio.run(runtime_median(args.file, args.warmup, args.n))
    print(f"  driver, semantic (process runtime) {through:8.2f} ms   ratio {through / reference:5.2f}")


if __name__ == "__main__":
    main()
