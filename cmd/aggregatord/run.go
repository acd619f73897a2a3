package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/daemon"
)

func cmdRun(e *env, args []string) int {
	fs := newFlagSet(e, "run", "-config FILE")
	path := configFlag(e, fs)
	var lf logFlags
	lf.register(fs)
	shutdown := fs.Duration("shutdown-timeout", 15*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish before their connections are closed")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord run: %v\n", err)
		return exitUsage
	}
	cfg, ok := loadConfig(e, "run", *path)
	if !ok {
		return exitUsage
	}
	d, err := daemon.Open(cfg, daemon.Options{Version: version, Logger: log, ShutdownTimeout: *shutdown})
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord run: %v\n", err)
		return exitFailure
	}
	ls, err := d.Listen()
	if err != nil {
		d.Close()
		fmt.Fprintf(e.stderr, "aggregatord run: %v\n", err)
		return exitFailure
	}
	log.Info("aggregatord started", slog.String("version", version), slog.String("config", *path),
		slog.String("db", cfg.Storage.Path), slog.String("url", cfg.Server.BaseURL))
	return serve(e, d, ls, log, func() (*config.Config, error) { return readConfig(*path) })
}

// serve runs d until SIGINT/SIGTERM, reloading on SIGHUP with reload, then
// closes it.
func serve(e *env, d *daemon.Daemon, ls daemon.Listeners, log *slog.Logger, reload func() (*config.Config, error)) int {
	ctx, stop := signal.NotifyContext(e.ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				cfg, err := reload()
				if err != nil {
					log.Error("config reload rejected; keeping the running config", slog.Any("error", err))
					continue
				}
				if err := d.Reload(cfg); err != nil {
					log.Error("config reload failed", slog.Any("error", err))
				}
			}
		}
	}()
	code := exitOK
	if err := d.ServeListeners(ctx, ls); err != nil {
		log.Error("daemon stopped with an error", slog.Any("error", err))
		code = exitFailure
	}
	if err := d.Close(); err != nil {
		log.Error("close store", slog.Any("error", err))
		code = exitFailure
	}
	log.Info("stopped")
	return code
}
