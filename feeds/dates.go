package feeds

import (
	"strings"
	"time"
	"unicode"
)

// dateLayouts are tried by ParseDate, after the string has been tidied
// (digits made ASCII, a named zone replaced by its offset). Layouts without
// a zone are read as UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
	"02.01.2006",
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -07:00",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Monday, 2 January 2006 15:04:05 -0700",
	"Mon,2 Jan 2006 15:04:05 -0700",
	"Mon 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon Jan 2 15:04:05 2006",
	"Jan 2, 2006 15:04:05 -0700",
	"Jan 2, 2006 3:04 PM",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"2 January 2006",
	"20060102T150405Z0700", // ISO 8601 basic format
	"20060102T150405",
}

// zoneOffsets maps zone abbreviations to offsets in seconds. It covers the
// ones seen in regional news feeds; ambiguous abbreviations take the
// reading most common in such feeds (IST is India, AST is Arabia).
var zoneOffsets = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"BST": 3600, "WEST": 3600, "CET": 3600, "MET": 3600,
	"CEST": 7200, "MEST": 7200, "EET": 7200, "SAST": 7200, "CAT": 7200,
	"EEST": 10800, "IDT": 10800, "MSK": 10800, "TRT": 10800, "AST": 10800, "EAT": 10800, "KSA": 10800,
	"IRST": 12600, "IRDT": 16200, "AFT": 16200,
	"GST": 14400, "AMT": 14400, "AZT": 14400, "GET": 14400,
	"PKT": 18000, "UZT": 18000, "IST": 19800, "NPT": 20700,
	"ICT": 25200, "WIB": 25200,
	"CST": -21600, "CDT": -18000, "EST": -18000, "EDT": -14400,
	"MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
	"AKST": -32400, "AKDT": -28800, "HST": -36000,
	"HKT": 28800, "SGT": 28800, "AWST": 28800,
	"JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
}

// ParseDate reads a feed date that gofeed could not: ISO-like dates with a
// space instead of "T" or without a zone, RFC 1123 dates with zone
// abbreviations Go does not know (IRST, EEST, AST, ...) or with a comment
// such as "(IRST)", and dates written with Arabic-Indic or Persian digits.
// Dates without a zone are taken as UTC. A string of 10 digits is read as
// a Unix time in seconds, one of 13 digits in milliseconds (2001 to 2286
// either way). It reports false when nothing fits.
func ParseDate(s string) (time.Time, bool) {
	s = tidyDate(s)
	if s == "" || len(s) > 100 {
		return time.Time{}, false
	}
	if t, ok := parseEpoch(s); ok {
		return t, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseEpoch reads 10 digits as Unix seconds and 13 as Unix milliseconds.
// Shorter and other lengths are left alone: "20260114" is a date.
func parseEpoch(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != 13 {
		return time.Time{}, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if len(s) == 13 {
		return time.UnixMilli(n).UTC(), true
	}
	return time.Unix(n, 0).UTC(), true
}

// tidyDate makes digits ASCII, drops a trailing parenthesised comment and
// extra spaces, and replaces a trailing zone abbreviation (alone or after a
// numeric offset) with a numeric offset.
func tidyDate(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩': // Arabic-Indic
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹': // Extended Arabic-Indic (Persian, Urdu)
			return '0' + (r - '۰')
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndexByte(s, '('); i > 0 {
			s = strings.TrimSpace(s[:i])
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return s
	}
	zone := strings.ToUpper(s[i+1:])
	off, ok := zoneOffsets[zone]
	if !ok {
		return s
	}
	rest := s[:i]
	// "... +0330 IRST": the numeric offset is already there.
	if j := strings.LastIndexByte(rest, ' '); j >= 0 && len(rest)-j == 6 && (rest[j+1] == '+' || rest[j+1] == '-') {
		return rest
	}
	return rest + " " + formatOffset(off)
}

// hasZoneName reports whether the date s ends in a zone abbreviation that
// ParseDate knows (possibly in parentheses, possibly after an offset).
func hasZoneName(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), ")")
	i := strings.LastIndexAny(s, " (")
	if i < 0 {
		return false
	}
	_, ok := zoneOffsets[strings.ToUpper(s[i+1:])]
	return ok
}

// formatOffset formats an offset in seconds as "+hhmm".
func formatOffset(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	return string([]byte{sign, byte('0' + h/10), byte('0' + h%10), byte('0' + m/10), byte('0' + m%10)})
}
