package bblfsh.java;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.Trees;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The native side of the Java driver: one JSON request per line on stdin,
 * {"content": "...", "filename": "..."} (and for a kept document "keep" and "reuse": see Kept), one
 * JSON answer per line on stdout,
 * {"ast": native tree or null, "errors": [{"message", "line", "col"}]}.
 * The parser is javac's own (the JDK's compiler tree API, parse phase only).
 */
public final class Main {
    private static final int MAX_ERRORS = 20;
    private static final List<String> OPTIONS = List.of("-proc:none", "-implicit:none", "-Xlint:none", "-nowarn",
            "-XDsuppressNotes", "--enable-preview", "--release", String.valueOf(Runtime.version().feature()));

    private final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    private final StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        // Answers own the real stdout: nothing else may write there.
        OutputStream stdout = new java.io.FileOutputStream(java.io.FileDescriptor.out);
        System.setOut(new PrintStream(System.err, true, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(stdout, 1 << 16), false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        Main main = new Main();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String answer = main.answerInThread(line);
            out.append(answer).append('\n');
            out.flush();
        }
    }

    /** Parsing and converting recurse over the tree: run them with a large stack. */
    private String answerInThread(String line) throws InterruptedException {
        String[] result = new String[1];
        Thread worker = new Thread(null, () -> result[0] = answer(line), "parse", 1L << 30);
        worker.start();
        worker.join();
        return result[0] != null ? result[0] : error("the parser failed");
    }

    String answer(String line) {
        try {
            Map<String, String> request = Json.parseStrings(line);
            String content = request.getOrDefault("content", "");
            return parse(content == null ? "" : content, Kept.generation(request.get("keep")),
                    Kept.generation(request.get("reuse")));
        } catch (IllegalArgumentException ex) {
            return error("bad request: " + ex.getMessage());
        } catch (StackOverflowError ex) {
            return error("the code is nested too deeply to parse");
        } catch (OutOfMemoryError ex) {
            return error("out of memory");
        } catch (Throwable ex) {
            ex.printStackTrace();
            return error("internal error: " + ex);
        }
    }

    private static String error(String message) {
        StringBuilder out = new StringBuilder("{\"ast\":null,\"errors\":[{\"message\":");
        Node.writeString(out, message);
        return out.append("}]}").toString();
    }

    String parse(String content) throws IOException {
        return parse(content, -1, -1);
    }

    /** `keep` and `reuse`: a kept document's generations (Kept), -1 for none. */
    String parse(String content, int keep, int reuse) throws IOException {
        // javac reads a byte order mark as an illegal character: a blank in its place keeps offsets
        String source = content.startsWith("\uFEFF") ? " " + content.substring(1) : content;
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Source.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<Diagnostic<? extends JavaFileObject>> errors = new ArrayList<>();
        DiagnosticListener<JavaFileObject> listener = d -> {
            if (d.getKind() == Diagnostic.Kind.ERROR) errors.add(d);
        };
        JavacTask task = (JavacTask) compiler.getTask(null, files, listener, OPTIONS, null, List.of(file));
        Iterable<? extends CompilationUnitTree> units = task.parse();
        CompilationUnitTree unit = units.iterator().next();
        StringBuilder out = new StringBuilder(Math.max(1024, source.length() * 24));
        if (!errors.isEmpty()) {
            out.append("{\"ast\":null,\"errors\":[");
            LineMap lines = new LineMap(source);
            for (int i = 0; i < errors.size() && i < MAX_ERRORS; i++) {
                Diagnostic<? extends JavaFileObject> d = errors.get(i);
                if (i > 0) out.append(',');
                out.append("{\"message\":");
                Node.writeString(out, d.getMessage(Locale.ROOT));
                long position = d.getPosition();
                if (position >= 0) {
                    int[] lc = lines.lineCol((int) position);
                    out.append(",\"line\":").append(lc[0]).append(",\"col\":").append(lc[1]);
                }
                out.append('}');
            }
            return out.append("]}").toString();
        }
        Node tree = new Converter(source, unit, Trees.instance(task).getSourcePositions()).compilationUnit();
        Kept kept = keep >= 0 ? Kept.stub(tree, source, keep, reuse) : null;
        out.append("{\"ast\":");
        Node.write(out, tree);
        if (kept != null) kept.writeStarts(out.append(",\"kept\":").append(keep).append(",\"starts\":"));
        return out.append(",\"errors\":[]}").toString();
    }

    /** 1-based line and column (in UTF-16 units) of an offset. */
    static final class LineMap {
        private final int[] starts;

        LineMap(String s) {
            List<Integer> list = new ArrayList<>();
            list.add(0);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'))) list.add(i + 1);
            }
            starts = list.stream().mapToInt(Integer::intValue).toArray();
        }

        int[] lineCol(int offset) {
            int lo = 0, hi = starts.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (starts[mid] <= offset) lo = mid + 1; else hi = mid;
            }
            return new int[] {lo, offset - starts[lo - 1] + 1};
        }
    }

    /** Just enough JSON to read a request: an object whose string members are kept. */
    static final class Json {
        static Map<String, String> parseStrings(String text) {
            Json p = new Json(text);
            p.skip();
            Map<String, String> out = new HashMap<>();
            p.expect('{');
            p.skip();
            if (p.peek() == '}') return out;
            while (true) {
                p.skip();
                String key = p.string();
                p.skip();
                p.expect(':');
                p.skip();
                char first = p.peek();
                if (first == '"') out.put(key, p.string());
                else if (first == '{' || first == '[') p.value();
                else out.put(key, p.literal()); // a number, true, false or null, as its text
                p.skip();
                char c = p.next();
                if (c == '}') return out;
                if (c != ',') throw new IllegalArgumentException("expected , or } at " + p.i);
            }
        }

        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private char peek() {
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end");
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u':
                        if (i + 4 > s.length()) throw new IllegalArgumentException("bad escape");
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: b.append(e);
                }
            }
        }

        /** A scalar that is not a string (a number, true, false, null): its text. */
        private String literal() {
            int start = i;
            while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) i++;
            return s.substring(start, i);
        }

        private void value() {
            char c = peek();
            if (c == '"') {
                string();
            } else if (c == '{' || c == '[') {
                char close = c == '{' ? '}' : ']';
                next();
                skip();
                if (peek() == close) {
                    next();
                    return;
                }
                while (true) {
                    skip();
                    if (c == '{') {
                        string();
                        skip();
                        expect(':');
                        skip();
                    }
                    value();
                    skip();
                    char d = next();
                    if (d == close) return;
                    if (d != ',') throw new IllegalArgumentException("bad JSON at " + (i - 1));
                }
            } else {
                while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) i++;
            }
        }
    }
}
