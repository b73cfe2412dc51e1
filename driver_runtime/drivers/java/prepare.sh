#!/bin/sh
# Compiles the Java driver's native parser into BUILD_DIR (one recipe: the image's build stage
# and `bblfsh-lsp driver install java --runtime process` both run it).  Needs a JDK 17 or newer
# (Debian: openjdk-17-jdk-headless); no network, no third-party libraries: the parser is the
# JDK's own javac.
#
#   sh prepare.sh BUILD_DIR
set -eu
build="${1:?usage: prepare.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
javac="${JAVAC:-javac}"
java="${JAVA:-java}"

version="$("$javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')"
if [ -z "$version" ] || [ "$version" -lt 17 ]; then
    echo "the Java driver needs javac 17 or newer (found: $("$javac" -version 2>&1))" >&2
    exit 1
fi

jar="${JAR:-$(dirname "$(command -v "$javac")")/jar}"
classes="$build/classes"
mkdir -p "$classes"
# --release 17: the classes run on any JVM from 17 on, whichever JDK compiled them.
"$javac" --release 17 -encoding UTF-8 -nowarn -d "$classes" $(find "$here/native/src" -name '*.java' | sort)
# A jar (class-data sharing maps classes from jars only), with fixed dates: the same sources
# give the same bytes.
"$jar" --create --file "$build/java-driver.jar" --date=2000-01-01T00:00:00Z -C "$classes" .
rm -rf "$classes"
echo "compiled the native parser with javac $version into $build/java-driver.jar"

# JAVA_DRIVER_CDS=1 (the image sets it): a class-data-sharing archive of what a parse loads
# (javac's classes), so that a JVM starts parsing sooner.  An archive is only valid for the JVM
# that wrote it and for this very path of the jar, so it is not made for the process runtime,
# whose build folder is renamed once prepared.
if [ "${JAVA_DRIVER_CDS:-0}" = 1 ]; then
    sample="$build/sample.json"
    printf '%s\n' '{"content":"package p;\nimport java.util.*;\n/** Doc {@link List}. @param <T> t */\nclass A<T> extends B implements C {\n  @Deprecated private int x = 1, y[];\n  A(int... a) { super(); this.x = a.length > 0 ? a[0] : -1; }\n  <U> U f(List<? extends U> l) throws Exception { for (U u : l) { return u; } switch (x) { case 1 -> {} default -> {} } return null; }\n  enum E { K, L(2) { } ; E() {} E(int i) {} }\n  record R(int a) {}\n  interface I { default void g() { Runnable r = () -> System.out.println(\"s\" + 1); } }\n}\n","filename":"A.java"}' >"$sample"
    "$java" -XX:ArchiveClassesAtExit="$build/java.jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xlog:disable \
        -Xlog:all=error:stderr -cp "$build/java-driver.jar" bblfsh.java.Main <"$sample" >/dev/null
    rm -f "$sample"
    echo "wrote the class-data-sharing archive $build/java.jsa"
fi
