package main

import "fmt"

func cmdCheck(e *env, args []string) int {
	fs := newFlagSet(e, "check", "-config FILE")
	path := configFlag(e, fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(e, "check", *path)
	if !ok {
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d sources, %d topics)\n", *path, len(cfg.Sources), len(cfg.Topics))
	return exitOK
}
