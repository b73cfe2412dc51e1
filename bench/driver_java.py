"""Benchmark: what the Java driver costs over its parser.

On the largest Java fixture (../shared/conformance/java/bench_othelo.java, 32 KB, or --file),
median latency of:
  reference  - javac's parser called in-process in its own runtime: a small Java program (written,
               compiled and run here) that parses the file with JavacTask.parse(), the same call
               and options as the driver, on a JVM with the driver's options, after --warmup
               parses (the JVM's JIT);
  native     - the driver in this Python process (JavaDriver.parse: the JVM parses, converts to
  annotated    the JDT-shaped tree and writes JSON; Python reads it, converts UTF-16 offsets to
  semantic     bytes and normalizes), per mode;
  runtime    - the same through the process runtime (a driver process, the protocol on pipes),
               semantic mode.
Each is reported as a ratio of medians to the reference.  The driver's are measured after
--warmup rounds of parses (the JVM's JIT), in turns (one of each per round), so that the
machine's noise falls on all of them alike.  A benchmark, not a test: run it by hand.

    python bench/driver_java.py [--n 60] [--warmup 30] [--file PATH]
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from common import CONFORMANCE, Reference, arguments, bench, timed_samples

from driver_runtime.drivers.java.driver import JVM_OPTIONS, JavaDriver, java_binary

FIXTURE = CONFORMANCE / "java" / "bench_othelo.java"

# javac's parser timed in its own JVM: argv = file, warm-up runs, runs; prints the seconds of each
# measured run as a JSON list.
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
        StringJoiner samples = new StringJoiner(",", "[", "]");
        for (int i = -warmup; i < n; i++) {
            JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Source.java"), JavaFileObject.Kind.SOURCE) {
                @Override public CharSequence getCharContent(boolean ignore) { return source; }
            };
            long start = System.nanoTime();
            JavacTask task = (JavacTask) compiler.getTask(null, files, d -> {}, options, null, List.of(file));
            task.parse().iterator().next();
            long end = System.nanoTime();
            if (i >= 0) samples.add(String.valueOf((end - start) / 1e9));
        }
        System.out.println(samples);
    }
}
"""


def reference(path: Path, warmup: int, n: int) -> Reference:
    """javac's parse alone, in its own JVM."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "ParseBench.java"
        source.write_text(REFERENCE, encoding="utf-8")
        javac = str(Path(java_binary()).resolve().parent / "javac")
        subprocess.run([javac, "-nowarn", "-d", folder, str(source)], check=True, capture_output=True)
        options = [o for o in JVM_OPTIONS if not o.startswith("-Xlog")]
        samples = timed_samples([java_binary(), *options, "-cp", folder, "ParseBench", str(path), str(warmup), str(n)])
    return Reference(samples, "javac's parser (JavacTask.parse) in its JVM, the parse alone")


def main() -> None:
    parser = arguments(__doc__, 60, "the Java file to parse (default: bench_othelo.java)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up rounds before measuring (default 30)")
    args = parser.parse_args()
    path = args.file or FIXTURE
    bench(JavaDriver(), path, args.n, lambda: reference(path, args.warmup, args.n), warmup=args.warmup, strict=True)


if __name__ == "__main__":
    main()
