// The Go driver's native side: Go's own go/parser, serving one request per line.
//
// Request:  {"content": "<source>", "filename": "<name>"}
// Answer:   {"ast": <tree or null>, "errors": [{"message", "line", "col"}]}
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
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"os"
)

// maxErrors: the syntax errors reported for one file (go/parser stops at 10 anyway).
const maxErrors = 10

type request struct {
	Content  string `json:"content"`
	Filename string `json:"filename"`
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
	tree, tooDeep := encodeFile(file, src, base)
	if tooDeep.IsValid() {
		line, col := lineCol(src, int(tooDeep)-base)
		return errorReply(syntaxError{
			Message: fmt.Sprintf("the code is nested too deeply to parse (more than %d levels)", maxDepth),
			Line:    line, Col: col})
	}
	reply := make([]byte, 0, len(tree)+32)
	reply = append(reply, `{"ast":`...)
	reply = append(reply, tree...)
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
