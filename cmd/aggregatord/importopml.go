package main

import (
	"fmt"
	"os"

	"github.com/aggregatord/aggregatord/opml"
)

func cmdImportOPML(e *env, args []string) int {
	fs := newFlagSet(e, "import-opml", "FILE")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord import-opml: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	res, err := opml.Parse(f)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord import-opml: %s: %v\n", path, err)
		return exitUsage
	}
	if err := opml.WriteTOML(e.stdout, res, path); err != nil {
		fmt.Fprintf(e.stderr, "aggregatord import-opml: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "%s: %d sources, %d skipped\n", path, len(res.Sources), len(res.Skipped))
	return exitOK
}
