package bblfsh.java;

import java.util.ArrayList;
import java.util.List;

/**
 * A small Java tokenizer over the source: the positions of tokens and comments, which javac's
 * tree does not keep (names of declarations, brackets, semicolons, modifiers in source order,
 * comments).  Offsets are char (UTF-16) indexes, like javac's.
 */
final class Lexer {
    static final byte IDENT = 1, NUMBER = 2, STRING = 3, CHAR = 4, OP = 5;
    static final byte LINE_COMMENT = 1, BLOCK_COMMENT = 2, JAVADOC = 3;

    final String src;
    int count;
    int[] starts = new int[256];
    int[] ends = new int[256];
    byte[] kinds = new byte[256];

    final List<int[]> comments = new ArrayList<>(); // {start, end, kind}

    Lexer(String src) {
        this.src = src;
        run();
    }

    private void add(byte kind, int start, int end) {
        if (count == starts.length) {
            int size = count * 2;
            starts = java.util.Arrays.copyOf(starts, size);
            ends = java.util.Arrays.copyOf(ends, size);
            kinds = java.util.Arrays.copyOf(kinds, size);
        }
        starts[count] = start;
        ends[count] = end;
        kinds[count] = kind;
        count++;
    }

    private void run() {
        final String s = src;
        final int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\uFEFF') {
                i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                int j = i + 2;
                while (j < n && s.charAt(j) != '\n' && s.charAt(j) != '\r') j++;
                comments.add(new int[] {i, j, LINE_COMMENT});
                i = j;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int j = s.indexOf("*/", i + 2);
                j = j < 0 ? n : j + 2;
                boolean doc = i + 2 < n && s.charAt(i + 2) == '*' && !(i + 3 < n && s.charAt(i + 3) == '/');
                comments.add(new int[] {i, j, doc ? JAVADOC : BLOCK_COMMENT});
                i = j;
            } else if (Character.isJavaIdentifierStart(c) || Character.isHighSurrogate(c)) {
                int j = i + Character.charCount(s.codePointAt(i));
                while (j < n) {
                    int cp = s.codePointAt(j);
                    if (!Character.isJavaIdentifierPart(cp)) break;
                    j += Character.charCount(cp);
                }
                add(IDENT, i, j);
                i = j;
            } else if (c >= '0' && c <= '9' || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                int j = i + 1;
                while (j < n) {
                    char d = s.charAt(j);
                    if (Character.isLetterOrDigit(d) || d == '_' || d == '.') {
                        j++;
                    } else if ((d == '+' || d == '-') && "eEpP".indexOf(s.charAt(j - 1)) >= 0
                            && !(s.charAt(i) == '0' && j > i + 1 && "xX".indexOf(s.charAt(i + 1)) >= 0 && "eE".indexOf(s.charAt(j - 1)) >= 0)) {
                        j++;
                    } else {
                        break;
                    }
                }
                add(NUMBER, i, j);
                i = j;
            } else if (c == '"') {
                int j;
                if (s.startsWith("\"\"\"", i)) {
                    j = i + 3;
                    while (j < n && !s.startsWith("\"\"\"", j)) j += s.charAt(j) == '\\' ? 2 : 1;
                    j = Math.min(n, j + 3);
                } else {
                    j = i + 1;
                    while (j < n && s.charAt(j) != '"' && s.charAt(j) != '\n') j += s.charAt(j) == '\\' ? 2 : 1;
                    j = Math.min(n, j + 1);
                }
                add(STRING, i, j);
                i = j;
            } else if (c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != '\'' && s.charAt(j) != '\n') j += s.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(n, j + 1);
                add(CHAR, i, j);
                i = j;
            } else if (c == '.' && s.startsWith("...", i)) {
                add(OP, i, i + 3);
                i += 3;
            } else if (c == ':' && i + 1 < n && s.charAt(i + 1) == ':') {
                add(OP, i, i + 2);
                i += 2;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '>') {
                add(OP, i, i + 2);
                i += 2;
            } else {
                // One char per operator token: enough to find brackets, separators and '@'.
                add(OP, i, i + 1);
                i++;
            }
        }
    }

    /** The index of the first token that starts at or after offset (count if none). */
    int at(int offset) {
        int lo = 0, hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < offset) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** The index of the last token that ends at or before offset (-1 if none). */
    int before(int offset) {
        int lo = 0, hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= offset) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    boolean is(int index, String text) {
        if (index < 0 || index >= count) return false;
        int len = ends[index] - starts[index];
        return len == text.length() && src.startsWith(text, starts[index]);
    }

    boolean isChar(int index, char ch) {
        return index >= 0 && index < count && ends[index] - starts[index] == 1 && src.charAt(starts[index]) == ch;
    }

    String text(int index) {
        return src.substring(starts[index], ends[index]);
    }

    /** The first token at or after `from` (and before `limit`) that is `text`; -1 if none. */
    int find(int from, int limit, String text) {
        for (int i = at(from); i < count && starts[i] < limit; i++) {
            if (is(i, text)) return i;
        }
        return -1;
    }

    /** The first token at or after `from` (before `limit`) equal to `text` at bracket depth 0. */
    int findTop(int from, int limit, String text) {
        int depth = 0;
        for (int i = at(from); i < count && starts[i] < limit; i++) {
            if (depth == 0 && is(i, text)) return i;
            if (ends[i] - starts[i] == 1) {
                char c = src.charAt(starts[i]);
                if (c == '(' || c == '[' || c == '{') depth++;
                else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
            }
        }
        return -1;
    }
}
