// The Go driver's native side: Go's own go/parser, serving one request per line.
//
// Request:  {"content": "<source>", "filename": "<name>"[, "keep": N, "reuse": M]}
// Answer:   {"ast": <tree or null>, "errors": [{"message", "line", "col"}][, "kept": N, "starts": [...]]}
//
// "keep" and "reuse" are for an editor's document, parsed again after every keystroke: see
// keptLists below.
//
// The tree is the go/ast tree as a native UAST (see encode.go): every node has "@type" (the
// go/ast type name), "@pos" {"start", "end", and the node's other token positions by their
// go/ast field names} as 0-based byte offsets, and its go/ast fields.  Lines and columns of
// errors are 1-based, columns in bytes (go/token's own counting).  Only the standard library
// is used.  Nothing on the input ends the program but the end of its standard input.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"os"
	"strconv"
)

// maxErrors: the syntax errors reported for one file (go/parser stops at 10 anyway).
const maxErrors = 10

type request struct {
	Content  string `json:"content"`
	Filename string `json:"filename"`
	Keep     *int   `json:"keep"`
	Reuse    *int   `json:"reuse"`
}

// keptLists: the declarations and the comment groups of the document parsed last with "keep",
// by key.  A declaration whose key (its text with the gaps beside it, where its doc comment and
// a spec's line comment are) was in that parse is the same subtree, only moved; so is a comment
// group of File.Comments with the same text.  The answer has {"@kept": N} in its place (N: its
// number in that list in that parse), "kept" echoes "keep", and "starts" says, per list, where
// each item's key starts; the host takes what it made of it then
// (driver_runtime/sdk/native_reuse.py).  A request whose "reuse" is not that parse's "keep"
// reuses nothing.  One document is kept at a time.
type keptLists struct {
	generation int
	keys       [2]map[string][]int // Decls, Comments
}

var kept *keptLists

// itemKeys: each declaration's key and where it starts (the end of what comes before it); each
// comment group's (its text, its start).
func itemKeys(file *ast.File, src []byte, base int) ([2][]string, [2][]int) {
	offset := func(p token.Pos) int {
		o := int(p) - base
		if !p.IsValid() || o < 0 || o > len(src) {
			return -1
		}
		return o
	}
	var keys [2][]string
	var starts [2][]int
	previous := 0
	if file.Name != nil && offset(file.Name.End()) > 0 {
		previous = offset(file.Name.End())
	}
	for i, decl := range file.Decls {
		end := len(src)
		if i+1 < len(file.Decls) {
			end = offset(file.Decls[i+1].Pos())
		}
		if end < previous { // positions the source does not have: a key no other text has
			keys[0] = append(keys[0], fmt.Sprintf("\x00%d", i))
		} else {
			keys[0] = append(keys[0], string(src[previous:end]))
		}
		starts[0] = append(starts[0], previous)
		if next := offset(decl.End()); next >= previous {
			previous = next
		}
	}
	for i, group := range file.Comments {
		start, end := offset(group.Pos()), offset(group.End())
		if start < 0 || end < start {
			keys[1] = append(keys[1], fmt.Sprintf("\x00%d", i))
			starts[1] = append(starts[1], 0)
			continue
		}
		keys[1] = append(keys[1], string(src[start:end]))
		starts[1] = append(starts[1], start)
	}
	return keys, starts
}

// stubs: for each item of each list, its number in the kept parse (-1: not kept); the keys
// become this parse's.
func stubs(req request, keys [2][]string) [2][]int {
	var out [2][]int
	next := &keptLists{generation: *req.Keep}
	for list := range keys {
		var last map[string][]int
		if kept != nil && req.Reuse != nil && kept.generation == *req.Reuse {
			last = kept.keys[list]
		}
		out[list] = make([]int, len(keys[list]))
		mine := make(map[string][]int, len(keys[list]))
		for i, key := range keys[list] {
			out[list][i] = -1
			if numbers := last[key]; len(numbers) > 0 {
				out[list][i], last[key] = numbers[0], numbers[1:]
			}
			mine[key] = append(mine[key], i)
		}
		next.keys[list] = mine
	}
	kept = next
	return out
}

