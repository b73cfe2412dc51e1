package bblfsh.java;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A kept document (an editor's, parsed again after every keystroke): the types, members and
 * free comments whose text did not change since its last parse are not sent again.  An item's
 * key is its text with what lies between it and its neighbours (its Javadoc, comments, blank
 * lines; a comment's key is its own text): the same key in the same kind of list is the same
 * subtree, only moved.  The answer's tree has {"@kept": N} in place of such an item (N: its number
 * among the items of its kind in that parse: KINDS), "kept" echoes the request's "keep", and
 * "starts" says, per kind, where each item's key starts (UTF-16 offsets).  Items are numbered in
 * the order the tree is written, a list's items all at once when it is reached (the host,
 * driver_runtime/sdk/native_reuse.py, numbers them alike); a kept item is not walked.  The
 * request's "reuse" names the parse whose items the host holds: one document is kept at a time.
 * The conversion is done whole; what is spared is the writing, the transfer and the host's work.
 */
final class Kept {
    /** (container type, field) of each kind of kept list, in the host's order (JavaDriver). */
    static final String[][] KINDS = {
        {"CompilationUnit", "types"},
        {"TypeDeclaration", "bodyDeclarations"},
        {"InterfaceDeclaration", "bodyDeclarations"},
        {"EnumDeclaration", "bodyDeclarations"},
        {"RecordDeclaration", "bodyDeclarations"},
        {"AnnotationTypeDeclaration", "bodyDeclarations"},
        {"AnonymousClassDeclaration", "bodyDeclarations"},
        {"CompilationUnit", "comments"},
    };
    private static final int COMMENTS = KINDS.length - 1;

    // The last kept parse: its generation, and per kind its keys -> their numbers, in order.
    private static int lastGeneration = -1;
    private static List<Map<String, ArrayDeque<Integer>>> lastKeys = null;

    private final String source;
    private final List<Map<String, ArrayDeque<Integer>>> last;
    private final List<Map<String, ArrayDeque<Integer>>> keys = new ArrayList<>();
    private final List<List<Integer>> starts = new ArrayList<>();

    private Kept(String source, List<Map<String, ArrayDeque<Integer>>> last) {
        this.source = source;
        this.last = last;
        for (int i = 0; i < KINDS.length; i++) {
            keys.add(new HashMap<>());
            starts.add(new ArrayList<>());
        }
    }

    /** A request's generation: a non-negative integer, else -1. */
    static int generation(String text) {
        if (text == null) return -1;
        try {
            return Math.max(-1, Integer.parseInt(text));
        } catch (NumberFormatException ex) {
            return -1;
        }
    }

    /** Put stubs in the tree in place of the items kept since parse `reuse`; this parse is kept as `keep`. */
    static Kept stub(Node tree, String source, int keep, int reuse) {
        Kept kept = new Kept(source, reuse >= 0 && reuse == lastGeneration ? lastKeys : null);
        kept.walk(tree);
        lastGeneration = keep;
        lastKeys = kept.keys;
        return kept;
    }

    void writeStarts(StringBuilder out) {
        out.append('[');
        for (int k = 0; k < starts.size(); k++) {
            if (k > 0) out.append(',');
            out.append('[');
            List<Integer> list = starts.get(k);
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) out.append(',');
                out.append(list.get(i));
            }
            out.append(']');
        }
        out.append(']');
    }

    private static int kind(String type, String field) {
        for (int k = 0; k < KINDS.length; k++) {
            if (KINDS[k][0].equals(type) && KINDS[k][1].equals(field)) return k;
        }
        return -1;
    }

    /** A kept list reached by the walk: numbered when it is popped, before what follows it. */
    private record Numbering(int which, List<Object> items, Node container) {}

    // Iterative, in the order Node.write writes (very deep trees need no deep stack): a node's
    // fields in order, a kept list numbered when reached and its new items walked before the
    // next field, as the host's walk does.
    @SuppressWarnings("unchecked")
    private void walk(Node root) {
        ArrayDeque<Object> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Object value = stack.pop();
            if (value instanceof Numbering) {
                Numbering list = (Numbering) value;
                List<Object> walk = number(list.which(), list.items(), list.container());
                for (int i = walk.size() - 1; i >= 0; i--) stack.push(walk.get(i));
            } else if (value instanceof List) {
                List<?> list = (List<?>) value;
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (list.get(i) != null) stack.push(list.get(i));
                }
            } else if (value instanceof Node) {
                Node node = (Node) value;
                for (int f = node.keys.size() - 1; f >= 0; f--) {
                    Object child = node.values.get(f);
                    if (child == null) continue;
                    int which = child instanceof List ? kind(node.type, node.keys.get(f)) : -1;
                    stack.push(which < 0 ? child : new Numbering(which, (List<Object>) child, node));
                }
            }
        }
    }

    /** Number a kept list's items, kept ones replaced by stubs; the others, to walk. */
    private List<Object> number(int which, List<Object> items, Node container) {
        boolean own = which == COMMENTS;
        Map<String, ArrayDeque<Integer>> mine = keys.get(which);
        Map<String, ArrayDeque<Integer>> known = last != null ? last.get(which) : null;
        List<Integer> at = starts.get(which);
        List<Object> walk = new ArrayList<>();
        int[] numbers = new int[items.size()];
        for (int i = 0; i < items.size(); i++) { // every key from the items as they are, then the stubs
            Node item = (Node) items.get(i);
            int start = own ? item.start : i > 0 ? ((Node) items.get(i - 1)).end : container.start;
            int end = own ? item.end : i + 1 < items.size() ? ((Node) items.get(i + 1)).start : container.end;
            String key = start >= 0 && end >= start && end <= source.length()
                    ? source.substring(start, end) : "\0" + which + ":" + at.size();
            mine.computeIfAbsent(key, k -> new ArrayDeque<>()).add(at.size());
            at.add(Math.max(start, 0));
            ArrayDeque<Integer> kept = known != null ? known.get(key) : null;
            numbers[i] = kept != null && !kept.isEmpty() ? kept.poll() : -1;
        }
        for (int i = 0; i < items.size(); i++) {
            if (numbers[i] >= 0) {
                items.set(i, new Node(Node.KEPT, -1, -1).token(String.valueOf(numbers[i])));
            } else {
                walk.add(items.get(i));
            }
        }
        return walk;
    }
}
