package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/database"
)

type secret struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	CreatedAt time.Time
}

// Secret returns the server secret called name, creating it on first use. It lives
// in the database so that every node of a cluster signs with the same key.
func Secret(ctx context.Context, db *database.DB, name string) (string, error) {
	// Two nodes starting at once may both try to create it: the first insert wins
	// and both read back the winner.
	err := db.Writer(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&secret{Name: name, Value: NewToken(), CreatedAt: time.Now().UTC()}).Error
	if err != nil {
		return "", fmt.Errorf("auth: create secret %s: %w", name, err)
	}
	var s secret
	if err := db.Writer(ctx).Where("name = ?", name).Take(&s).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", fmt.Errorf("auth: secret %s vanished", name)
		}
		return "", fmt.Errorf("auth: read secret %s: %w", name, err)
	}
	return s.Value, nil
}
