package tenantfile

import "fmt"

// maxScanDepth bounds how deeply a document may nest by scanDepth's
// count, which is an upper bound: a block indentation level counts twice
// (a mapping and a list may start at one column). A tenant file nests six
// levels and counts about a dozen; the tree's own bound (maxDepth) is
// checked after parsing, on the true depth.
const maxScanDepth = 64

// scanDepth reads data as YAML or JSON without parsing it, in one pass
// and without allocating more than a limit-sized stack, and returns an
// error at the place where the document nests deeper than limit. The YAML
// parser's time and memory grow with the square of the depth (100,000
// brackets take gigabytes), so no document reaches it unless this passes.
//
// The count is conservative: a flow collection ('[' or '{' where a value
// starts, or anywhere inside another flow collection) is one level until
// its closing bracket; each block indentation level (a line's
// indentation, and the column after each "- ", "? " or a key of a list
// item on the same line) is two. Quoted scalars, block scalars ('|',
// '>') and comments are skipped as the parser reads them: a quote opens a
// scalar only where a value starts, and an unterminated one runs to the
// end of the data.
func scanDepth(data []byte, limit int) *Error {
	s := depthScanner{data: data, line: 1, col: 1, limit: limit}
	return s.run()
}

type depthScanner struct {
	data  []byte
	i     int // offset of the next byte
	line  int // of data[i], 1-based
	col   int // of data[i], 1-based, in characters
	limit int

	flow   int   // open flow collections
	indent []int // block indentation levels (0-based columns), increasing
	plain  bool  // inside a plain scalar: a quote or '[' is then text
	// blockScalar is the indentation above which lines belong to a block
	// scalar whose header ended the previous content line; -2 if none.
	blockScalar  int
	blockContent int // the indentation of its first line; -1 before it
	// owner is the column of the last key or indicator on this line: a
	// block scalar header's content is indented more than it.
	owner int
}

func (s *depthScanner) run() *Error {
	s.blockScalar, s.blockContent = -2, -1
	for s.i < len(s.data) {
		content, err := s.startLine()
		if err != nil {
			return err
		}
		if !content {
			continue
		}
		if err := s.lineContent(); err != nil {
			return err
		}
	}
	return nil
}

// depth is the count so far.
func (s *depthScanner) depth() int { return 2*len(s.indent) + s.flow }

// tooDeep is the error at column col (1-based) of the line.
func (s *depthScanner) tooDeep(col int) *Error {
	return &Error{Pos: Pos{s.line, col}, Message: fmt.Sprintf(
		"the document nests more than %d levels deep (each indentation level counting two)", s.limit)}
}

// push records a block indentation level at column c (0-based) when it
// is deeper than the last, first dropping the levels deeper than c.
func (s *depthScanner) push(c int) *Error {
	s.pop(c)
	if n := len(s.indent); n == 0 || s.indent[n-1] < c {
		s.indent = append(s.indent, c)
	}
	if s.depth() > s.limit {
		return s.tooDeep(c + 1)
	}
	return nil
}

// pop drops the block indentation levels deeper than column c.
func (s *depthScanner) pop(c int) {
	for n := len(s.indent); n > 0 && s.indent[n-1] > c; n-- {
		s.indent = s.indent[:n-1]
	}
}

// advance moves past one byte, keeping line and column.
func (s *depthScanner) advance() {
	b := s.data[s.i]
	s.i++
	switch {
	case b == '\n':
		s.line++
		s.col = 1
	case b&0xC0 != 0x80: // not a UTF-8 continuation byte
		s.col++
	}
}

func (s *depthScanner) peek(off int) byte {
	if s.i+off < len(s.data) {
		return s.data[s.i+off]
	}
	return 0
}

