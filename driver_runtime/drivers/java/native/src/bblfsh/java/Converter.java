package bblfsh.java;

import com.sun.source.tree.*;
import com.sun.source.util.SourcePositions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * javac's syntax tree (com.sun.source.tree) as a native UAST shaped like Eclipse JDT's DOM, the
 * tree Babelfish's Java driver serialized: JDT's node types and field names, lists of modifiers
 * in source order, JDT's spans (a declaration starts at its Javadoc), comments and Javadoc
 * structure.  Where javac and JDT differ in shape (a binary chain, a multi-variable
 * declaration, this(...) calls, enum constants, names versus field accesses) JDT's shape is
 * built from javac's tree and the token positions of Lexer.
 */
final class Converter {
    private final String src;
    private final CompilationUnitTree cu;
    private final SourcePositions positions;
    private final Lexer lex;
    private final Set<Integer> attachedDocs = new HashSet<>();
    private final Javadoc javadoc;

    private static final Set<String> MODIFIER_WORDS = Set.of(
            "public", "protected", "private", "abstract", "static", "final", "strictfp", "transient",
            "volatile", "synchronized", "native", "default", "sealed", "non");

    Converter(String src, CompilationUnitTree cu, SourcePositions positions) {
        this.src = src;
        this.cu = cu;
        this.positions = positions;
        this.lex = new Lexer(src);
        this.javadoc = new Javadoc(src, lex);
    }

    // --- positions ------------------------------------------------------------------------------

    private int s(Tree t) {
        return t == null ? -1 : (int) positions.getStartPosition(cu, t);
    }

    private int e(Tree t) {
        return t == null ? -1 : (int) positions.getEndPosition(cu, t);
    }

    private Node node(String type, Tree t) {
        return new Node(type, s(t), e(t));
    }

    /** The end of the token that ends at or after `end` and is `text` (a ';' after a statement, say). */
    private int extendTo(int end, String text) {
        int i = lex.at(end);
        if (end >= 0 && i < lex.count && lex.is(i, text)) return lex.ends[i];
        int before = lex.before(end);
        if (before >= 0 && lex.is(before, text)) return end;
        return end;
    }

    /** A SimpleName for the identifier token at `index`. */
    private Node simpleName(int index) {
        Node n = new Node("SimpleName", lex.starts[index], lex.ends[index]);
        n.token(lex.text(index));
        return n;
    }

    /** A SimpleName for `name` at the first identifier token at or after `from` equal to it. */
    private Node simpleNameAfter(int from, CharSequence name) {
        String text = name.toString();
        int limit = src.length();
        for (int i = lex.at(Math.max(from, 0)); i < lex.count && lex.starts[i] < limit; i++) {
            if (lex.kinds[i] == Lexer.IDENT && lex.is(i, text)) return simpleName(i);
        }
        return new Node("SimpleName", -1, -1).token(text);
    }

    /** A SimpleName for the name that ends a tree (a.b.name, expr::name). */
    private Node lastName(Tree t, CharSequence name) {
        int end = e(t);
        int i = lex.before(end);
        if (i >= 0 && lex.kinds[i] == Lexer.IDENT && lex.is(i, name.toString())) return simpleName(i);
        return new Node("SimpleName", -1, -1).token(name.toString());
    }

    // --- comments -------------------------------------------------------------------------------

