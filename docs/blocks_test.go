// Package docs holds the guides and the test that runs their examples:
// every ```sh and ```http block of README.md and docs/*.md runs against a
// real "teamsops serve" (doctest_test.go), so that no example can rot.
// docs/development.md, "Examples that run", describes the convention.
package docs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A block is one fenced code block of a Markdown file that the doc test
// runs or skips.
type block struct {
	file string // as the failure names it: README.md, docs/own-tenant.md
	line int    // of the opening fence, from 1
	lang string // "sh" or "http"
	text string // the lines between the fences

	skip   string // why it does not run; empty when it runs
	expect int    // the exit status (sh) or HTTP status (http) it must end with; -1: success
}

// name is how failure messages point at a block: file, line and its first
// line of text.
func (b block) name() string {
	first, _, _ := strings.Cut(strings.TrimSpace(b.text), "\n")
	if len(first) > 60 {
		first = first[:60] + "…"
	}
	return fmt.Sprintf("%s:%d (```%s block starting %q)", b.file, b.line, b.lang, first)
}

// shellLangs and httpLangs are the info strings of blocks that must run;
// any other fenced block (go, js, yaml, json, plain) is shown, not run.
var (
	shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true, "zsh": true}
	httpLangs  = map[string]bool{"http": true}
)

// markerRe reads the comment that may stand on the line before a fence:
//
//	<!-- doctest: skip (the reason) -->
//	<!-- doctest: expect exit 3 -->     (sh)
//	<!-- doctest: expect status 403 --> (http)
var markerRe = regexp.MustCompile(`^<!--\s*doctest:\s*(.*?)\s*-->$`)

var (
	skipRe   = regexp.MustCompile(`^skip \((.+)\)$`)
	expectRe = regexp.MustCompile(`^expect (exit|status) ([0-9]{1,3})$`)
	serveRe  = regexp.MustCompile(`^serve(?: (.*))?$`)
)

// page is what the doc test takes from one Markdown file: its blocks, in
// order, and the flags of the server they run against.
type page struct {
	blocks     []block
	serveFlags []string
}

// parse reads the blocks of a Markdown file. A malformed marker, a marker
// before no runnable block, or a shell block of another dialect is an
// error: the convention is only worth something if it cannot be misspelt.
func parse(file, text string) (page, []error) {
	p := page{serveFlags: []string{"--demo"}}
	var errs []error
	lines := strings.Split(text, "\n")
	marker, markerLine := "", 0
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		if m := markerRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			if s := serveRe.FindStringSubmatch(m[1]); s != nil {
				p.serveFlags = strings.Fields(s[1])
				continue
			}
			if marker != "" {
				errs = append(errs, fmt.Errorf("%s:%d: doctest marker %q stands before no ```sh or ```http block", file, markerLine, marker))
			}
			marker, markerLine = m[1], i+1
			continue
		}
		fence, lang, ok := openingFence(line)
		if !ok {
			if line != "" && marker != "" {
				errs = append(errs, fmt.Errorf("%s:%d: doctest marker %q stands before no ```sh or ```http block", file, markerLine, marker))
				marker = ""
			}
			continue
		}
		start := i + 1
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != fence; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			errs = append(errs, fmt.Errorf("%s:%d: the ``` block is never closed", file, start))
		}
		runnable := shellLangs[lang] || httpLangs[lang]
		if !runnable {
			if marker != "" {
				errs = append(errs, fmt.Errorf("%s:%d: doctest marker %q stands before a ```%s block, which never runs", file, markerLine, marker, lang))
			}
			marker = ""
			continue
		}
		b := block{file: file, line: start, lang: lang, text: strings.Join(body, "\n") + "\n", expect: -1}
		if shellLangs[lang] {
			if lang != "sh" {
				errs = append(errs, fmt.Errorf("%s:%d: write ```sh, not ```%s: the doc test runs shell blocks with bash, and readers copy them as they are", file, start, lang))
			}
			b.lang = "sh"
		}
		if marker != "" {
			if err := b.mark(marker); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %v", file, markerLine, err))
			}
			marker = ""
		}
		p.blocks = append(p.blocks, b)
	}
	if marker != "" {
		errs = append(errs, fmt.Errorf("%s:%d: doctest marker %q stands before no ```sh or ```http block", file, markerLine, marker))
	}
	return p, errs
}

// openingFence reports whether line opens a fenced block, and with which
// fence and language.
func openingFence(line string) (fence, lang string, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 {
		return "", "", false
	}
	n := len(trimmed) - len(strings.TrimLeft(trimmed, "`"))
	if n < 3 {
		return "", "", false
	}
	info := strings.TrimSpace(trimmed[n:])
	if strings.Contains(info, "`") {
		return "", "", false
	}
	lang, _, _ = strings.Cut(info, " ")
	return trimmed[:n], strings.ToLower(lang), true
}

// mark applies a marker's words to b.
func (b *block) mark(words string) error {
	if m := skipRe.FindStringSubmatch(words); m != nil {
		if strings.TrimSpace(m[1]) == "" {
			return fmt.Errorf("doctest: skip needs a reason in parentheses")
		}
		b.skip = m[1]
		return nil
	}
	if m := expectRe.FindStringSubmatch(words); m != nil {
		if (m[1] == "exit") != (b.lang == "sh") {
			return fmt.Errorf("doctest: a ```%s block expects %s, not %s", b.lang, map[bool]string{true: "exit N", false: "status N"}[b.lang == "sh"], m[1])
		}
		b.expect, _ = strconv.Atoi(m[2])
		return nil
	}
	return fmt.Errorf("doctest: unknown marker %q; write skip (reason), expect exit N, expect status N or serve FLAGS", words)
}
