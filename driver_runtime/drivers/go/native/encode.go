package main

// The go/ast tree as a native UAST, written straight into JSON: no intermediate maps.
//
// Every go/ast node becomes an object:
//   "@type"   the go/ast type name ("FuncDecl", "Ident", ...);
//   "@token"  the node's text for Ident (Name), BasicLit (Value) and Comment (Text);
//   "@pos"    {"start", "end"} = Pos() and End() as 0-based byte offsets, plus the node's other
//             token positions under their go/ast field names ("Lbrace", "Rparen", "TokPos"...)
//             where they differ from "start"; positions the source does not have are left out;
//   fields    every other go/ast field under its go/ast name, in go/ast order: nodes, lists of
//             nodes (null when empty), tokens as their text ("+=", "var"; null for none),
//             strings, booleans and numbers.
// Object resolution (Scope, Obj, Unresolved) is not a tree and is left out.  File.Imports and
// File.Comments hold the same ImportSpecs and CommentGroups as the declarations and Doc/Comment
// fields, as in go/ast: they are written at each place.

import (
	"bytes"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth: nodes nested deeper than this are refused (a chain of thousands of "a + b + ..."):
// the tree would be too deep for the JSON readers and tree walkers downstream.
const maxDepth = 1000

type fieldKind uint8

const (
	kindNode      fieldKind = iota // an ast.Node interface or pointer
	kindNodeSlice                  // a list of them
	kindToken                      // token.Token: its text
	kindString
	kindBool
	kindInt // ast.ChanDir
)

type field struct {
	index int
	kind  fieldKind
	key   string // `,"Name":`
}

type nodeType struct {
	head      string  // `{"@type":"Name"`
	fields    []field // in go/ast order
	positions []field // token.Pos fields (kind unused)
	token     int     // the field that is the node's token, or -1
}

var (
	posType     = reflect.TypeOf(token.Pos(0))
	tokenType   = reflect.TypeOf(token.Token(0))
	nodeIface   = reflect.TypeOf((*ast.Node)(nil)).Elem()
	objectType  = reflect.TypeOf((*ast.Object)(nil))
	scopeType   = reflect.TypeOf((*ast.Scope)(nil))
	nodeTypes   = map[reflect.Type]*nodeType{}
	tokenFields = map[string]string{"Ident": "Name", "BasicLit": "Value", "Comment": "Text"}
	// Fields that are not part of the syntax tree.
	skipped = map[string]bool{"File.Unresolved": true}
)

func describe(t reflect.Type) *nodeType {
	if info, ok := nodeTypes[t]; ok {
		return info
	}
	info := &nodeType{head: `{"@type":"` + t.Name() + `"`, token: -1}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		if skipped[t.Name()+"."+f.Name] || ft == objectType || ft == scopeType {
			continue
		}
		if tokenFields[t.Name()] == f.Name {
			info.token = i
			continue
		}
		entry := field{index: i, key: `,"` + f.Name + `":`}
		switch {
		case ft == posType:
			info.positions = append(info.positions, entry)
			continue
		case ft == tokenType:
			entry.kind = kindToken
		case ft.Kind() == reflect.Slice && ft.Elem().Implements(nodeIface):
			entry.kind = kindNodeSlice
		case (ft.Kind() == reflect.Interface || ft.Kind() == reflect.Ptr) && ft.Implements(nodeIface):
			entry.kind = kindNode
		case ft.Kind() == reflect.String:
			entry.kind = kindString
		case ft.Kind() == reflect.Bool:
			entry.kind = kindBool
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64:
			entry.kind = kindInt
		default:
			continue // nothing else is in go/ast's nodes
		}
		info.fields = append(info.fields, entry)
	}
	nodeTypes[t] = info
	return info
}

type encoder struct {
	buf   []byte
	src   []byte
	base  int
	depth int
	// kept: per item of File.Decls and of File.Comments, its number in the kept parse, written
	// as {"@kept": N} instead of its tree (-1: written whole); nil: none (main.go's keptLists).
	kept *[2][]int
	// ends: true end offsets of the tokens whose go/ast End() falls short (comments and raw
	// strings with carriage returns, which the scanner drops from their text), by go/ast's
	// End() offset.  Parents end where their last token ends, so the same map fixes them.
	ends map[int]int
}

type tooDeep struct{ pos token.Pos }

// encodeFile writes the tree; if it is too deep, it returns where instead.
func encodeFile(file *ast.File, src []byte, base int, kept *[2][]int) (out []byte, deep token.Pos) {
	e := &encoder{buf: make([]byte, 0, 16*len(src)+256), src: src, base: base, kept: kept}
	if bytes.IndexByte(src, '\r') >= 0 {
		e.ends = shortEnds(file, e)
	}
	defer func() {
		if r := recover(); r != nil {
			problem, ok := r.(tooDeep)
			if !ok {
				panic(r)
			}
			out, deep = nil, problem.pos
			if !deep.IsValid() {
				deep = token.Pos(base)
			}
		}
	}()
	e.node(reflect.ValueOf(file))
	return e.buf, token.NoPos
}

