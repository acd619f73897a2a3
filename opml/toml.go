package opml

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// WriteTOML writes res as aggregatord config: a header comment naming from
// (the file the sources came from; "" for none), then one [[source]] table
// per source with name, title (left out when empty), url and tags (left out
// when none), and finally the skipped outlines as comments. The output is
// a valid config by itself when the names are unique and valid, which
// Parse guarantees. Strings are TOML basic strings with every control
// character escaped; invalid UTF-8 is replaced by U+FFFD; comments carry no
// control characters or line breaks.
func WriteTOML(w io.Writer, res *Result, from string) error {
	var b strings.Builder
	if res == nil {
		res = &Result{}
	}
	if from == "" {
		from = "an OPML document"
	}
	fmt.Fprintf(&b, "# aggregatord sources imported from %s", comment(from))
	if res.Title != "" {
		b.WriteString(` ("` + comment(res.Title) + `")`)
	}
	b.WriteString(".\n")
	fmt.Fprintf(&b, "# %s", plural(len(res.Sources), "source"))
	if len(res.Skipped) > 0 {
		fmt.Fprintf(&b, "; %s not imported (listed at the end)", plural(len(res.Skipped), "outline"))
	}
	b.WriteString(".\n")
	for _, w := range res.Warnings {
		b.WriteString("# Warning: " + comment(w) + "\n")
	}
	if len(res.Sources) > 0 {
		b.WriteString("# Names were made from the titles and appear in feed URLs\n")
		b.WriteString("# (/feeds/sources/NAME.atom): rename them now if you wish.\n")
	}
	for _, s := range res.Sources {
		b.WriteString("\n[[source]]\n")
		b.WriteString("name = " + quote(s.Name) + "\n")
		if s.Title != "" {
			b.WriteString("title = " + quote(s.Title) + "\n")
		}
		b.WriteString("url = " + quote(s.URL) + "\n")
		if len(s.Tags) > 0 {
			b.WriteString("tags = [")
			for i, t := range s.Tags {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(quote(t))
			}
			b.WriteString("]\n")
		}
	}
	if len(res.Skipped) > 0 {
		b.WriteString("\n# Not imported:\n")
		for _, s := range res.Skipped {
			b.WriteString("#   ")
			if s.Line > 0 {
				fmt.Fprintf(&b, "line %d: ", s.Line)
			}
			title := s.Title
			if title == "" {
				title = "(untitled)"
			}
			b.WriteString(comment(title))
			if s.URL != "" {
				b.WriteString(" <" + comment(s.URL) + ">")
			}
			b.WriteString(": " + comment(s.Reason) + "\n")
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write toml: %w", err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// quote returns s as a TOML basic string.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// comment makes s safe inside a TOML comment: valid UTF-8, no control
// characters or line separators (each becomes a space).
func comment(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
