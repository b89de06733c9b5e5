package odata

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// tokenKind classifies a $filter token.
type tokenKind int

const (
	tokEOF      tokenKind = iota
	tokLParen             // (
	tokRParen             // )
	tokComma              // , (only in function calls, which are refused)
	tokName               // property, keyword, operator or function name
	tokString             // 'text'
	tokEnum               // Namespace.Type'member'
	tokInt                // -?digits
	tokDateTime           // OData DateTimeOffset literal, unquoted
)

// token is one lexeme of a $filter expression.
type token struct {
	kind tokenKind
	pos  int       // byte offset in the expression
	text string    // the token as written
	str  string    // value of a string literal; member of an enum literal
	num  int64     // value of an integer literal
	time time.Time // value of a DateTimeOffset literal, in UTC
}

// lexer reads tokens on demand, so the parser reports the first problem
// from the left, as OData's parser does.
type lexer struct {
	src string
	pos int
}

// next returns the next token; at the end it returns tokEOF at len(src).
func (lx *lexer) next() (token, error) {
	for lx.pos < len(lx.src) && (lx.src[lx.pos] == ' ' || lx.src[lx.pos] == '\t') {
		lx.pos++ // OData's RWS: spaces and horizontal tabs
	}
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := lx.src[start]
	switch {
	case c == '(' || c == ')' || c == ',':
		lx.pos++
		kind := tokComma
		if c == '(' {
			kind = tokLParen
		} else if c == ')' {
			kind = tokRParen
		}
		return token{kind: kind, pos: start, text: string(c)}, nil
	case c == '\'':
		return lx.lexString(start)
	case isDigit(c) || c == '-':
		return lx.lexNumber(start)
	case isNameStart(c):
		return lx.lexName(start)
	}
	return token{}, syntaxError(lx.src, start)
}

// lexString reads a string literal; a doubled quote inside it stands for
// one quote.
func (lx *lexer) lexString(start int) (token, error) {
	value, rest, ok := unquote(lx.src[start:])
	if !ok {
		return token{}, invalid("There is an unterminated string literal at position %d in '%s'.", start, lx.src)
	}
	lx.pos = len(lx.src) - len(rest)
	return token{kind: tokString, pos: start, text: lx.src[start:lx.pos], str: value}, nil
}

// lexName reads a name. A dotted name followed directly by a string literal
// is a qualified enum literal (OData ABNF enum = qualifiedEnumTypeName
// SQUOTE enumValue SQUOTE), e.g. microsoft.graph.teamsAsyncOperationStatus'failed'.
func (lx *lexer) lexName(start int) (token, error) {
	end := start
	for end < len(lx.src) && isNameChar(lx.src[end]) {
		end++
	}
	text := lx.src[start:end]
	lx.pos = end
	if end < len(lx.src) && lx.src[end] == '\'' && qualifiedName(text) {
		lit, err := lx.lexString(end)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokEnum, pos: start, text: lx.src[start:lx.pos], str: lit.str}, nil
	}
	return token{kind: tokName, pos: start, text: text}, nil
}

// lexNumber reads a word starting with a digit or '-': an integer or a
// DateTimeOffset literal. Decimals, GUIDs and the like are refused.
func (lx *lexer) lexNumber(start int) (token, error) {
	end := start
	for end < len(lx.src) && !strings.ContainsRune(" \t(),'", rune(lx.src[end])) {
		end++
	}
	word := lx.src[start:end]
	lx.pos = end
	switch {
	case isInteger(word):
		n, err := strconv.ParseInt(word, 10, 64)
		if err != nil {
			return token{}, invalid("The integer literal '%s' at position %d in '%s' is out of range.", word, start, lx.src)
		}
		return token{kind: tokInt, pos: start, text: word, num: n}, nil
	case looksLikeDate(word):
		t, ok := parseDateTimeOffset(word)
		if !ok {
			return token{}, invalid("Unrecognized 'Edm.DateTimeOffset' literal '%s' at '%d' in '%s'.", word, start, lx.src)
		}
		return token{kind: tokDateTime, pos: start, text: word, time: t}, nil
	case len(word) > 1 && word[0] == '-' && isNameStart(word[1]):
		return token{}, invalid("The negation operator '-' is not supported in $filter.")
	}
	return token{}, syntaxError(lx.src, start)
}

// syntaxError is OData's message for an expression it cannot parse; the
// position is a 0-based byte offset.
func syntaxError(src string, pos int) error {
	return invalid("Syntax error at position %d in '%s'.", pos, src)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isNameStart(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_'
}

// isNameChar admits '.' for qualified names and '/' so that property paths
// and lambdas (values/any) reach the parser and get a clear refusal.
func isNameChar(c byte) bool {
	return isNameStart(c) || isDigit(c) || c == '.' || c == '/'
}

// qualifiedName reports a namespace-qualified name: dotted, each part a
// plain identifier.
func qualifiedName(s string) bool {
	if !strings.Contains(s, ".") || strings.Contains(s, "/") {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" || !isNameStart(part[0]) {
			return false
		}
	}
	return true
}

func isInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return false
		}
	}
	return true
}

// looksLikeDate reports a word that can only be meant as a date: four
// digits and a '-'.
func looksLikeDate(s string) bool {
	return len(s) >= 5 && isInteger(s[:4]) && s[0] != '-' && s[4] == '-'
}

// dateTimeOffset is OData ABNF's dateTimeOffsetValue with a four-digit year
// and at most 7 fractional digits (Edm.DateTimeOffset's precision in Graph,
// e.g. 2021-05-27T21:23:41.9085453Z). ABNF literals are case-insensitive,
// hence [Tt] and [Zz].
var dateTimeOffset = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2})` +
	`(?::([0-9]{2})(\.[0-9]{1,7})?)?([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$`)

// parseDateTimeOffset parses a DateTimeOffset literal into UTC.
func parseDateTimeOffset(s string) (time.Time, bool) {
	m := dateTimeOffset.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	seconds := m[3]
	if seconds == "" {
		seconds = "00"
	}
	zone := strings.ToUpper(m[5])
	t, err := time.Parse(time.RFC3339Nano, m[1]+"T"+m[2]+":"+seconds+m[4]+zone)
	// .NET's DateTimeOffset, behind Graph, holds UTC years 1 to 9999 only.
	if t = t.UTC(); err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}
