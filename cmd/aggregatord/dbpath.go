package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aggregatord/aggregatord/config"
)

// checkStoragePath reports, as a config error at the storage.path value, a
// database file that run and fetch could not open: its directory missing,
// not a directory or not writable, or the file itself a directory or not
// readable and writable. A file that does not exist yet is fine when its
// directory is writable: Open creates it.
func checkStoragePath(cfg *config.Config) error {
	path := cfg.Storage.Path
	problem := dbPathProblem(path)
	if problem == "" {
		return nil
	}
	pos, ok := cfg.Pos["storage.path"]
	if !ok {
		// The default path: point at [storage] if it is there, else at the
		// top of the file.
		if pos, ok = cfg.Pos["storage"]; !ok {
			pos = config.Position{Line: 1, Col: 1}
		}
		problem += fmt.Sprintf(" (storage.path is not set; the default is %q)", config.DefaultStoragePath)
	}
	return &config.Errors{cfg.Errorf(pos, "storage.path: %s", problem)}
}

// dbPathProblem says what is wrong with path as a database file, or "".
func dbPathProblem(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	dir := filepath.Dir(abs)
	fi, err := os.Stat(abs)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Sprintf("%q is a directory; name a file inside it, for example %q", path, filepath.Join(path, "aggregatord.db"))
	case err == nil:
		if err := accessible(abs, false); err != nil {
			return fmt.Sprintf("cannot read and write %q: %v; fix its permissions or owner", path, errors.Unwrap(err))
		}
		return ""
	}
	// The file does not exist yet (or cannot be looked at): its directory
	// must allow creating it.
	notExist := errors.Is(err, fs.ErrNotExist)
	fileErr := err
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("directory %q does not exist; create it or set storage.path to a file in an existing directory", dir)
	case err != nil:
		return fmt.Sprintf("cannot use directory %q: %v", dir, pathErrText(err))
	case !di.IsDir():
		return fmt.Sprintf("%q is not a directory", dir)
	}
	if err := accessible(dir, true); err != nil {
		return fmt.Sprintf("cannot create %q: directory %q is not writable (%v); fix its permissions or owner", filepath.Base(abs), dir, errors.Unwrap(err))
	}
	if !notExist {
		return fmt.Sprintf("cannot use %q: %v", path, pathErrText(fileErr))
	}
	return ""
}

// pathErrText is the cause of a *fs.PathError without the repeated path.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
