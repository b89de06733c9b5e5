package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/teamsops/teamsops/internal/tracing"
)

// startTracing starts the tracing the OTEL_* environment variables ask
// for (docs/tracing.md), or none. stop exports what is buffered, within a
// few seconds, and stops it.
func startTracing(ctx context.Context, logger *slog.Logger) (t *tracing.Tracing, stop func(), err error) {
	t, err = tracing.FromEnv(ctx, logger)
	if err != nil || t == nil {
		return nil, func() {}, err
	}
	logger.Info("tracing: exporting traces over OTLP/HTTP")
	return t, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.Shutdown(ctx); err != nil {
			logger.Warn("tracing: the last spans were not exported", "error", err)
		}
	}, nil
}