type syntaxError struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			out.Write(answer(line))
			out.WriteByte('\n')
			if out.Flush() != nil {
				return // the reader is gone
			}
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "go parser: reading the input:", err)
			}
			return
		}
	}
}

// answer is the reply line to one request line; it never panics.
func answer(line []byte) (reply []byte) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "go parser: internal error:", r)
			reply = errorReply(syntaxError{Message: fmt.Sprint("internal error in the Go parser: ", r)})
		}
	}()
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return errorReply(syntaxError{Message: "bad request: " + err.Error()})
	}
	return parse(req)
}

func parse(req request) []byte {
	name := req.Filename
	if name == "" {
		name = "source.go"
	}
	src := []byte(req.Content)
	fset := token.NewFileSet()
	base := fset.Base()
	file, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return errorReply(syntaxErrors(err, src)...)
	}
	var stubbed *[2][]int
	var starts [2][]int
	if req.Keep != nil {
		var keys [2][]string
		keys, starts = itemKeys(file, src, base)
		found := stubs(req, keys)
		stubbed = &found
	}
	tree, tooDeep := encodeFile(file, src, base, stubbed)
	if tooDeep.IsValid() {
		line, col := lineCol(src, int(tooDeep)-base)
		return errorReply(syntaxError{
			Message: fmt.Sprintf("the code is nested too deeply to parse (more than %d levels)", maxDepth),
			Line:    line, Col: col})
	}
	reply := make([]byte, 0, len(tree)+8*(len(starts[0])+len(starts[1]))+64)
	reply = append(reply, `{"ast":`...)
	reply = append(reply, tree...)
	if req.Keep != nil {
		reply = append(reply, `,"kept":`...)
		reply = strconv.AppendInt(reply, int64(*req.Keep), 10)
		reply = append(reply, `,"starts":[`...)
		for list := range starts {
			if list > 0 {
				reply = append(reply, ',')
			}
			reply = append(reply, '[')
			for i, start := range starts[list] {
				if i > 0 {
					reply = append(reply, ',')
				}
				reply = strconv.AppendInt(reply, int64(start), 10)
			}
			reply = append(reply, ']')
		}
		reply = append(reply, ']')
	}
	return append(reply, `,"errors":[]}`...)
}

// lineCol: the 1-based line and byte column of an offset.  (go/token's lines and columns follow
// //line directives; offsets do not.)
func lineCol(src []byte, offset int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if offset > len(src) {
		offset = len(src)
	}
	line := 1 + bytes.Count(src[:offset], []byte{'\n'})
	return line, offset - (bytes.LastIndexByte(src[:offset], '\n') + 1) + 1
}

func syntaxErrors(err error, src []byte) []syntaxError {
	list, ok := err.(scanner.ErrorList)
	if !ok {
		if single, isOne := err.(*scanner.Error); isOne {
			list = scanner.ErrorList{single}
		} else {
			return []syntaxError{{Message: err.Error()}}
		}
	}
	out := make([]syntaxError, 0, len(list))
	for _, e := range list {
		if len(out) == maxErrors {
			break
		}
		if !e.Pos.IsValid() {
			out = append(out, syntaxError{Message: e.Msg})
			continue
		}
		line, col := lineCol(src, e.Pos.Offset)
		out = append(out, syntaxError{Message: e.Msg, Line: line, Col: col})
	}
	if len(out) == 0 {
		out = append(out, syntaxError{Message: err.Error()})
	}
	return out
}

func errorReply(errors ...syntaxError) []byte {
	data, err := json.Marshal(struct {
		AST    *struct{}     `json:"ast"`
		Errors []syntaxError `json:"errors"`
	}{nil, errors})
	if err != nil { // cannot happen: plain strings and ints
		return []byte(`{"ast":null,"errors":[{"message":"the Go parser could not encode its error"}]}`)
	}
	return data
}
