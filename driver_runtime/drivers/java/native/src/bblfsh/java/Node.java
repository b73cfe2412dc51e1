package bblfsh.java;

import java.util.ArrayList;
import java.util.List;

/** A native UAST node in wire form: @type, @token, @pos {start, end} (UTF-16 offsets) and fields. */
final class Node {
    /** The type of a stub written as {"@kept": N}, N its token (Kept). */
    static final String KEPT = new String("@kept");

    final String type;
    String token;
    int start = -1;
    int end = -1;
    final List<String> keys = new ArrayList<>(6);
    final List<Object> values = new ArrayList<>(6);

    Node(String type, int start, int end) {
        this.type = type;
        this.start = start;
        this.end = end;
    }

    /** Set a field: a Node, a List of Nodes (empty lists are written null, as Babelfish did), a String or null. */
    Node put(String key, Object value) {
        int at = keys.indexOf(key);
        if (at >= 0) {
            values.set(at, value);
        } else {
            keys.add(key);
            values.add(value);
        }
        return this;
    }

    Object get(String key) {
        int at = keys.indexOf(key);
        return at < 0 ? null : values.get(at);
    }

    Node token(String token) {
        this.token = token;
        return this;
    }

    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029
                            || (Character.isSurrogate(c) && !validSurrogate(s, i))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Writes the tree; iterative, so that very deep trees do not need a deep stack. */
    static void write(StringBuilder out, Object root) {
        // A stack of frames: Node with its next field index, or a List with its next element index.
        ArrayList<Object> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        writeValueStart(out, root, stack, next);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Object frame = stack.get(top);
            int index = next.get(top);
            if (frame instanceof Node) {
                Node node = (Node) frame;
                if (index >= node.keys.size()) {
                    out.append('}');
                    stack.remove(top);
                    next.remove(top);
                    continue;
                }
                next.set(top, index + 1);
                out.append(',');
                writeString(out, node.keys.get(index));
                out.append(':');
                writeValueStart(out, node.values.get(index), stack, next);
            } else {
                List<?> list = (List<?>) frame;
                if (index >= list.size()) {
                    out.append(']');
                    stack.remove(top);
                    next.remove(top);
                    continue;
                }
                next.set(top, index + 1);
                if (index > 0) out.append(',');
                writeValueStart(out, list.get(index), stack, next);
            }
        }
    }

    private static void writeValueStart(StringBuilder out, Object value, ArrayList<Object> stack, ArrayList<Integer> next) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            writeString(out, (String) value);
        } else if (value instanceof Node && ((Node) value).type == KEPT) {
            out.append("{\"@kept\":").append(((Node) value).token).append('}');
        } else if (value instanceof Node) {
            Node node = (Node) value;
            out.append("{\"@type\":");
            writeString(out, node.type);
            if (node.token != null) {
                out.append(",\"@token\":");
                writeString(out, node.token);
            }
            if (node.start >= 0 || node.end >= 0) {
                out.append(",\"@pos\":{");
                boolean first = true;
                if (node.start >= 0) {
                    out.append("\"start\":").append(node.start);
                    first = false;
                }
                if (node.end >= 0) {
                    if (!first) out.append(',');
                    out.append("\"end\":").append(node.end);
                }
                out.append('}');
            }
            stack.add(node);
            next.add(0);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            if (list.isEmpty()) {
                out.append("null");
            } else {
                out.append('[');
                stack.add(list);
                next.add(0);
            }
        } else {
            writeString(out, String.valueOf(value));
        }
    }
}
