package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// ErrBadDate is returned (wrapped) when a date element of a sample feed is
// not in its format's layout.
var ErrBadDate = errors.New("demo: date not in the feed format's layout")

// ErrNoDeclaration is returned (wrapped) when a feed to be re-encoded does not
// start with the UTF-8 XML declaration that the server rewrites.
var ErrNoDeclaration = errors.New("demo: feed lacks the UTF-8 XML declaration")

// datePattern returns the pattern of the date fields of a format: submatch
// 1 is the date text. Every call compiles a new regexp, so that nothing
// mutable is shared at package level; it is called once per feed.
func datePattern(f format) (*regexp.Regexp, string) {
	switch f {
	case formatRSS:
		return regexp.MustCompile(`<(?:pubDate|lastBuildDate)>([^<]*)</`), time.RFC1123Z
	case formatAtom:
		return regexp.MustCompile(`<(?:published|updated)>([^<]*)</`), time.RFC3339
	case formatJSON:
		return regexp.MustCompile(`"(?:date_published|date_modified)"\s*:\s*"([^"]*)"`), time.RFC3339
	}
	return nil, ""
}

// shiftDates returns data with every date field of format f moved by shift,
// written back in the format's layout with its zone offset kept, and the
// latest of the moved dates (zero if there is none).
func shiftDates(data []byte, f format, shift time.Duration) ([]byte, time.Time, error) {
	re, layout := datePattern(f)
	if re == nil {
		return nil, time.Time{}, fmt.Errorf("shift dates: unknown format %d", int(f))
	}
	var (
		out    bytes.Buffer
		newest time.Time
		last   int
	)
	out.Grow(len(data))
	for _, m := range re.FindAllSubmatchIndex(data, -1) {
		start, end := m[2], m[3]
		raw := string(bytes.TrimSpace(data[start:end]))
		t, err := time.Parse(layout, raw)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("shift dates: %q: %w", raw, ErrBadDate)
		}
		t = t.Add(shift)
		if t.After(newest) {
			newest = t
		}
		out.Write(data[last:start])
		out.WriteString(t.Format(layout))
		last = end
	}
	out.Write(data[last:])
	return out.Bytes(), newest, nil
}

// utf8Declaration is the XML declaration the stored XML feeds start with.
const utf8Declaration = `<?xml version="1.0" encoding="UTF-8"?>`

// encodeWindows1256 returns an XML document stored as UTF-8 re-encoded as
// windows-1256, with its declaration saying so.
func encodeWindows1256(data []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte(utf8Declaration))
	if !ok {
		return nil, fmt.Errorf("encode windows-1256: %w", ErrNoDeclaration)
	}
	doc := append([]byte(`<?xml version="1.0" encoding="windows-1256"?>`), rest...)
	enc, err := charmap.Windows1256.NewEncoder().Bytes(doc)
	if err != nil {
		return nil, fmt.Errorf("encode windows-1256: %w", err)
	}
	return enc, nil
}

// servedFeed is a feed rendered for serving: dates moved, bytes encoded.
type servedFeed struct {
	feedInfo
	Body     []byte
	ETag     string    // strong, quoted
	Modified time.Time // the newest date in the feed
}

// render reads a sample feed from fsys and renders it with its dates moved
// by shift.
func render(fsys fs.FS, info feedInfo, shift time.Duration) (servedFeed, error) {
	data, err := fs.ReadFile(fsys, info.File)
	if err != nil {
		return servedFeed{}, fmt.Errorf("render %s: %w", info.File, err)
	}
	body, newest, err := shiftDates(data, info.Format, shift)
	if err != nil {
		return servedFeed{}, fmt.Errorf("render %s: %w", info.File, err)
	}
	switch info.Charset {
	case "utf-8":
	case "windows-1256":
		if body, err = encodeWindows1256(body); err != nil {
			return servedFeed{}, fmt.Errorf("render %s: %w", info.File, err)
		}
	default:
		return servedFeed{}, fmt.Errorf("render %s: unsupported charset %q", info.File, info.Charset)
	}
	sum := sha256.Sum256(body)
	return servedFeed{
		feedInfo: info,
		Body:     body,
		ETag:     `"` + hex.EncodeToString(sum[:12]) + `"`,
		Modified: newest,
	}, nil
}