// offset: a position as a byte offset into the source, -1 if it is none or outside it.
func (e *encoder) offset(p token.Pos) int {
	if !p.IsValid() {
		return -1
	}
	o := int(p) - e.base
	if o < 0 || o > len(e.src) {
		return -1
	}
	return o
}

func (e *encoder) node(v reflect.Value) {
	n := v.Interface().(ast.Node)
	e.depth++
	if e.depth > maxDepth {
		panic(tooDeep{n.Pos()})
	}
	s := v.Elem()
	info := describe(s.Type())
	start, end := e.offset(n.Pos()), e.offset(n.End())
	if e.ends != nil {
		if fixed, ok := e.ends[end]; ok {
			end = fixed
		}
	}
	b := append(e.buf, info.head...)
	if info.token >= 0 {
		b = append(b, `,"@token":`...)
		b = appendString(b, s.Field(info.token).String())
	}
	open := len(b)
	b = append(b, `,"@pos":{`...)
	mark := len(b)
	if start >= 0 {
		b = append(b, `"start":`...)
		b = strconv.AppendInt(b, int64(start), 10)
	}
	if end >= 0 && end >= start {
		if len(b) > mark {
			b = append(b, ',')
		}
		b = append(b, `"end":`...)
		b = strconv.AppendInt(b, int64(end), 10)
	}
	for _, f := range info.positions {
		o := e.offset(token.Pos(s.Field(f.index).Int()))
		if o < 0 || o == start {
			continue
		}
		if len(b) > mark {
			b = append(b, ',')
		}
		b = append(b, f.key[1:]...)
		b = strconv.AppendInt(b, int64(o), 10)
	}
	if len(b) == mark {
		b = b[:open] // no position at all
	} else {
		b = append(b, '}')
	}
	e.buf = b
	for _, f := range info.fields {
		e.buf = append(e.buf, f.key...)
		if which, ok := keptFields[f.key]; ok && e.kept != nil && s.Type() == fileType {
			e.list(s.Field(f.index), e.kept[which])
			continue
		}
		e.value(s.Field(f.index), f.kind)
	}
	e.buf = append(e.buf, '}')
	e.depth--
}

var (
	fileType = reflect.TypeOf(ast.File{})
	// The File fields whose items may be kept, by their key: their index in encoder.kept.
	keptFields = map[string]int{`,"Decls":`: 0, `,"Comments":`: 1}
)

// list writes a list of nodes (null when empty); kept: per item, its number in the kept parse,
// written as {"@kept": N} instead of the item (-1, or past its end: written whole).
func (e *encoder) list(v reflect.Value, kept []int) {
	if v.Len() == 0 {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.buf = append(e.buf, '[')
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if i < len(kept) && kept[i] >= 0 {
			e.buf = append(e.buf, `{"@kept":`...)
			e.buf = strconv.AppendInt(e.buf, int64(kept[i]), 10)
			e.buf = append(e.buf, '}')
		} else {
			e.child(v.Index(i))
		}
	}
	e.buf = append(e.buf, ']')
}

func (e *encoder) value(v reflect.Value, kind fieldKind) {
	switch kind {
	case kindNode:
		e.child(v)
	case kindNodeSlice:
		e.list(v, nil)
	case kindToken:
		tok := token.Token(v.Int())
		if tok == token.ILLEGAL {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = appendString(e.buf, tok.String())
		}
	case kindString:
		e.buf = appendString(e.buf, v.String())
	case kindBool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case kindInt:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	}
}

func (e *encoder) child(v reflect.Value) {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Ptr || v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.node(v)
}

// shortEnds finds the comments and raw strings whose text lost carriage returns: go/ast's
// End() is their start plus the length of their text, short of their true end.
func shortEnds(file *ast.File, e *encoder) map[int]int {
	ends := map[int]int{}
	note := func(n ast.Node, trueEnd int) {
		if end := e.offset(n.End()); end >= 0 && trueEnd > end {
			ends[end] = trueEnd
		}
	}
	for _, group := range file.Comments {
		for _, c := range group.List {
			note(c, e.commentEnd(e.offset(c.Pos()), e.offset(c.End()), c.Text))
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") {
			note(lit, e.rawStringEnd(e.offset(lit.Pos()), e.offset(lit.End())))
		}
		return true
	})
	return ends
}

// commentEnd: where a comment ends in the source (a line comment ends before "\r\n").
func (e *encoder) commentEnd(start, end int, text string) int {
	if start < 0 {
		return end
	}
	if strings.HasPrefix(text, "//") {
		stop := len(e.src)
		if i := bytes.IndexByte(e.src[start:], '\n'); i >= 0 {
			stop = start + i
		}
		if stop > start && e.src[stop-1] == '\r' {
			stop--
		}
		return stop
	}
	if i := bytes.Index(e.src[start+2:], []byte("*/")); i >= 0 {
		return start + 2 + i + 2
	}
	return end
}

// rawStringEnd: where a raw string literal ends in the source.
func (e *encoder) rawStringEnd(start, end int) int {
	if start < 0 {
		return end
	}
	if i := bytes.IndexByte(e.src[start+1:], '`'); i >= 0 {
		return start + 1 + i + 1
	}
	return end
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string (invalid UTF-8, which valid Go source cannot give,
// becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
