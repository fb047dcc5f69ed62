package database

import (
	"testing"
	"time"
)

func TestTimeScan(t *testing.T) {
	want := time.Date(2026, 11, 1, 9, 30, 15, 500_000_000, time.UTC)
	for _, v := range []any{want, "2026-11-01 09:30:15.5+00:00", []byte("2026-11-01T09:30:15.5Z"), "2026-11-01 11:30:15.5+02:00"} {
		var got Time
		if err := got.Scan(v); err != nil || !got.Equal(want) {
			t.Errorf("Scan(%v) = %v, %v; want %v", v, got.Time, err, want)
		}
	}
	for _, v := range []any{"yesterday", 42, nil} {
		var got Time
		if err := got.Scan(v); err == nil {
			t.Errorf("Scan(%v) = %v, want an error", v, got.Time)
		}
	}
}
