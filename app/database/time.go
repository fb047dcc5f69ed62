package database

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// sqliteTimeLayouts are how the SQLite driver writes times (the first) and how
// others may have: an expression over a time column, such as COALESCE or MIN,
// comes back from SQLite as this text, without the column's type.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02"}

// Time is a time scanned from either database: a timestamp from PostgreSQL, a
// time or its text from SQLite.
type Time struct{ time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		t.Time = v
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("database: cannot scan %T into a time", v)
}

// Value implements driver.Valuer, which GORM looks for beside Scan.
func (t Time) Value() (driver.Value, error) { return t.Time, nil }

func (t *Time) parse(s string) error {
	for _, layout := range sqliteTimeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("database: %q is not a time", s)
}
