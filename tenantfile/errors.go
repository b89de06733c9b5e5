package tenantfile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem of a tenant file: where it is and what is wrong.
type Error struct {
	// File names the file, as given to Decode ("tenant.yaml", "request body").
	File string
	Pos
	// Path is the field the problem is in, such as chats[0].members[1];
	// empty for a problem of the whole file.
	Path    string
	Message string
}

// Error formats e as FILE:LINE:COLUMN: PATH: MESSAGE.
func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Path, e.Message)
}

// Errors is every problem found in one or more tenant files, in file and
// line order. Decode and ReadFiles return it as their error.
type Errors []*Error

// Error lists the problems one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errorList collects a file's errors and where each path was found.
type errorList struct {
	file   string
	places map[string]Pos
	errs   Errors
}

func newErrorList(file string) *errorList {
	return &errorList{file: file, places: map[string]Pos{}}
}

// place records where the value at path starts.
func (l *errorList) place(path string, p Pos) {
	if _, ok := l.places[path]; !ok {
		l.places[path] = p
	}
}

// placeAt records p for path even if it was placed before (a key's place
// for an unknown field).
func (l *errorList) placeAt(path string, p Pos) { l.places[path] = p }

// at returns where path is, or where its nearest parent that was found
// is: a missing field is reported at the mapping that lacks it.
func (l *errorList) at(path string) Pos {
	for {
		if p, ok := l.places[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return l.places[""]
		}
		path = path[:i]
	}
}

// failed reports whether an error was recorded at path already (a value
// of the wrong type), so that checks of its value say nothing more.
func (l *errorList) failed(path string) bool {
	for _, e := range l.errs {
		if e.Path == path {
			return true
		}
	}
	return false
}

// within reports whether an error was recorded at path or inside it
// (every error, for the empty path).
func (l *errorList) within(path string) bool {
	for _, e := range l.errs {
		if path == "" || e.Path == path || strings.HasPrefix(e.Path, path+".") || strings.HasPrefix(e.Path, path+"[") {
			return true
		}
	}
	return false
}

// missing records that a required value is absent, unless the value was
// there but of the wrong type (already reported).
func (l *errorList) missing(path, msg string) {
	if !l.failed(path) {
		l.add(path, msg)
	}
}

// missingf is missing with a formatted message.
func (l *errorList) missingf(path, format string, args ...any) {
	l.missing(path, fmt.Sprintf(format, args...))
}

// add records an error at path.
func (l *errorList) add(path, msg string) {
	l.errs = append(l.errs, &Error{File: l.file, Pos: l.at(path), Path: path, Message: msg})
}

// addf records a formatted error at path.
func (l *errorList) addf(path, format string, args ...any) { l.add(path, fmt.Sprintf(format, args...)) }

// sorted returns the errors in line, then column order; errors found at
// the same place keep the order they were found in.
func (l *errorList) sorted() Errors {
	es := slices.Clone(l.errs)
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return es
}
