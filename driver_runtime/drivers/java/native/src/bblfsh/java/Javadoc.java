package bblfsh.java;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Javadoc comment as JDT's DOM shapes it: Javadoc {tags: [TagElement]}; the description is a
 * TagElement without a tag name; every line of text is a TextElement; block tags (@param...) and
 * inline tags ({@link ...}) are TagElements whose fragments are names, member and method
 * references (MemberRef, MethodRef with MethodRefParameter) and text.
 */
@SuppressWarnings("unchecked")
final class Javadoc {
    private static final Set<String> REFERENCE_TAGS = Set.of("@see", "@link", "@linkplain", "@throws", "@exception", "@value", "@uses", "@provides");
    private static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "char", "short", "int", "long", "float", "double", "void");

    private final String src;
    private int end; // where the comment's text ends ("*/")

    Javadoc(String src, Lexer lex) {
        this.src = src;
    }

    Node parse(int start, int stop) {
        Node doc = new Node("Javadoc", start, stop);
        end = src.startsWith("*/", stop - 2) && stop - 2 >= start + 3 ? stop - 2 : stop;
        List<Node> tags = new ArrayList<>();
        Node current = null; // the TagElement that collects fragments
        int i = start + 3;
        boolean lineStart = true;
        while (i < end) {
            char c = src.charAt(i);
            if (c == '\n' || c == '\r') {
                i++;
                lineStart = true;
                continue;
            }
            if (lineStart) {
                // skip the margin: blanks, then stars, then blanks
                while (i < end && (src.charAt(i) == ' ' || src.charAt(i) == '\t' || src.charAt(i) == '\f')) i++;
                while (i < end && src.charAt(i) == '*') i++;
                while (i < end && (src.charAt(i) == ' ' || src.charAt(i) == '\t' || src.charAt(i) == '\f')) i++;
                lineStart = false;
                if (i >= end || src.charAt(i) == '\n' || src.charAt(i) == '\r') continue;
                if (src.charAt(i) == '@' && i + 1 < end && Character.isJavaIdentifierStart(src.charAt(i + 1))) {
                    int nameEnd = tagNameEnd(i + 1);
                    String tagName = src.substring(i, nameEnd);
                    current = new Node("TagElement", i, nameEnd);
                    current.put("fragments", new ArrayList<Node>());
                    current.put("tagName", tagName);
                    tags.add(current);
                    i = tagArgument(current, tagName, nameEnd);
                    continue;
                }
            }
            if (current == null) {
                current = new Node("TagElement", i, i);
                current.put("fragments", new ArrayList<Node>());
                current.put("tagName", null);
                tags.add(current);
            }
            i = text(current, i);
        }
        doc.put("tags", tags);
        return doc;
    }

    private int tagNameEnd(int i) {
        while (i < end) {
            char c = src.charAt(i);
            if (Character.isJavaIdentifierPart(c) || c == '-' || c == '.') i++;
            else break;
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    private static void add(Node tag, Node fragment) {
        ((List<Node>) tag.get("fragments")).add(fragment);
        if (fragment.end > tag.end) tag.end = fragment.end;
        if (tag.start > fragment.start) tag.start = fragment.start;
    }

    private int skipBlanks(int i) {
        while (i < end && (src.charAt(i) == ' ' || src.charAt(i) == '\t')) i++;
        return i;
    }

    /** What follows a block tag's name: a parameter name, a reference, then text. */
    private int tagArgument(Node tag, String tagName, int i) {
        int at = skipBlanks(i);
        if (tagName.equals("@param")) {
            if (at < end && src.charAt(at) == '<') {
                int close = src.indexOf('>', at);
                if (close > at && close < end) {
                    add(tag, textElement(at, at + 1));
                    int nameEnd = identifierEnd(at + 1);
                    if (nameEnd > at + 1) add(tag, simpleName(at + 1, nameEnd));
                    add(tag, textElement(close, close + 1));
                    return close + 1;
                }
            }
            int nameEnd = identifierEnd(at);
            if (nameEnd > at) {
                add(tag, simpleName(at, nameEnd));
                return nameEnd;
            }
            return i;
        }
        if (REFERENCE_TAGS.contains(tagName)) {
            int[] stop = new int[1];
            Node ref = reference(at, stop);
            if (ref != null) {
                add(tag, ref);
                return stop[0];
            }
        }
        return i;
    }

    /** Text up to the end of the line, with inline tags; returns where it stopped. */
    private int text(Node tag, int i) {
        int textStart = i;
        while (i < end) {
            char c = src.charAt(i);
            if (c == '\n' || c == '\r') break;
            if (c == '{' && i + 1 < end && src.charAt(i + 1) == '@') {
                if (i > textStart) add(tag, textElement(textStart, i));
                i = inlineTag(tag, i);
                textStart = i;
                continue;
            }
            i++;
        }
        if (i > textStart) add(tag, textElement(textStart, i));
        return i;
    }

    private int inlineTag(Node parent, int open) {
        int nameEnd = tagNameEnd(open + 2);
        String tagName = src.substring(open + 1, nameEnd);
        // the closing brace, counting nested ones
        int depth = 0, close = -1;
        for (int j = open; j < end; j++) {
            char c = src.charAt(j);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) {
                close = j;
                break;
            }
        }
        int stop = close < 0 ? end : close;
        Node tag = new Node("TagElement", open, close < 0 ? end : close + 1);
        tag.put("fragments", new ArrayList<Node>());
        tag.put("tagName", tagName);
        int i = nameEnd;
        if (REFERENCE_TAGS.contains(tagName)) {
            int at = skipBlanks(i);
            int saved = end;
            end = stop;
            int[] after = new int[1];
            Node ref = reference(at, after);
            end = saved;
            if (ref != null) {
                ((List<Node>) tag.get("fragments")).add(ref);
                i = after[0];
            }
        }
        if (i < stop) {
            // the rest, one TextElement per line
            int lineStart = i;
            for (int j = i; j <= stop; j++) {
                if (j == stop || src.charAt(j) == '\n' || src.charAt(j) == '\r') {
                    if (j > lineStart) ((List<Node>) tag.get("fragments")).add(textElement(lineStart, j));
                    // skip the next line's margin
                    while (j + 1 < stop && (src.charAt(j + 1) == '\n' || src.charAt(j + 1) == '\r')) j++;
                    int k = j + 1;
                    while (k < stop && (src.charAt(k) == ' ' || src.charAt(k) == '\t')) k++;
                    while (k < stop && src.charAt(k) == '*') k++;
                    lineStart = k;
                    j = k - 1;
                }
            }
        }
        add(parent, tag);
        return close < 0 ? end : close + 1;
    }

    private int identifierEnd(int i) {
        if (i >= end || !Character.isJavaIdentifierStart(src.charAt(i))) return i;
        i++;
        while (i < end && Character.isJavaIdentifierPart(src.charAt(i))) i++;
        return i;
    }

    /** A Name, MemberRef or MethodRef at `i` (null if there is none); stop[0] is where it ends. */
    private Node reference(int i, int[] stop) {
        if (i >= end) return null;
        char c = src.charAt(i);
        if (c == '"' || c == '<') return null;
        Node qualifier = null;
        int j = i;
        if (c != '#') {
            qualifier = qualifiedName(i);
            if (qualifier == null) return null;
            j = qualifier.end;
        }
        if (j < end && src.charAt(j) == '#') {
            int memberStart = j;
            int nameStart = j + 1;
            int nameEnd = identifierEnd(nameStart);
            if (nameEnd == nameStart) {
                stop[0] = j;
                return qualifier;
            }
            Node name = simpleName(nameStart, nameEnd);
            int from = qualifier != null ? qualifier.start : memberStart;
            if (nameEnd < end && src.charAt(nameEnd) == '(') {
                int close = src.indexOf(')', nameEnd);
                if (close < 0 || close >= end) close = end - 1;
                Node ref = new Node("MethodRef", from, close + 1);
                ref.put("name", name);
                ref.put("parameters", parameters(nameEnd + 1, close));
                ref.put("qualifier", qualifier);
                stop[0] = close + 1;
                return ref;
            }
            Node ref = new Node("MemberRef", from, nameEnd);
            ref.put("name", name).put("qualifier", qualifier);
            stop[0] = nameEnd;
            return ref;
        }
        stop[0] = j;
        return qualifier;
    }

    private List<Node> parameters(int from, int to) {
        List<Node> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            while (i < to && (Character.isWhitespace(src.charAt(i)) || src.charAt(i) == ',')) i++;
            if (i >= to) break;
            int typeStart = i;
            Node type;
            int nameEnd = identifierEnd(i);
            if (nameEnd == i) break;
            String word = src.substring(i, nameEnd);
            if (PRIMITIVES.contains(word)) {
                type = new Node("PrimitiveType", i, nameEnd).token(word).put("annotations", null);
                i = nameEnd;
            } else {
                Node name = qualifiedName(i);
                if (name == null) break;
                type = new Node("SimpleType", name.start, name.end).put("annotations", null).put("name", name);
                i = name.end;
            }
            int dims = 0;
            boolean varargs = false;
            int typeEnd = i;
            while (i < to) {
                int k = i;
                while (k < to && src.charAt(k) == ' ') k++;
                if (src.startsWith("[]", k)) {
                    dims++;
                    i = k + 2;
                    typeEnd = i;
                } else if (src.startsWith("...", k)) {
                    varargs = true;
                    i = k + 3;
                    typeEnd = i;
                } else {
                    break;
                }
            }
            if (dims > 0 && !varargs) {
                Node array = new Node("ArrayType", typeStart, typeEnd);
                array.put("dimensions", new ArrayList<Node>()).put("elementType", type);
                type = array;
            }
            int k = i;
            while (k < to && Character.isWhitespace(src.charAt(k))) k++;
            Node name = null;
            int paramEnd = typeEnd;
            int argEnd = identifierEnd(k);
            if (argEnd > k) {
                name = simpleName(k, argEnd);
                paramEnd = argEnd;
                i = argEnd;
            }
            Node param = new Node("MethodRefParameter", typeStart, paramEnd);
            param.put("name", name).put("type", type).put("varargs", varargs ? "true" : "false");
            out.add(param);
            while (i < to && src.charAt(i) != ',') i++;
        }
        return out;
    }

    private Node qualifiedName(int i) {
        int nameEnd = identifierEnd(i);
        if (nameEnd == i) return null;
        Node name = simpleName(i, nameEnd);
        while (nameEnd < end && src.charAt(nameEnd) == '.') {
            int next = identifierEnd(nameEnd + 1);
            if (next == nameEnd + 1) break;
            Node q = new Node("QualifiedName", name.start, next);
            q.put("name", simpleName(nameEnd + 1, next)).put("qualifier", name);
            name = q;
            nameEnd = next;
        }
        return name;
    }

    private Node simpleName(int start, int stop) {
        return new Node("SimpleName", start, stop).token(src.substring(start, stop));
    }

    private Node textElement(int start, int stop) {
        return new Node("TextElement", start, stop).put("text", src.substring(start, stop));
    }
}
