package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// applyTestFileLimit, when spec is a number of bytes, sets this process's
// soft RLIMIT_FSIZE to it, as a disk that fills up: a write or truncate
// past it fails with EFBIG (SIGXFSZ, which would kill the process, is
// ignored). SIGUSR2 raises the limit back to the hard limit, as space that
// returns. An empty spec does nothing.
func applyTestFileLimit(spec string) error {
	if spec == "" {
		return nil
	}
	n, err := strconv.ParseUint(spec, 10, 64)
	if err != nil {
		return err
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %w", err)
	}
	hard := lim.Max
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: hard}); err != nil {
		return fmt.Errorf("setrlimit: %w", err)
	}
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	go func() {
		for range usr2 {
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: hard, Max: hard}); err != nil {
				fmt.Fprintln(os.Stderr, "raise RLIMIT_FSIZE:", err)
			}
		}
	}()
	return nil
}
