package database

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowLog logs slow statements only. Failed statements are not logged here: the
// error travels up to the boundary that handles it and is logged once there.
type slowLog struct {
	log       *slog.Logger
	threshold time.Duration
}

func (l slowLog) LogMode(logger.LogLevel) logger.Interface      { return l }
func (l slowLog) Info(context.Context, string, ...interface{})  {}
func (l slowLog) Warn(context.Context, string, ...interface{})  {}
func (l slowLog) Error(context.Context, string, ...interface{}) {}

func (l slowLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if d := time.Since(begin); d >= l.threshold {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow query", "duration", d, "rows", rows, "sql", sql)
	}
}