// blankAt reports whether the byte off bytes on is white space or the end
// of the data: whether an indicator before it is one.
func (s *depthScanner) blankAt(off int) bool {
	switch s.peek(off) {
	case 0, ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// startLine measures the indentation of the line at s.i. It skips the
// line whole and returns false when it is blank, a comment, or belongs to
// a block scalar; otherwise it records the line's indentation level
// (outside flow collections) and leaves s.i at its first character.
func (s *depthScanner) startLine() (bool, *Error) {
	n := 0
	for s.i+n < len(s.data) && (s.data[s.i+n] == ' ' || s.data[s.i+n] == '\t') {
		n++
	}
	end := s.i + n
	blank := end >= len(s.data) || s.data[end] == '\n' || s.data[end] == '\r'
	marker := n == 0 && s.documentMarker()
	if s.blockScalar > -2 && !blank {
		// A block scalar's lines are those indented more than its owner
		// and at least as much as its first; a document marker ends it.
		if !marker && n > s.blockScalar && (s.blockContent < 0 || n >= s.blockContent) {
			s.blockContent = n
			s.skipLine()
			return false, nil
		}
		s.blockScalar, s.blockContent = -2, -1
	}
	if blank || s.data[end] == '#' {
		s.skipLine()
		return false, nil
	}
	for range n {
		s.advance()
	}
	if marker {
		s.indent = s.indent[:0]
		s.plain = false
		return true, nil
	}
	s.owner = n
	if s.flow == 0 {
		// Outside flow collections a plain scalar goes on over lines
		// indented more than the level it started at.
		if len(s.indent) == 0 || n <= s.indent[len(s.indent)-1] {
			s.plain = false
		}
		if err := s.push(n); err != nil {
			return false, err
		}
	}
	return true, nil
}

// documentMarker reports whether the line at s.i starts with "---" or
// "..." and a blank.
func (s *depthScanner) documentMarker() bool {
	if len(s.data)-s.i < 3 {
		return false
	}
	m := string(s.data[s.i : s.i+3])
	return (m == "---" || m == "...") && s.blankAt(3)
}

// skipLine moves past the rest of the line, its line break included.
func (s *depthScanner) skipLine() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.advance()
	}
	if s.i < len(s.data) {
		s.advance()
	}
}

// toLineEnd moves to the line break ending the line (or the end).
func (s *depthScanner) toLineEnd() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.advance()
	}
}

// lineContent reads the rest of a line from its first character, and
// the lines a quoted scalar begun on it runs over; it returns after the
// line break that ends it.
func (s *depthScanner) lineContent() *Error {
	prevBlank := true // a comment starts after white space
	start := 0        // 0-based column where the current scalar started
	for s.i < len(s.data) {
		c := s.data[s.i]
		col := s.col - 1
		if c == '\n' {
			s.advance()
			return nil
		}
		boundary := false // c ends a plain scalar
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
			prevBlank = true
			continue
		case c == '#' && (prevBlank || !s.plain):
			s.toLineEnd()
			continue
		case (c == '"' || c == '\'') && !s.plain:
			start = col
			if s.quoted(c) {
				return nil // a document marker ended the scalar at a line's start
			}
			prevBlank = false
			continue
		case (c == '[' || c == '{') && (s.flow > 0 || !s.plain):
			s.flow++
			if s.depth() > s.limit {
				return s.tooDeep(s.col)
			}
			boundary = true
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
			boundary = true
		case c == ',' && s.flow > 0:
			boundary = true
		case (c == '-' || c == '?') && !s.plain && s.blankAt(1):
			s.advance()
			if s.flow == 0 {
				s.owner = col
				if err := s.pushNext(); err != nil {
					return err
				}
			}
			s.plain = false
			prevBlank = true
			continue
		case c == ':' && (s.blankAt(1) || (s.flow > 0 && s.peek(1) != '/')):
			if s.flow == 0 && s.plain {
				s.owner = start
			}
			boundary = true
		case (c == '|' || c == '>') && !s.plain && s.flow == 0:
			s.blockScalar, s.blockContent = s.owner, -1
			s.toLineEnd()
			continue
		case (c == '&' || c == '!' || c == '*') && !s.plain:
			// An anchor, tag or alias: its name, then a value may start.
			for s.i < len(s.data) && !s.blankAt(0) && !(s.flow > 0 && isFlowIndicator(s.data[s.i])) {
				s.advance()
			}
			s.plain = false
			prevBlank = false
			continue
		}
		if boundary {
			s.plain = false
		} else if !s.plain {
			s.plain, start = true, col
		}
		s.advance()
		prevBlank = false
	}
	return nil
}

// pushNext records the column of the next character on the line, after
// an indicator ("- ", "? "), as a block indentation level.
func (s *depthScanner) pushNext() *Error {
	off := 0
	for s.peek(off) == ' ' || s.peek(off) == '\t' {
		off++
	}
	switch s.peek(off) {
	case 0, '\n', '\r', '#':
		return nil // the value starts on a later line
	}
	return s.push(s.col - 1 + off)
}

func isFlowIndicator(c byte) bool {
	switch c {
	case ',', '[', ']', '{', '}':
		return true
	}
	return false
}

// quoted moves past the quoted scalar starting at s.i, quote being its
// quote. It ends at its closing quote, at the end of the data, or before
// a line that starts with a document marker (where it returns true).
func (s *depthScanner) quoted(quote byte) bool {
	s.advance()
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == quote && quote == '\'' && s.peek(1) == '\'':
			s.advance()
		case c == quote:
			s.advance()
			s.plain = false
			return false
		case c == '\\' && quote == '"' && s.i+1 < len(s.data):
			s.advance()
		case c == '\n':
			s.advance()
			if s.documentMarker() {
				s.plain = false
				return true
			}
			continue
		}
		s.advance()
	}
	return false
}
