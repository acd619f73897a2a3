package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrTooLarge is returned (wrapped) by Load when the config is larger than
// MaxSize bytes.
var ErrTooLarge = errors.New("config file too large")

// MaxSize is the largest config Load reads, in bytes.
const MaxSize = 8 << 20

// Error is one problem in a config file, at a position.
type Error struct {
	File string
	Pos  Position
	Msg  string
}

// Error renders the problem as "FILE:LINE:COL: message".
func (e *Error) Error() string {
	return e.File + ":" + e.Pos.String() + ": " + e.Msg
}

// Errors is every problem Load found in a config, in file order. Load
// returns it as a *Errors; find it with errors.As:
//
//	var errs *config.Errors
//	if errors.As(err, &errs) { ... }
type Errors []*Error

// Error renders one "FILE:LINE:COL: message" line per problem, separated by
// newlines (no trailing newline).
func (e *Errors) Error() string {
	if e == nil || len(*e) == 0 {
		return "no errors"
	}
	var b strings.Builder
	for i, err := range *e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns each problem as an error, so errors.As can also find the
// first *Error.
func (e *Errors) Unwrap() []error {
	if e == nil {
		return nil
	}
	out := make([]error, len(*e))
	for i, err := range *e {
		out[i] = err
	}
	return out
}

// sort orders the problems by position, keeping the order of those at the
// same place.
func (e Errors) sort() {
	slices.SortStableFunc(e, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
}

// String renders the position as "LINE:COL".
func (p Position) String() string {
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// IsValid reports whether p is a known position (Line and Col at least 1).
func (p Position) IsValid() bool {
	return p.Line > 0 && p.Col > 0
}

// Errorf builds an *Error at pos in c's file, so other packages (the topic
// query compiler, the daemon) report problems in the same
// "FILE:LINE:COL: message" form.
func (c *Config) Errorf(pos Position, format string, args ...any) *Error {
	file := ""
	if c != nil {
		file = c.File
	}
	return &Error{File: file, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