    /** The Javadoc comment right before a declaration starting at `start` (index into comments), or -1. */
    private int docBefore(int start) {
        if (start < 0) return -1;
        List<int[]> comments = lex.comments;
        int lo = 0, hi = comments.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (comments.get(mid)[1] <= start) lo = mid + 1; else hi = mid;
        }
        for (int i = lo - 1; i >= 0; i--) {
            int[] c = comments.get(i);
            int tokenBefore = lex.before(start);
            if (tokenBefore >= 0 && lex.ends[tokenBefore] > c[0]) return -1; // code between
            if (c[2] == Lexer.JAVADOC) return attachedDocs.contains(i) ? -1 : i;
        }
        return -1;
    }

    /** Attach the Javadoc before `start` to `decl` (field "javadoc") and move its start there. */
    private void attachDoc(Node decl, int start) {
        int index = docBefore(start);
        if (index < 0) {
            decl.put("javadoc", null);
            return;
        }
        attachedDocs.add(index);
        int[] c = lex.comments.get(index);
        decl.put("javadoc", javadoc.parse(c[0], c[1]));
        decl.start = c[0];
    }

    private List<Node> freeComments() {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < lex.comments.size(); i++) {
            if (attachedDocs.contains(i)) continue;
            int[] c = lex.comments.get(i);
            String type = c[2] == Lexer.LINE_COMMENT ? "LineComment" : c[2] == Lexer.JAVADOC ? "Javadoc" : "BlockComment";
            out.add(new Node(type, c[0], c[1]).put("text", src.substring(c[0], c[1])));
        }
        return out;
    }

    // --- compilation unit -----------------------------------------------------------------------

    Node compilationUnit() {
        Node unit = new Node("CompilationUnit", 0, src.length());
        List<Node> imports = new ArrayList<>();
        List<Node> types = new ArrayList<>();
        Node pkg = null;
        if (cu.getPackage() != null) pkg = packageDeclaration(cu.getPackage());
        for (ImportTree imp : cu.getImports()) imports.add(importDeclaration(imp));
        for (Tree t : cu.getTypeDecls()) {
            if (t.getKind() == Tree.Kind.EMPTY_STATEMENT) continue;
            if (t instanceof ClassTree) {
                types.add(typeDeclaration((ClassTree) t));
            } else if (t.getKind().name().equals("MODULE")) {
                types.add(moduleDeclaration(t));
            }
        }
        unit.put("imports", imports).put("package", pkg).put("types", types);
        List<Node> comments = freeComments();
        if (!comments.isEmpty()) unit.put("comments", comments);
        return unit;
    }

    private Node packageDeclaration(PackageTree p) {
        Node n = node("PackageDeclaration", p);
        n.end = extendTo(n.end, ";");
        n.token("package");
        n.put("annotations", annotations(p.getAnnotations()));
        attachDoc(n, n.start);
        n.put("name", name(p.getPackageName()));
        return n;
    }

    private Node importDeclaration(ImportTree imp) {
        Node n = node("ImportDeclaration", imp);
        n.end = extendTo(n.end, ";");
        Tree id = imp.getQualifiedIdentifier();
        boolean onDemand = id instanceof MemberSelectTree && ((MemberSelectTree) id).getIdentifier().contentEquals("*");
        Tree named = onDemand ? ((MemberSelectTree) id).getExpression() : id;
        n.put("name", name(named));
        n.put("onDemand", onDemand ? "true" : "false");
        n.put("static", imp.isStatic() ? "true" : "false");
        return n;
    }

    private Node moduleDeclaration(Tree t) {
        // Modules (module-info.java) are kept as one node with their name.
        Node n = node("ModuleDeclaration", t);
        try {
            ExpressionTree name = (ExpressionTree) t.getClass().getMethod("getName").invoke(t);
            n.put("name", name(name));
        } catch (ReflectiveOperationException | ClassCastException ex) {
            n.put("name", null);
        }
        return n;
    }

    // --- declarations ---------------------------------------------------------------------------

    private static String typeNodeName(ClassTree c) {
        switch (c.getKind()) {
            case INTERFACE: return "InterfaceDeclaration";
            case ENUM: return "EnumDeclaration";
            case ANNOTATION_TYPE: return "AnnotationTypeDeclaration";
            default:
                return c.getKind().name().equals("RECORD") ? "RecordDeclaration" : "TypeDeclaration";
        }
    }

    private Node typeDeclaration(ClassTree c) {
        String type = typeNodeName(c);
        Node n = node(type, c);
        int keyword = declarationKeyword(c);
        // (an enum's constants first: fields are walked in this order, and they come first in the source)
        if (type.equals("EnumDeclaration")) n.put("enumConstants", null);
        if (type.equals("RecordDeclaration")) n.put("recordComponents", null);
        n.put("bodyDeclarations", null);
        if (type.equals("TypeDeclaration") || type.equals("InterfaceDeclaration")) {
            n.put("interface", c.getKind() == Tree.Kind.INTERFACE ? "true" : "false");
        }
        attachDoc(n, n.start);
        n.put("modifiers", modifiers(c.getModifiers()));
        Node name = keyword >= 0 && keyword + 1 < lex.count && lex.kinds[keyword + 1] == Lexer.IDENT
                ? simpleName(keyword + 1) : simpleNameAfter(s(c), c.getSimpleName());
        n.put("name", name);
        List<Node> members = new ArrayList<>();
        List<Node> constants = new ArrayList<>();
        List<Node> components = new ArrayList<>();
        int bodyStart = lex.find(name.end, e(c), "{");
        bodyStart = bodyStart < 0 ? e(c) : lex.starts[bodyStart];
        List<? extends Tree> defs = c.getMembers();
        for (int i = 0; i < defs.size(); i++) {
            Tree m = defs.get(i);
            if (m instanceof VariableTree) {
                VariableTree v = (VariableTree) m;
                if (c.getKind() == Tree.Kind.ENUM && isEnumConstant(v)) {
                    constants.add(enumConstant(v));
                    continue;
                }
                if (type.equals("RecordDeclaration") && s(v) < bodyStart) {
                    components.add(singleVariable(v));
                    continue;
                }
                int j = i;
                while (j + 1 < defs.size() && defs.get(j + 1) instanceof VariableTree
                        && ((VariableTree) defs.get(j + 1)).getModifiers() == v.getModifiers()) j++;
                members.add(fieldDeclaration(defs.subList(i, j + 1)));
                i = j;
            } else {
                Node member = bodyDeclaration(m, type);
                if (member != null) members.add(member);
            }
        }
        n.put("bodyDeclarations", members);
        switch (type) {
            case "EnumDeclaration":
                n.put("enumConstants", constants);
                n.put("superInterfaceTypes", types(c.getImplementsClause()));
                break;
            case "AnnotationTypeDeclaration":
                break;
            case "RecordDeclaration":
                n.put("recordComponents", components);
                n.put("superInterfaceTypes", types(c.getImplementsClause()));
                n.put("typeParameters", typeParameters(c.getTypeParameters()));
                break;
            default:
                n.put("superInterfaceTypes", types(c.getImplementsClause()));
                n.put("superclassType", c.getExtendsClause() == null ? null : type(c.getExtendsClause()));
                n.put("typeParameters", typeParameters(c.getTypeParameters()));
                List<? extends Tree> permits = permits(c);
                if (!permits.isEmpty()) n.put("permittedTypes", types(permits));
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static List<? extends Tree> permits(ClassTree c) {
        try {
            Object list = ClassTree.class.getMethod("getPermitsClause").invoke(c);
            return list == null ? List.of() : (List<? extends Tree>) list;
        } catch (ReflectiveOperationException ex) {
            return List.of();
        }
    }

    /** The token index of class/interface/enum/record/@interface that introduces a type. */
    private int declarationKeyword(ClassTree c) {
        int from = s(c);
        ModifiersTree mods = c.getModifiers();
        if (mods != null && e(mods) > from) from = e(mods);
        String word;
        switch (c.getKind()) {
            case INTERFACE: word = "interface"; break;
            case ENUM: word = "enum"; break;
            case ANNOTATION_TYPE: word = "interface"; break;
            default: word = c.getKind().name().equals("RECORD") ? "record" : "class";
        }
        for (int i = lex.at(from); i < lex.count && lex.starts[i] < e(c); i++) {
            if (lex.kinds[i] == Lexer.IDENT && lex.is(i, word)) return i;
        }
        return -1;
    }

    private boolean isEnumConstant(VariableTree v) {
        // javac gives an enum constant a type that is not written: no end position.
        return v.getType() != null && e(v.getType()) < 0 && v.getInitializer() instanceof NewClassTree;
    }

    private Node enumConstant(VariableTree v) {
        Node n = node("EnumConstantDeclaration", v);
        NewClassTree init = (NewClassTree) v.getInitializer();
        n.put("anonymousClassDeclaration", init.getClassBody() == null ? null : anonymousClass(init.getClassBody(), e(v)));
        n.put("arguments", expressions(init.getArguments()));
        attachDoc(n, n.start);
        n.put("modifiers", modifiers(v.getModifiers()));
        int from = v.getModifiers() != null && e(v.getModifiers()) > 0 ? e(v.getModifiers()) : s(v);
        n.put("name", simpleNameAfter(from, v.getName()));
        if (n.end < 0) n.end = ((Node) n.get("name")).end;
        return n;
    }

    private Node bodyDeclaration(Tree m, String owner) {
        switch (m.getKind()) {
            case METHOD:
                return owner.equals("AnnotationTypeDeclaration")
                        ? annotationMember((MethodTree) m) : methodDeclaration((MethodTree) m);
            case BLOCK:
                return initializer((BlockTree) m);
            case EMPTY_STATEMENT:
                return null;
            default:
                if (m instanceof ClassTree) return typeDeclaration((ClassTree) m);
                return generic(m);
        }
    }

    private Node initializer(BlockTree b) {
        Node n = node("Initializer", b);
        Node body = block(b);
        if (b.isStatic()) {
            int brace = lex.find(s(b), e(b), "{");
            if (brace >= 0) body.start = lex.starts[brace];
        }
        n.put("body", body);
        attachDoc(n, n.start);
        List<Node> mods = new ArrayList<>();
        if (b.isStatic()) {
            int i = lex.at(s(b));
            if (lex.is(i, "static")) mods.add(new Node("Modifier", lex.starts[i], lex.ends[i]).token("static"));
        }
        n.put("modifiers", mods);
        return n;
    }

    private Node annotationMember(MethodTree m) {
        Node n = node("AnnotationTypeMemberDeclaration", m);
        n.put("default", m.getDefaultValue() == null ? null : expr((ExpressionTree) m.getDefaultValue()));
        attachDoc(n, n.start);
        n.put("modifiers", modifiers(m.getModifiers()));
        n.put("name", methodName(m));
        n.put("type", type(m.getReturnType()));
        return n;
    }

    private Node methodName(MethodTree m) {
        int from = s(m);
        if (m.getReturnType() != null) from = Math.max(from, e(m.getReturnType()));
        else if (!m.getTypeParameters().isEmpty()) from = e(m.getTypeParameters().get(m.getTypeParameters().size() - 1));
        else if (m.getModifiers() != null && e(m.getModifiers()) > from) from = e(m.getModifiers());
        int limit = m.getParameters().isEmpty() ? e(m) : s(m.getParameters().get(0));
        if (limit < 0) limit = e(m);
        int paren = lex.find(from, limit < 0 ? src.length() : limit, "(");
        String name = m.getName().contentEquals("<init>") ? null : m.getName().toString();
        if (paren > 0 && lex.kinds[paren - 1] == Lexer.IDENT) return simpleName(paren - 1);
        if (name == null) {
            // a compact record constructor: the name is the first identifier after the modifiers
            int i = lex.at(from);
            if (i < lex.count && lex.kinds[i] == Lexer.IDENT) return simpleName(i);
            return new Node("SimpleName", -1, -1);
        }
        return simpleNameAfter(from, name);
    }

    private Node methodDeclaration(MethodTree m) {
        Node n = node("MethodDeclaration", m);
        boolean constructor = m.getName().contentEquals("<init>");
        if (!m.getTypeParameters().isEmpty()) {
            int lt = lex.before(s(m.getTypeParameters().get(0)));
            if (lt >= 0 && lex.isChar(lt, '<') && lex.starts[lt] < n.start) n.start = lex.starts[lt];
        }
        n.put("body", m.getBody() == null ? null : block(m.getBody()));
        n.put("constructor", constructor ? "true" : "false");
        n.put("extraDimensions2", null);
        attachDoc(n, n.start);
        n.put("modifiers", modifiers(m.getModifiers()));
        Node name = methodName(m);
        n.put("name", name);
        List<Node> params = new ArrayList<>();
        boolean compact = false;
        for (VariableTree p : m.getParameters()) {
            if (e(p) < 0) {
                compact = true; // a compact record constructor: javac fills in the components
                continue;
            }
            params.add(singleVariable(p));
        }
        n.put("parameters", params);
        VariableTree receiver = m.getReceiverParameter();
        if (receiver != null) {
            ExpressionTree qualified = receiver.getNameExpression();
            Node qualifier = null;
            if (qualified instanceof MemberSelectTree) qualifier = name(((MemberSelectTree) qualified).getExpression());
            n.put("receiverQualifier", qualifier);
            Node receiverType = type(receiver.getType());
            List<Node> anns = receiver.getModifiers() == null ? List.of() : annotations(receiver.getModifiers().getAnnotations());
            if (receiverType != null && !anns.isEmpty()) {
                // JDT has no modifiers on a receiver: its annotations are its type's (the leftmost name's)
                Node leftmost = receiverType;
                while (leftmost.get("qualifier") instanceof Node && leftmost.type.equals("QualifiedType")) leftmost = (Node) leftmost.get("qualifier");
                if (leftmost.type.equals("ParameterizedType")) leftmost = (Node) leftmost.get("type");
                if (leftmost != null && leftmost.keys.contains("annotations")) {
                    leftmost.put("annotations", anns);
                    leftmost.start = Math.min(leftmost.start, anns.get(0).start);
                    receiverType.start = Math.min(receiverType.start, anns.get(0).start);
                }
            }
            n.put("receiverType", receiverType);
        } else {
            n.put("receiverQualifier", null);
            n.put("receiverType", null);
        }
        n.put("returnType2", constructor ? null : type(m.getReturnType()));
        n.put("thrownExceptionTypes", types(m.getThrows()));
        n.put("typeParameters", typeParameters(m.getTypeParameters()));
        if (compact) n.put("compactConstructor", "true");
        return n;
    }

    private Node fieldDeclaration(List<? extends Tree> vars) {
        VariableTree first = (VariableTree) vars.get(0);
        Node n = new Node("FieldDeclaration", s(first), extendTo(e(vars.get(vars.size() - 1)), ";"));
        n.put("fragments", fragments(vars));
        attachDoc(n, n.start);
        n.put("modifiers", modifiers(first.getModifiers()));
        n.put("type", declaredType(first));
        return n;
    }

    /** The type written in a declaration (`int` of `int a[]`, and `var`). */
    private Node declaredType(VariableTree v) {
        Tree t = v.getType();
        if (t == null) {
            int from = v.getModifiers() != null && e(v.getModifiers()) > 0 ? e(v.getModifiers()) : s(v);
            int i = lex.at(from);
            if (i < lex.count && lex.is(i, "var")) {
                Node type = new Node("SimpleType", lex.starts[i], lex.ends[i]);
                return type.put("annotations", null).put("name", simpleName(i));
            }
            return null;
        }
        // int a[]: javac makes the type int[]; the brackets after the name belong to the name.
        int nameStart = nameToken(v);
        while (t.getKind() == Tree.Kind.ARRAY_TYPE && nameStart >= 0 && e(t) > lex.starts[nameStart]) {
            t = ((ArrayTypeTree) t).getType();
        }
        return type(t);
    }

    /** The token index of a variable's name. */
    private int nameToken(VariableTree v) {
        String name = v.getName().toString();
        int from = s(v);
        if (v.getType() != null && e(v.getType()) > from) {
            // the name follows the type, unless brackets of the type come after the name
            int i = lex.at(from);
            int limit = e(v);
            Tree t = v.getType();
            int typeEnd = e(t);
            while (t.getKind() == Tree.Kind.ARRAY_TYPE) {
                Tree inner = ((ArrayTypeTree) t).getType();
                if (e(inner) < 0) break;
                t = inner;
            }
            int after = e(t);
            for (i = lex.at(after); i < lex.count && (limit < 0 || lex.starts[i] < Math.max(limit, typeEnd)); i++) {
                if (lex.kinds[i] == Lexer.IDENT && lex.is(i, name)) return i;
            }
            return -1;
        }
        if (v.getModifiers() != null && e(v.getModifiers()) > from) from = e(v.getModifiers());
        for (int i = lex.at(from); i < lex.count; i++) {
            if (lex.kinds[i] == Lexer.IDENT && lex.is(i, name)) return i;
            if (lex.kinds[i] != Lexer.IDENT && !lex.isChar(i, '@')) return -1;
        }
        return -1;
    }

    private List<Node> fragments(List<? extends Tree> vars) {
        List<Node> out = new ArrayList<>();
        for (Tree t : vars) out.add(fragment((VariableTree) t));
        return out;
    }

    private Node fragment(VariableTree v) {
        int nameIndex = nameToken(v);
        Node name = nameIndex >= 0 ? simpleName(nameIndex) : new Node("SimpleName", -1, -1).token(v.getName().toString());
        Node n = new Node("VariableDeclarationFragment", name.start, name.end);
        int dims = 0;
        if (nameIndex >= 0) {
            int i = nameIndex + 1;
            while (lex.isChar(i, '[') && lex.isChar(i + 1, ']')) {
                n.end = lex.ends[i + 1];
                i += 2;
                dims++;
            }
        }
        List<Node> extra = new ArrayList<>();
        for (int d = 0; d < dims; d++) {
            int open = nameIndex + 1 + 2 * d;
            extra.add(new Node("Dimension", lex.starts[open], lex.ends[open + 1]).put("annotations", null));
        }
        n.put("extraDimensions2", extra);
        ExpressionTree init = v.getInitializer();
        n.put("initializer", init == null ? null : expr(init));
        if (init != null && e(init) > n.end) n.end = e(init);
        n.put("name", name);
        return n;
    }

    private Node singleVariable(VariableTree v) {
        int nameIndex = nameToken(v);
        Node name = nameIndex >= 0 ? simpleName(nameIndex) : new Node("SimpleName", -1, -1).token(v.getName().toString());
        int start = s(v);
        Node n = new Node("SingleVariableDeclaration", start, name.end);
        Tree t = v.getType();
        boolean varargs = false;
        if (nameIndex > 0 && lex.is(nameIndex - 1, "...")) varargs = true;
        else if (nameIndex > 0 && lex.kinds[nameIndex - 1] != Lexer.IDENT && t != null && t.getKind() == Tree.Kind.ANNOTATED_TYPE) {
            // int @A ... x
            int i = lex.find(s(t), lex.starts[nameIndex], "...");
            varargs = i >= 0;
        }
        List<Node> extra = new ArrayList<>();
        if (nameIndex >= 0) {
            int i = nameIndex + 1;
            while (lex.isChar(i, '[') && lex.isChar(i + 1, ']')) {
                n.end = lex.ends[i + 1];
                i += 2;
            }
        }
        n.put("extraDimensions2", extra);
        n.put("initializer", v.getInitializer() == null ? null : expr(v.getInitializer()));
        n.put("modifiers", modifiers(v.getModifiers()));
        n.put("name", name);
        Node type;
        if (varargs) {
            Tree element = t;
            List<Node> varargsAnnotations = new ArrayList<>();
            if (element != null && element.getKind() == Tree.Kind.ANNOTATED_TYPE) {
                varargsAnnotations = annotations(((AnnotatedTypeTree) element).getAnnotations());
                element = ((AnnotatedTypeTree) element).getUnderlyingType();
            }
            if (element != null && element.getKind() == Tree.Kind.ARRAY_TYPE) element = ((ArrayTypeTree) element).getType();
            type = type(element);
            n.put("type", type);
            n.put("varargs", "true");
            n.put("varargsAnnotations", varargsAnnotations);
        } else {
            type = t == null ? declaredType(v) : type(t);
            n.put("type", type);
            n.put("varargs", "false");
            n.put("varargsAnnotations", null);
        }
        if (n.start < 0 && type != null) n.start = type.start;
        if (n.start < 0) n.start = name.start;
        return n;
    }

    private List<Node> typeParameters(List<? extends TypeParameterTree> params) {
        List<Node> out = new ArrayList<>();
        for (TypeParameterTree p : params) {
            Node n = node("TypeParameter", p);
            n.put("modifiers", annotations(p.getAnnotations()));
            int from = s(p);
            if (!p.getAnnotations().isEmpty()) from = e(p.getAnnotations().get(p.getAnnotations().size() - 1));
            n.put("name", simpleNameAfter(from, p.getName()));
            n.put("typeBounds", types(p.getBounds()));
            out.add(n);
        }
        return out;
    }

    private Node anonymousClass(ClassTree body, int end) {
        int brace = -1;
        for (int i = lex.before(e(body)); i >= 0; i--) {
            // the body's opening brace: the '{' matching its closing one
            if (lex.isChar(i, '}')) {
                brace = matching(i);
                break;
            }
        }
        Node n = new Node("AnonymousClassDeclaration", brace >= 0 ? lex.starts[brace] : s(body), e(body));
        List<Node> members = new ArrayList<>();
        List<? extends Tree> defs = body.getMembers();
        for (int i = 0; i < defs.size(); i++) {
            Tree m = defs.get(i);
            if (m instanceof VariableTree) {
                VariableTree v = (VariableTree) m;
                int j = i;
                while (j + 1 < defs.size() && defs.get(j + 1) instanceof VariableTree
                        && ((VariableTree) defs.get(j + 1)).getModifiers() == v.getModifiers()) j++;
                members.add(fieldDeclaration(defs.subList(i, j + 1)));
                i = j;
            } else {
                Node member = bodyDeclaration(m, "TypeDeclaration");
                if (member != null) members.add(member);
            }
        }
        n.put("bodyDeclarations", members);
        return n;
    }

    /** The index of the bracket token matching the closing one at `close`. */
    private int matching(int close) {
        char closing = lex.src.charAt(lex.starts[close]);
        char opening = closing == '}' ? '{' : closing == ')' ? '(' : '[';
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            if (lex.isChar(i, closing)) depth++;
            else if (lex.isChar(i, opening) && --depth == 0) return i;
        }
        return -1;
    }

    // --- modifiers and annotations --------------------------------------------------------------

    private List<Node> modifiers(ModifiersTree mods) {
        List<Node> out = new ArrayList<>();
        if (mods == null) return out;
        List<Node> annotations = annotations(mods.getAnnotations());
        int start = s(mods), end = e(mods);
        if (mods.getFlags().isEmpty() || start < 0 || end < 0) return annotations;
        int a = 0;
        for (int i = lex.at(start); i < lex.count && lex.starts[i] < end; i++) {
            while (a < annotations.size() && annotations.get(a).end <= lex.starts[i]) out.add(annotations.get(a++));
            if (a < annotations.size() && annotations.get(a).start <= lex.starts[i]) continue; // inside an annotation
            if (lex.kinds[i] != Lexer.IDENT || !MODIFIER_WORDS.contains(lex.text(i))) continue;
            if (lex.is(i, "non")) {
                if (lex.isChar(i + 1, '-') && lex.is(i + 2, "sealed")) {
                    out.add(new Node("Modifier", lex.starts[i], lex.ends[i + 2]).token("non-sealed"));
                    i += 2;
                }
                continue;
            }
            out.add(new Node("Modifier", lex.starts[i], lex.ends[i]).token(lex.text(i)));
        }
        while (a < annotations.size()) out.add(annotations.get(a++));
        return out;
    }

    private List<Node> annotations(List<? extends AnnotationTree> list) {
        List<Node> out = new ArrayList<>();
        for (AnnotationTree a : list) out.add(annotation(a));
        return out;
    }

    private Node annotation(AnnotationTree a) {
        List<? extends ExpressionTree> args = a.getArguments();
        boolean written = e(a) > e(a.getAnnotationType()) && lex.isChar(lex.before(e(a)), ')');
        if (!written && args.isEmpty()) {
            return node("MarkerAnnotation", a).put("typeName", name(a.getAnnotationType()));
        }
        if (args.size() == 1 && !(args.get(0) instanceof AssignmentTree)) {
            return node("SingleMemberAnnotation", a).put("typeName", name(a.getAnnotationType()))
                    .put("value", expr(args.get(0)));
        }
        List<Node> pairs = new ArrayList<>();
        for (ExpressionTree arg : args) {
            if (arg instanceof AssignmentTree) {
                AssignmentTree pair = (AssignmentTree) arg;
                pairs.add(node("MemberValuePair", pair).put("name", expr(pair.getVariable()))
                        .put("value", expr(pair.getExpression())));
            } else {
                pairs.add(expr(arg));
            }
        }
        return node("NormalAnnotation", a).put("typeName", name(a.getAnnotationType())).put("values", pairs);
    }

    // --- types ----------------------------------------------------------------------------------

    private List<Node> types(List<? extends Tree> list) {
        List<Node> out = new ArrayList<>();
        if (list != null) for (Tree t : list) out.add(type(t));
        return out;
    }

    private boolean isName(Tree t) {
        if (t == null) return false;
        if (t.getKind() == Tree.Kind.IDENTIFIER) {
            String n = ((IdentifierTree) t).getName().toString();
            return !n.equals("this") && !n.equals("super");
        }
        if (t.getKind() == Tree.Kind.MEMBER_SELECT) {
            MemberSelectTree m = (MemberSelectTree) t;
            String n = m.getIdentifier().toString();
            return !n.equals("class") && !n.equals("this") && !n.equals("super") && !n.equals("*")
                    && isName(m.getExpression());
        }
        return false;
    }

    /** A name: SimpleName or QualifiedName. */
    private Node name(Tree t) {
        if (t == null) return null;
        if (t.getKind() == Tree.Kind.IDENTIFIER) {
            IdentifierTree id = (IdentifierTree) t;
            return node("SimpleName", id).token(id.getName().toString());
        }
        if (t.getKind() == Tree.Kind.MEMBER_SELECT) {
            // iterative: a.b.c.d... can be long
            List<MemberSelectTree> chain = new ArrayList<>();
            Tree cur = t;
            while (cur.getKind() == Tree.Kind.MEMBER_SELECT) {
                chain.add((MemberSelectTree) cur);
                cur = ((MemberSelectTree) cur).getExpression();
            }
            Node qualifier = cur.getKind() == Tree.Kind.IDENTIFIER ? name(cur) : expr((ExpressionTree) cur);
            for (int i = chain.size() - 1; i >= 0; i--) {
                MemberSelectTree m = chain.get(i);
                Node q = node("QualifiedName", m);
                if (qualifier != null && qualifier.start >= 0) q.start = qualifier.start;
                q.put("name", lastName(m, m.getIdentifier())).put("qualifier", qualifier);
                qualifier = q;
            }
            return qualifier;
        }
        return expr((ExpressionTree) t);
    }

    private Node type(Tree t) {
        if (t == null) return null;
        switch (t.getKind()) {
            case PRIMITIVE_TYPE: {
                Node n = node("PrimitiveType", t);
                return n.token(src.substring(n.start, n.end)).put("annotations", null);
            }
            case IDENTIFIER:
                return node("SimpleType", t).put("annotations", null).put("name", name(t));
            case MEMBER_SELECT: {
                MemberSelectTree m = (MemberSelectTree) t;
                if (isName(t)) return node("SimpleType", t).put("annotations", null).put("name", name(t));
                return node("QualifiedType", t).put("annotations", null)
                        .put("name", lastName(m, m.getIdentifier())).put("qualifier", type(m.getExpression()));
            }
            case PARAMETERIZED_TYPE: {
                ParameterizedTypeTree p = (ParameterizedTypeTree) t;
                return node("ParameterizedType", t).put("type", type(p.getType()))
                        .put("typeArguments", types(p.getTypeArguments()));
            }
            case ARRAY_TYPE:
                return arrayType(t);
            case UNBOUNDED_WILDCARD:
            case EXTENDS_WILDCARD:
            case SUPER_WILDCARD: {
                WildcardTree w = (WildcardTree) t;
                return node("WildcardType", t).put("annotations", null)
                        .put("bound", type(w.getBound()))
                        .put("upperBound", t.getKind() == Tree.Kind.SUPER_WILDCARD ? "false" : "true");
            }
            case UNION_TYPE:
                return node("UnionType", t).put("types", types(((UnionTypeTree) t).getTypeAlternatives()));
            case INTERSECTION_TYPE:
                return node("IntersectionType", t).put("types", types(((IntersectionTypeTree) t).getBounds()));
            case ANNOTATED_TYPE: {
                AnnotatedTypeTree a = (AnnotatedTypeTree) t;
                Tree under = a.getUnderlyingType();
                List<Node> anns = annotations(a.getAnnotations());
                if (under.getKind() == Tree.Kind.MEMBER_SELECT && !anns.isEmpty()
                        && s(a.getAnnotations().get(0)) > s(under)) {
                    // A.@Y B: the annotations are the name's
                    MemberSelectTree m = (MemberSelectTree) under;
                    return node("QualifiedType", a).put("annotations", anns)
                            .put("name", lastName(m, m.getIdentifier())).put("qualifier", type(m.getExpression()));
                }
                Node inner = type(under);
                if (inner == null) return null;
                Node target = inner;
                if (target.type.equals("ParameterizedType")) target = (Node) target.get("type");
                if (target.type.equals("ArrayType") && s(a.getAnnotations().get(0)) > s(under)) {
                    return inner; // int @A []: annotations of a dimension (kept by arrayType)
                }
                if (target != null && target.keys.contains("annotations")) {
                    target.put("annotations", anns);
                    if (s(a) >= 0 && s(a) < target.start) target.start = s(a);
                    if (s(a) >= 0 && s(a) < inner.start) inner.start = s(a);
                }
                return inner;
            }
            default:
                if (t instanceof ExpressionTree && isName(t)) return node("SimpleType", t).put("annotations", null).put("name", name(t));
                return generic(t);
        }
    }

    private Node arrayType(Tree t) {
        Node n = node("ArrayType", t);
        int dims = 0;
        Tree element = t;
        List<List<Node>> dimAnnotations = new ArrayList<>();
        while (true) {
            if (element.getKind() == Tree.Kind.ARRAY_TYPE) {
                dims++;
                dimAnnotations.add(null);
                element = ((ArrayTypeTree) element).getType();
            } else if (element.getKind() == Tree.Kind.ANNOTATED_TYPE
                    && ((AnnotatedTypeTree) element).getUnderlyingType().getKind() == Tree.Kind.ARRAY_TYPE) {
                AnnotatedTypeTree a = (AnnotatedTypeTree) element;
                dims++;
                dimAnnotations.add(annotations(a.getAnnotations()));
                element = ((ArrayTypeTree) a.getUnderlyingType()).getType();
            } else {
                break;
            }
        }
        Node elementType = type(element);
        // The dimensions: the [] pairs after the element type.
        List<Node> dimensions = new ArrayList<>();
        int i = lex.at(Math.max(e(element), 0));
        for (int d = 0; d < dims && i < lex.count; d++) {
            while (i < lex.count && !lex.isChar(i, '[') && !lex.is(i, "...") && lex.starts[i] < n.end) i++;
            if (i >= lex.count) break;
            int start = lex.starts[i];
            int end = lex.ends[i];
            if (lex.isChar(i, '[') && lex.isChar(i + 1, ']')) {
                end = lex.ends[i + 1];
                i += 2;
            } else {
                i++;
            }
            List<Node> anns = dimAnnotations.get(dims - 1 - d);
            if (anns != null && !anns.isEmpty()) start = anns.get(0).start;
            dimensions.add(new Node("Dimension", start, end).put("annotations", anns));
        }
        if (!dimensions.isEmpty() && dimensions.get(dimensions.size() - 1).end > n.end) n.end = dimensions.get(dimensions.size() - 1).end;
        n.put("dimensions", dimensions).put("elementType", elementType);
        return n;
    }

    // --- statements -----------------------------------------------------------------------------

    private Node block(BlockTree b) {
        Node n = node("Block", b);
        n.put("statements", statements(b.getStatements()));
        return n;
    }

    private List<Node> statements(List<? extends StatementTree> list) {
        List<Node> out = new ArrayList<>();
        if (list == null) return out;
        for (int i = 0; i < list.size(); i++) {
            StatementTree st = list.get(i);
            if (st instanceof VariableTree) {
                VariableTree v = (VariableTree) st;
                int j = i;
                while (j + 1 < list.size() && list.get(j + 1) instanceof VariableTree
                        && ((VariableTree) list.get(j + 1)).getModifiers() == v.getModifiers()) j++;
                List<? extends Tree> vars = list.subList(i, j + 1);
                Node n = new Node("VariableDeclarationStatement", s(v), extendTo(e(vars.get(vars.size() - 1)), ";"));
                n.put("fragments", fragments(vars));
                n.put("modifiers", modifiers(v.getModifiers()));
                n.put("type", declaredType(v));
                out.add(n);
                i = j;
            } else {
                out.add(statement(st));
            }
        }
        return out;
    }

    private Node statementOrNull(StatementTree st) {
        return st == null ? null : statement(st);
    }

    /** The expression inside the parentheses of if (...), while (...): JDT keeps no ParenthesizedExpression there. */
    private Node condition(ExpressionTree t) {
        if (t != null && t.getKind() == Tree.Kind.PARENTHESIZED) {
            return expr(((ParenthesizedTree) t).getExpression());
        }
        return t == null ? null : expr(t);
    }

    private Node statement(StatementTree st) {
        switch (st.getKind()) {
            case BLOCK:
                return block((BlockTree) st);
            case EMPTY_STATEMENT:
                return node("EmptyStatement", st);
            case EXPRESSION_STATEMENT:
                return expressionStatement((ExpressionStatementTree) st);
            case VARIABLE:
                return statements(List.of(st)).get(0);
            case IF: {
                IfTree t = (IfTree) st;
                return node("IfStatement", st).token("if").put("elseStatement", statementOrNull(t.getElseStatement()))
                        .put("expression", condition(t.getCondition()))
                        .put("thenStatement", statement(t.getThenStatement()));
            }
            case WHILE_LOOP: {
                WhileLoopTree t = (WhileLoopTree) st;
                return node("WhileStatement", st).put("body", statement(t.getStatement()))
                        .put("expression", condition(t.getCondition()));
            }
            case DO_WHILE_LOOP: {
                DoWhileLoopTree t = (DoWhileLoopTree) st;
                return node("DoStatement", st).put("body", statement(t.getStatement()))
                        .put("expression", condition(t.getCondition()));
            }
            case FOR_LOOP:
                return forLoop((ForLoopTree) st);
            case ENHANCED_FOR_LOOP: {
                EnhancedForLoopTree t = (EnhancedForLoopTree) st;
                return node("EnhancedForStatement", st).put("body", statement(t.getStatement()))
                        .put("expression", expr(t.getExpression())).put("parameter", singleVariable(t.getVariable()));
            }
            case SWITCH: {
                SwitchTree t = (SwitchTree) st;
                return node("SwitchStatement", st).put("expression", condition(t.getExpression()))
                        .put("statements", cases(t.getCases()));
            }
            case BREAK: {
                BreakTree t = (BreakTree) st;
                return node("BreakStatement", st).put("label", label(st, t.getLabel()));
            }
            case CONTINUE: {
                ContinueTree t = (ContinueTree) st;
                return node("ContinueStatement", st).put("label", label(st, t.getLabel()));
            }
            case RETURN:
                return node("ReturnStatement", st).put("expression", exprOrNull(((ReturnTree) st).getExpression()));
            case THROW:
                return node("ThrowStatement", st).put("expression", expr(((ThrowTree) st).getExpression()));
            case SYNCHRONIZED: {
                SynchronizedTree t = (SynchronizedTree) st;
                return node("SynchronizedStatement", st).put("body", block(t.getBlock()))
                        .put("expression", condition(t.getExpression()));
            }
            case TRY:
                return tryStatement((TryTree) st);
            case LABELED_STATEMENT: {
                LabeledStatementTree t = (LabeledStatementTree) st;
                return node("LabeledStatement", st).put("body", statement(t.getStatement()))
                        .put("label", simpleNameAfter(s(st), t.getLabel()));
            }
            case ASSERT: {
                AssertTree t = (AssertTree) st;
                return node("AssertStatement", st).put("expression", expr(t.getCondition()))
                        .put("message", exprOrNull(t.getDetail()));
            }
            default:
                if (st.getKind().name().equals("YIELD")) {
                    try {
                        ExpressionTree value = (ExpressionTree) st.getClass().getMethod("getValue").invoke(st);
                        return node("YieldStatement", st).put("expression", exprOrNull(value));
                    } catch (ReflectiveOperationException ex) {
                        return generic(st);
                    }
                }
                if (st instanceof ClassTree) { // a class, interface, enum, annotation type or record
                    Node decl = typeDeclaration((ClassTree) st);
                    return new Node("TypeDeclarationStatement", decl.start, decl.end).put("declaration", decl);
                }
                return generic(st);
        }
    }

    private Node label(Tree st, CharSequence label) {
        if (label == null) return null;
        return simpleNameAfter(s(st) + 1, label);
    }

    private Node expressionStatement(ExpressionStatementTree st) {
        ExpressionTree x = st.getExpression();
        if (x instanceof MethodInvocationTree) {
            MethodInvocationTree call = (MethodInvocationTree) x;
            ExpressionTree meth = call.getMethodSelect();
            if (meth.getKind() == Tree.Kind.IDENTIFIER) {
                String callee = ((IdentifierTree) meth).getName().toString();
                if (callee.equals("this")) {
                    return node("ConstructorInvocation", st).put("arguments", expressions(call.getArguments()))
                            .put("typeArguments", types(call.getTypeArguments()));
                }
                if (callee.equals("super")) {
                    return node("SuperConstructorInvocation", st).put("arguments", expressions(call.getArguments()))
                            .put("expression", null).put("typeArguments", types(call.getTypeArguments()));
                }
            } else if (meth.getKind() == Tree.Kind.MEMBER_SELECT
                    && ((MemberSelectTree) meth).getIdentifier().contentEquals("super")) {
                return node("SuperConstructorInvocation", st).put("arguments", expressions(call.getArguments()))
                        .put("expression", expr(((MemberSelectTree) meth).getExpression()))
                        .put("typeArguments", types(call.getTypeArguments()));
            }
        }
        return node("ExpressionStatement", st).put("expression", expr(x));
    }

    private Node forLoop(ForLoopTree t) {
        Node n = node("ForStatement", t);
        n.put("body", statement(t.getStatement()));
        n.put("expression", exprOrNull(t.getCondition()));
        List<Node> inits = new ArrayList<>();
        List<? extends StatementTree> init = t.getInitializer();
        if (!init.isEmpty() && init.get(0) instanceof VariableTree) {
            VariableTree v = (VariableTree) init.get(0);
            Node decl = new Node("VariableDeclarationExpression", s(v), e(init.get(init.size() - 1)));
            decl.put("fragments", fragments(init));
            decl.put("modifiers", modifiers(v.getModifiers()));
            decl.put("type", declaredType(v));
            inits.add(decl);
        } else {
            for (StatementTree st : init) {
                inits.add(st instanceof ExpressionStatementTree ? expr(((ExpressionStatementTree) st).getExpression()) : statement(st));
            }
        }
        n.put("initializers", inits);
        List<Node> updaters = new ArrayList<>();
        for (ExpressionStatementTree st : t.getUpdate()) updaters.add(expr(st.getExpression()));
        n.put("updaters", updaters);
        return n;
    }

    private Node tryStatement(TryTree t) {
        Node n = node("TryStatement", t);
        n.put("body", block(t.getBlock()));
        List<Node> catches = new ArrayList<>();
        for (CatchTree c : t.getCatches()) {
            catches.add(node("CatchClause", c).put("body", block(c.getBlock()))
                    .put("exception", singleVariable(c.getParameter())));
        }
        n.put("catchClauses", catches);
        n.put("finally", t.getFinallyBlock() == null ? null : block(t.getFinallyBlock()));
        List<Node> resources = new ArrayList<>();
        for (Tree r : t.getResources()) {
            if (r instanceof VariableTree) {
                VariableTree v = (VariableTree) r;
                List<Tree> one = new ArrayList<>();
                one.add(v);
                Node decl = node("VariableDeclarationExpression", v);
                decl.put("fragments", fragments(one));
                decl.put("modifiers", modifiers(v.getModifiers()));
                decl.put("type", declaredType(v));
                resources.add(decl);
            } else {
                resources.add(expr((ExpressionTree) r));
            }
        }
        n.put("resources", resources);
        return n;
    }

    /** Cases of a switch, each with its statements in "body" (Babelfish's grouping of JDT's flat list). */
    private List<Node> cases(List<? extends CaseTree> list) {
        List<Node> out = new ArrayList<>();
        for (CaseTree c : list) {
            int start = s(c);
            int colon = -1;
            for (int i = lex.at(start); i < lex.count && lex.starts[i] < e(c); i++) {
                if (lex.isChar(i, ':') || lex.is(i, "->")) {
                    colon = i;
                    break;
                }
                if (lex.isChar(i, '(') || lex.isChar(i, '{') || lex.isChar(i, '[')) {
                    // skip brackets in labels
                    int depth = 0;
                    for (; i < lex.count; i++) {
                        if (lex.isChar(i, '(') || lex.isChar(i, '{') || lex.isChar(i, '[')) depth++;
                        else if ((lex.isChar(i, ')') || lex.isChar(i, '}') || lex.isChar(i, ']')) && --depth == 0) break;
                    }
                }
            }
            Node n = new Node("SwitchCase", start, colon >= 0 ? lex.ends[colon] : e(c));
            List<? extends ExpressionTree> labels = c.getExpressions();
            n.put("expression", labels.isEmpty() ? null : expr(labels.get(0)));
            if (labels.size() > 1) n.put("expressions", expressions(labels));
            boolean rule = c.getCaseKind() == CaseTree.CaseKind.RULE;
            List<Node> body = new ArrayList<>();
            if (rule) {
                Tree b = c.getBody();
                if (b instanceof ExpressionTree) {
                    body.add(new Node("ExpressionStatement", s(b), extendTo(e(b), ";")).put("expression", expr((ExpressionTree) b)));
                } else if (b instanceof StatementTree) {
                    body.add(statement((StatementTree) b));
                }
                n.put("switchLabeledRule", "true");
            } else {
                body = statements(c.getStatements());
            }
            n.put("body", body);
            out.add(n);
        }
        return out;
    }

    // --- expressions ----------------------------------------------------------------------------

    private List<Node> expressions(List<? extends ExpressionTree> list) {
        List<Node> out = new ArrayList<>();
        if (list != null) for (ExpressionTree x : list) out.add(expr(x));
        return out;
    }

    private Node exprOrNull(ExpressionTree t) {
        return t == null ? null : expr(t);
    }

    private static String operator(Tree.Kind kind) {
        switch (kind) {
            case MULTIPLY: case MULTIPLY_ASSIGNMENT: return "*";
            case DIVIDE: case DIVIDE_ASSIGNMENT: return "/";
            case REMAINDER: case REMAINDER_ASSIGNMENT: return "%";
            case PLUS: case PLUS_ASSIGNMENT: case UNARY_PLUS: return "+";
            case MINUS: case MINUS_ASSIGNMENT: case UNARY_MINUS: return "-";
            case LEFT_SHIFT: case LEFT_SHIFT_ASSIGNMENT: return "<<";
            case RIGHT_SHIFT: case RIGHT_SHIFT_ASSIGNMENT: return ">>";
            case UNSIGNED_RIGHT_SHIFT: case UNSIGNED_RIGHT_SHIFT_ASSIGNMENT: return ">>>";
            case LESS_THAN: return "<";
            case GREATER_THAN: return ">";
            case LESS_THAN_EQUAL: return "<=";
            case GREATER_THAN_EQUAL: return ">=";
            case EQUAL_TO: return "==";
            case NOT_EQUAL_TO: return "!=";
            case AND: case AND_ASSIGNMENT: return "&";
            case XOR: case XOR_ASSIGNMENT: return "^";
            case OR: case OR_ASSIGNMENT: return "|";
            case CONDITIONAL_AND: return "&&";
            case CONDITIONAL_OR: return "||";
            case PREFIX_INCREMENT: case POSTFIX_INCREMENT: return "++";
            case PREFIX_DECREMENT: case POSTFIX_DECREMENT: return "--";
            case BITWISE_COMPLEMENT: return "~";
            case LOGICAL_COMPLEMENT: return "!";
            default: return kind.name();
        }
    }

    private Node expr(ExpressionTree t) {
        if (t == null) return null;
        switch (t.getKind()) {
            case IDENTIFIER: {
                String id = ((IdentifierTree) t).getName().toString();
                if (id.equals("this")) return node("ThisExpression", t).put("qualifier", null);
                return node("SimpleName", t).token(id);
            }
            case MEMBER_SELECT:
                return memberSelect((MemberSelectTree) t);
            case METHOD_INVOCATION:
                return methodInvocation((MethodInvocationTree) t);
            case NEW_CLASS: {
                NewClassTree n = (NewClassTree) t;
                Node out = node("ClassInstanceCreation", t);
                out.put("anonymousClassDeclaration", n.getClassBody() == null ? null : anonymousClass(n.getClassBody(), e(t)));
                out.put("arguments", expressions(n.getArguments()));
                out.put("expression", exprOrNull(n.getEnclosingExpression()));
                out.put("type", type(n.getIdentifier()));
                out.put("typeArguments", types(n.getTypeArguments()));
                return out;
            }
            case NEW_ARRAY:
                return newArray((NewArrayTree) t);
            case ARRAY_ACCESS: {
                ArrayAccessTree a = (ArrayAccessTree) t;
                return node("ArrayAccess", t).put("array", expr(a.getExpression())).put("index", expr(a.getIndex()));
            }
            case ASSIGNMENT: {
                AssignmentTree a = (AssignmentTree) t;
                return node("Assignment", t).put("leftHandSide", expr(a.getVariable())).put("operator", "=")
                        .put("rightHandSide", expr(a.getExpression()));
            }
            case PARENTHESIZED:
                return node("ParenthesizedExpression", t).put("expression", expr(((ParenthesizedTree) t).getExpression()));
            case CONDITIONAL_EXPRESSION: {
                ConditionalExpressionTree c = (ConditionalExpressionTree) t;
                return node("ConditionalExpression", t).put("elseExpression", expr(c.getFalseExpression()))
                        .put("expression", expr(c.getCondition())).put("thenExpression", expr(c.getTrueExpression()));
            }
            case TYPE_CAST: {
                TypeCastTree c = (TypeCastTree) t;
                return node("CastExpression", t).put("expression", expr(c.getExpression())).put("type", type(c.getType()));
            }
            case INSTANCE_OF:
                return instanceOf((InstanceOfTree) t);
            case LAMBDA_EXPRESSION:
                return lambda((LambdaExpressionTree) t);
            case MEMBER_REFERENCE:
                return memberReference((MemberReferenceTree) t);
            case INT_LITERAL: case LONG_LITERAL: case FLOAT_LITERAL: case DOUBLE_LITERAL:
                return number(t);
            case BOOLEAN_LITERAL: {
                Node n = node("BooleanLiteral", t);
                return n.token(src.substring(n.start, n.end));
            }
            case CHAR_LITERAL: {
                Node n = node("CharacterLiteral", t);
                return n.put("escapedValue", src.substring(n.start, n.end));
            }
            case STRING_LITERAL: {
                List<Node> parts = stringParts(t);
                if (parts.size() > 1) {
                    // "a" + "b", which javac folds into one literal: JDT keeps the concatenation
                    Node n = node("InfixExpression", t);
                    n.put("extendedOperands", parts.subList(2, parts.size()));
                    return n.put("leftOperand", parts.get(0)).put("operator", "+").put("rightOperand", parts.get(1));
                }
                return parts.get(0);
            }
            case NULL_LITERAL:
                return node("NullLiteral", t).token("null");
            case POSTFIX_INCREMENT: case POSTFIX_DECREMENT:
                return node("PostfixExpression", t).put("operand", expr(((UnaryTree) t).getExpression()))
                        .put("operator", operator(t.getKind()));
            case PREFIX_INCREMENT: case PREFIX_DECREMENT: case UNARY_PLUS: case UNARY_MINUS:
            case BITWISE_COMPLEMENT: case LOGICAL_COMPLEMENT:
                return node("PrefixExpression", t).put("operand", expr(((UnaryTree) t).getExpression()))
                        .put("operator", operator(t.getKind()));
            case MULTIPLY_ASSIGNMENT: case DIVIDE_ASSIGNMENT: case REMAINDER_ASSIGNMENT: case PLUS_ASSIGNMENT:
            case MINUS_ASSIGNMENT: case LEFT_SHIFT_ASSIGNMENT: case RIGHT_SHIFT_ASSIGNMENT:
            case UNSIGNED_RIGHT_SHIFT_ASSIGNMENT: case AND_ASSIGNMENT: case XOR_ASSIGNMENT: case OR_ASSIGNMENT: {
                CompoundAssignmentTree a = (CompoundAssignmentTree) t;
                return node("Assignment", t).put("leftHandSide", expr(a.getVariable()))
                        .put("operator", operator(t.getKind()) + "=").put("rightHandSide", expr(a.getExpression()));
            }
            case ANNOTATION:
                return annotation((AnnotationTree) t);
            case PRIMITIVE_TYPE: case ARRAY_TYPE: case PARAMETERIZED_TYPE: case UNION_TYPE:
            case INTERSECTION_TYPE: case ANNOTATED_TYPE: case UNBOUNDED_WILDCARD: case EXTENDS_WILDCARD:
            case SUPER_WILDCARD:
                return type(t);
            default:
                if (t instanceof BinaryTree) return binary((BinaryTree) t);
                if (t.getKind().name().equals("SWITCH_EXPRESSION")) return switchExpression(t);
                return generic(t);
        }
    }

    /** The literals of a string literal: one, or several when javac folded "a" + "b" into one. */
    private List<Node> stringParts(ExpressionTree t) {
        int start = s(t), end = e(t);
        List<Node> parts = new ArrayList<>();
        for (int i = lex.at(start); i < lex.count && lex.starts[i] < end; i++) {
            if (lex.kinds[i] == Lexer.STRING) {
                parts.add(stringLiteral(lex.starts[i], lex.ends[i]));
            } else if (!lex.isChar(i, '+')) {
                parts.clear();
                break;
            }
        }
        if (parts.isEmpty()) parts.add(stringLiteral(start, end));
        return parts;
    }

    private Node stringLiteral(int start, int end) {
        String text = src.substring(start, end);
        if (text.startsWith("\"\"\"")) {
            return new Node("TextBlock", start, end).put("escapedValue", text).put("literalValue", textBlockValue(text));
        }
        return new Node("StringLiteral", start, end).put("escapedValue", text);
    }

    /** A text block's value (indentation stripped, escapes translated), as javac computes it. */
    private static String textBlockValue(String text) {
        String body = text.substring(3, Math.max(3, text.length() - 3));
        int newline = body.indexOf('\n');
        body = newline >= 0 ? body.substring(newline + 1) : body;
        try {
            return body.stripIndent().translateEscapes();
        } catch (IllegalArgumentException ex) {
            return body.stripIndent();
        }
    }

    private Node number(ExpressionTree t) {
        Node n = node("NumberLiteral", t);
        String text = src.substring(n.start, n.end);
        if (text.startsWith("-")) {
            // javac folds "-1" into one literal; JDT keeps the minus as a prefix expression
            int i = lex.at(n.start + 1);
            Node literal = new Node("NumberLiteral", lex.starts[i], n.end).token(src.substring(lex.starts[i], n.end));
            return new Node("PrefixExpression", n.start, n.end).put("operand", literal).put("operator", "-");
        }
        return n.token(text);
    }

    private Node memberSelect(MemberSelectTree m) {
        if (isName(m)) return name(m);
        String id = m.getIdentifier().toString();
        ExpressionTree target = m.getExpression();
        if (id.equals("class")) return node("TypeLiteral", m).put("type", type(target));
        if (id.equals("this")) return node("ThisExpression", m).put("qualifier", name(target));
        if (target.getKind() == Tree.Kind.IDENTIFIER && ((IdentifierTree) target).getName().contentEquals("super")) {
            return node("SuperFieldAccess", m).put("name", lastName(m, id)).put("qualifier", null);
        }
        if (target.getKind() == Tree.Kind.MEMBER_SELECT && ((MemberSelectTree) target).getIdentifier().contentEquals("super")) {
            return node("SuperFieldAccess", m).put("name", lastName(m, id))
                    .put("qualifier", name(((MemberSelectTree) target).getExpression()));
        }
        // a chain of field accesses can be long: build it iteratively
        List<MemberSelectTree> chain = new ArrayList<>();
        Tree cur = m;
        while (cur.getKind() == Tree.Kind.MEMBER_SELECT && !isName(cur)) {
            MemberSelectTree sel = (MemberSelectTree) cur;
            String name = sel.getIdentifier().toString();
            if (name.equals("class") || name.equals("this") || name.equals("super")) break;
            Tree inner = sel.getExpression();
            if (inner.getKind() == Tree.Kind.IDENTIFIER && ((IdentifierTree) inner).getName().contentEquals("super")) break;
            chain.add(sel);
            cur = inner;
        }
        Node expression = cur == m ? generic(m) : (cur instanceof ExpressionTree ? expr((ExpressionTree) cur) : generic(cur));
        for (int i = chain.size() - 1; i >= 0; i--) {
            MemberSelectTree sel = chain.get(i);
            expression = node("FieldAccess", sel).put("expression", expression).put("name", lastName(sel, sel.getIdentifier()));
        }
        return expression;
    }

    private Node methodInvocation(MethodInvocationTree call) {
        // Calls chained on calls (a().b().c()...) recurse through the receiver.
        ExpressionTree meth = call.getMethodSelect();
        Node n = node("MethodInvocation", call);
        if (meth.getKind() == Tree.Kind.MEMBER_SELECT) {
            MemberSelectTree sel = (MemberSelectTree) meth;
            ExpressionTree receiver = sel.getExpression();
            Node name = lastName(sel, sel.getIdentifier());
            if (receiver.getKind() == Tree.Kind.IDENTIFIER && ((IdentifierTree) receiver).getName().contentEquals("super")) {
                return new Node("SuperMethodInvocation", n.start, n.end).put("arguments", expressions(call.getArguments()))
                        .put("name", name).put("qualifier", null).put("typeArguments", types(call.getTypeArguments()));
            }
            if (receiver.getKind() == Tree.Kind.MEMBER_SELECT && ((MemberSelectTree) receiver).getIdentifier().contentEquals("super")) {
                return new Node("SuperMethodInvocation", n.start, n.end).put("arguments", expressions(call.getArguments()))
                        .put("name", name).put("qualifier", name(((MemberSelectTree) receiver).getExpression()))
                        .put("typeArguments", types(call.getTypeArguments()));
            }
            n.put("arguments", expressions(call.getArguments()));
            n.put("expression", expr(receiver));
            n.put("name", name);
        } else {
            n.put("arguments", expressions(call.getArguments()));
            n.put("expression", null);
            n.put("name", meth.getKind() == Tree.Kind.IDENTIFIER ? expr(meth) : expr(meth));
        }
        n.put("typeArguments", types(call.getTypeArguments()));
        return n;
    }

    private Node newArray(NewArrayTree t) {
        List<? extends ExpressionTree> inits = t.getInitializers();
        if (t.getType() == null) {
            // {1, 2}: an initializer alone
            return node("ArrayInitializer", t).put("expressions", expressions(inits));
        }
        Node n = node("ArrayCreation", t);
        n.put("dimensions", expressions(t.getDimensions()));
        Node initializer = null;
        int braceAt = e(t);
        if (inits != null) {
            int open = -1;
            int close = lex.before(e(t));
            if (lex.isChar(close, '}')) open = matching(close);
            initializer = new Node("ArrayInitializer", open >= 0 ? lex.starts[open] : s(t), e(t)).put("expressions", expressions(inits));
            braceAt = initializer.start;
        }
        // the array type: the element type and every [..] up to the initializer
        Node element = type(t.getType());
        int dims = 0;
        int from = element != null ? element.end : s(t);
        List<Node> dimensions = new ArrayList<>();
        int last = from;
        for (int i = lex.at(from); i < lex.count && lex.starts[i] < braceAt; i++) {
            if (lex.isChar(i, '[')) {
                int depth = 0;
                int j = i;
                for (; j < lex.count; j++) {
                    if (lex.isChar(j, '[')) depth++;
                    else if (lex.isChar(j, ']') && --depth == 0) break;
                }
                if (j >= lex.count) break;
                dimensions.add(new Node("Dimension", lex.starts[i], lex.ends[j]).put("annotations", null));
                last = lex.ends[j];
                dims++;
                i = j;
            } else if (!lex.isChar(i, '@') && dims > 0 && lex.kinds[i] == Lexer.OP) {
                break;
            }
        }
        Node arrayType = new Node("ArrayType", element != null ? element.start : s(t), last);
        arrayType.put("dimensions", dimensions).put("elementType", element);
        n.put("initializer", initializer);
        n.put("type", arrayType);
        return n;
    }

    private Node binary(BinaryTree t) {
        // JDT flattens a left-nested chain of one operator: a + b + c -> {a, +, b, [c]}.
        Tree.Kind kind = t.getKind();
        List<BinaryTree> chain = new ArrayList<>();
        Tree cur = t;
        while (cur.getKind() == kind && cur instanceof BinaryTree) {
            chain.add((BinaryTree) cur);
            cur = ((BinaryTree) cur).getLeftOperand();
        }
        BinaryTree innermost = chain.get(chain.size() - 1);
        Node n = node("InfixExpression", t);
        List<ExpressionTree> trees = new ArrayList<>();
        trees.add(innermost.getLeftOperand());
        trees.add(innermost.getRightOperand());
        for (int i = chain.size() - 2; i >= 0; i--) trees.add(chain.get(i).getRightOperand());
        List<Node> operands = new ArrayList<>();
        for (ExpressionTree operand : trees) {
            if (kind == Tree.Kind.PLUS && operand.getKind() == Tree.Kind.STRING_LITERAL) {
                operands.addAll(stringParts(operand)); // javac's folded "a" + "b", unfolded
            } else {
                operands.add(expr(operand));
            }
        }
        n.put("extendedOperands", operands.subList(2, operands.size()));
        n.put("leftOperand", operands.get(0));
        n.put("operator", operator(kind));
        n.put("rightOperand", operands.get(1));
        return n;
    }

    private Node instanceOf(InstanceOfTree t) {
        Tree pattern = t.getPattern();
        if (pattern instanceof BindingPatternTree) {
            VariableTree v = ((BindingPatternTree) pattern).getVariable();
            return node("PatternInstanceofExpression", t).put("leftOperand", expr(t.getExpression()))
                    .put("rightOperand", singleVariable(v));
        }
        return node("InstanceofExpression", t).put("leftOperand", expr(t.getExpression()))
                .put("rightOperand", type(t.getType()));
    }

    private Node lambda(LambdaExpressionTree t) {
        Node n = node("LambdaExpression", t);
        Tree body = t.getBody();
        n.put("body", body instanceof BlockTree ? block((BlockTree) body) : expr((ExpressionTree) body));
        List<Node> params = new ArrayList<>();
        for (VariableTree p : t.getParameters()) {
            if (p.getType() == null || e(p.getType()) < 0) {
                Node name = simpleNameAfter(s(p), p.getName());
                params.add(new Node("VariableDeclarationFragment", name.start, name.end)
                        .put("extraDimensions2", null).put("initializer", null).put("name", name));
            } else {
                params.add(singleVariable(p));
            }
        }
        n.put("parameters", params);
        n.put("parentheses", lex.isChar(lex.at(s(t)), '(') ? "true" : "false");
        return n;
    }

    private Node memberReference(MemberReferenceTree t) {
        ExpressionTree q = t.getQualifierExpression();
        List<Node> typeArgs = types(t.getTypeArguments());
        if (t.getMode() == MemberReferenceTree.ReferenceMode.NEW) {
            return node("CreationReference", t).put("type", type(q)).put("typeArguments", typeArgs);
        }
        Node name = lastName(t, t.getName());
        if (q.getKind() == Tree.Kind.IDENTIFIER && ((IdentifierTree) q).getName().contentEquals("super")) {
            return node("SuperMethodReference", t).put("name", name).put("qualifier", null).put("typeArguments", typeArgs);
        }
        if (q.getKind() == Tree.Kind.MEMBER_SELECT && ((MemberSelectTree) q).getIdentifier().contentEquals("super")) {
            return node("SuperMethodReference", t).put("name", name)
                    .put("qualifier", name(((MemberSelectTree) q).getExpression())).put("typeArguments", typeArgs);
        }
        switch (q.getKind()) {
            case PARAMETERIZED_TYPE: case ARRAY_TYPE: case PRIMITIVE_TYPE: case ANNOTATED_TYPE:
                return node("TypeMethodReference", t).put("name", name).put("type", type(q)).put("typeArguments", typeArgs);
            default:
                return node("ExpressionMethodReference", t).put("expression", expr(q)).put("name", name)
                        .put("typeArguments", typeArgs);
        }
    }

    private Node switchExpression(ExpressionTree t) {
        Node n = node("SwitchExpression", t);
        try {
            ExpressionTree selector = (ExpressionTree) t.getClass().getMethod("getExpression").invoke(t);
            @SuppressWarnings("unchecked")
            List<? extends CaseTree> cases = (List<? extends CaseTree>) t.getClass().getMethod("getCases").invoke(t);
            n.put("expression", condition(selector));
            n.put("statements", cases(cases));
        } catch (ReflectiveOperationException ex) {
            n.put("expression", null).put("statements", null);
        }
        return n;
    }

    /** A node javac has and this converter does not shape: its kind, span and children. */
    private Node generic(Tree t) {
        String kind = t.getKind().name();
        StringBuilder name = new StringBuilder();
        for (String part : kind.split("_")) {
            if (part.isEmpty()) continue;
            name.append(part.charAt(0)).append(part.substring(1).toLowerCase());
        }
        Node n = node(name.toString(), t);
        if (t.getKind() == Tree.Kind.ERRONEOUS) return n;
        List<Node> children = new ArrayList<>();
        new com.sun.source.util.TreeScanner<Void, Void>() {
            @Override
            public Void scan(Tree child, Void unused) {
                if (child == null || child == t) return super.scan(child, unused);
                if (child instanceof StatementTree) children.add(statement((StatementTree) child));
                else if (child instanceof ExpressionTree) children.add(expr((ExpressionTree) child));
                return null;
            }
        }.scan(t, null);
        if (!children.isEmpty()) n.put("children", children);
        return n;
    }
}
