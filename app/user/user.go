package user

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/validate"
)

// User is an account.
type User struct {
	ID              int64
	Handle          string
	DisplayName     string
	Email           string
	EmailVerifiedAt *time.Time
	PasswordHash    string
	Locale          string // "" = follow the browser
	Role            Role
	Reputation      int64
	BannedUntil     *time.Time
	SuspendedUntil  *time.Time // reads but does not write until then
	SuspendReason   string
	SilencedUntil   *time.Time // every post waits for review until then
	Avatar          string     // public name of the uploaded image; "" = drawn from the handle
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Suspended reports whether the user may not write at now.
func (u *User) Suspended(now time.Time) bool {
	return u != nil && u.SuspendedUntil != nil && u.SuspendedUntil.After(now)
}

// Silenced reports whether every post of the user waits for review at now.
func (u *User) Silenced(now time.Time) bool {
	return u != nil && u.SilencedUntil != nil && u.SilencedUntil.After(now)
}

// NoEnd is the end of a suspension or silence that has none.
var NoEnd = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Banned reports whether the user is banned at now.
func (u *User) Banned(now time.Time) bool { return u.BannedUntil != nil && u.BannedUntil.After(now) }

// SessionRevoker ends every sign-in of a user; app/auth provides it.
type SessionRevoker interface {
	DeleteForUser(ctx context.Context, userID int64) error
}

// Service manages accounts.
type Service struct {
	db      *database.DB
	revoker SessionRevoker
	params  PasswordParams
	locales []string
	now     func() time.Time
	// dummyHash is checked when a sign-in names no account, so that the answer takes
	// as long as for a wrong password and does not reveal which accounts exist.
	dummyHash string
}

// NewService returns a Service; locales are the language codes a profile may choose.
func NewService(db *database.DB, params PasswordParams, locales []string, revoker SessionRevoker, now func() time.Time) *Service {
	dummy, err := HashPassword("schwarm-timing-equaliser", params)
	if err != nil {
		panic(err) // only if the system's random source fails
	}
	return &Service{db: db, params: params, locales: locales, revoker: revoker, now: now, dummyHash: dummy}
}

// Registration is what a sign-up form submits.
type Registration struct {
	Handle      string
	DisplayName string
	Email       string
	Password    string
	Locale      string
	Role        Role // empty = member
	// Verified marks the address as confirmed from the start: for accounts
	// that someone vouches for (an operator's, the demo's, test fixtures').
	Verified bool
}

// Limits on account fields.
const (
	MinPasswordLen    = 8
	MaxPasswordLen    = 256
	MaxLoginLen       = 254 // the longest e-mail address; handles are shorter
	MaxDisplayNameLen = 60
	maxEmailLen       = MaxLoginLen
)

var handlePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$`)

// DeletedHandlePrefix begins the handle a deleted account is given (the prefix
// and its id), which nobody may register: it would keep that account from
// being deleted.
const DeletedHandlePrefix = "deleted-"

// reservedHandles would let someone pose as the forum or its staff.
var reservedHandles = []string{"admin", "administrator", "moderator", "mod", "support", "system", "schwarm", "staff", "official", "root", "null", "anonymous", "guest"}

// Register validates r and creates the account.
func (s *Service) Register(ctx context.Context, r Registration) (*User, error) {
	r.Handle = strings.TrimSpace(r.Handle)
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	if r.Role == "" {
		r.Role = RoleMember
	}
	errs := validate.Errors{}
	checkHandle(errs, r.Handle, r.Role)
	if r.DisplayName == "" {
		r.DisplayName = r.Handle
	}
	s.checkDisplayName(errs, r.DisplayName)
	switch {
	case r.Email == "":
		errs.Add("email", "form.required")
	case !validEmail(r.Email):
		errs.Add("email", "user.email.invalid")
	}
	checkPassword(errs, r.Password)
	s.checkLocale(errs, r.Locale)
	if !r.Role.Valid() {
		errs.Add("role", "user.role.invalid")
	}
	// The hash comes before the check for a taken address, so that a taken
	// address is answered as slowly as a free one.
	var hash string
	if errs.Err() == nil {
		var err error
		if hash, err = HashPassword(r.Password, s.params); err != nil {
			return nil, err
		}
	}
	s.checkTaken(ctx, errs, r.Handle, r.Email)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{Handle: r.Handle, DisplayName: r.DisplayName, Email: r.Email, PasswordHash: hash,
		Locale: r.Locale, Role: r.Role, CreatedAt: now, UpdatedAt: now}
	if r.Verified {
		u.EmailVerifiedAt = &now
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Writer(ctx).Create(u).Error; err != nil {
			return err
		}
		return event.Emit(ctx, s.db, u.ID, event.MemberJoined{UserID: u.ID, Handle: u.Handle})
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) { // lost a race with another sign-up
			s.checkTaken(ctx, errs, r.Handle, r.Email)
			if err := errs.Err(); err != nil {
				return nil, err
			}
		}
		return nil, fmt.Errorf("user: create: %w", err)
	}
	return u, nil
}

// checkHandle reports a handle that is empty, malformed or not free for anyone
// of role to take.
func checkHandle(errs validate.Errors, handle string, role Role) {
	switch {
	case handle == "":
		errs.Add("handle", "form.required")
	case !handlePattern.MatchString(handle):
		errs.Add("handle", "user.handle.invalid")
	case slices.Contains(reservedHandles, strings.ToLower(handle)) && role == RoleMember,
		strings.HasPrefix(strings.ToLower(handle), DeletedHandlePrefix): // the names deleted accounts take
		errs.Add("handle", "user.handle.taken")
	}
}

// checkTaken reports a handle or e-mail that another account has, for the fields
// that are otherwise valid.
func (s *Service) checkTaken(ctx context.Context, errs validate.Errors, handle, email string) {
	var n int64
	if _, bad := errs["handle"]; !bad {
		if s.db.Reader(ctx).Model(&User{}).Where("lower(handle) = ?", strings.ToLower(handle)).Count(&n); n > 0 {
			errs.Add("handle", "user.handle.taken")
		}
	}
	if _, bad := errs["email"]; !bad {
		if s.db.Reader(ctx).Model(&User{}).Where("email = ?", email).Count(&n); n > 0 {
			errs.Add("email", "user.email.taken")
		}
	}
}

// checkPassword holds a new password to the rules of every password: sign-up
// and reset alike.
func checkPassword(errs validate.Errors, password string) {
	switch n := utf8.RuneCountInString(password); {
	case password == "":
		errs.Add("password", "form.required")
	case n < MinPasswordLen:
		errs.Add("password", "user.password.short")
	case n > MaxPasswordLen:
		errs.Add("password", "user.password.long")
	}
}

func (s *Service) checkDisplayName(errs validate.Errors, name string) {
	switch {
	case utf8.RuneCountInString(name) > MaxDisplayNameLen:
		errs.Add("display_name", "user.display_name.long")
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) }) >= 0:
		errs.Add("display_name", "user.display_name.invalid")
	}
}

func (s *Service) checkLocale(errs validate.Errors, locale string) {
	if locale != "" && !slices.Contains(s.locales, locale) {
		errs.Add("locale", "user.locale.invalid")
	}
}

func validEmail(e string) bool {
	if len(e) > maxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndexByte(e, '@'):], ".")
}

// Authenticate checks a handle or e-mail address and a password.
func (s *Service) Authenticate(ctx context.Context, login, password string) (*User, error) {
	login = strings.TrimSpace(login)
	if len(login) > MaxLoginLen || utf8.RuneCountInString(password) > MaxPasswordLen { // no account has such: not worth a query or a long hash
		_, _ = CheckPassword(s.dummyHash, "")
		return nil, ErrInvalidCredentials
	}
	var u User
	err := s.db.Reader(ctx).Where("lower(handle) = ? OR email = ?", strings.ToLower(login), strings.ToLower(login)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.PasswordHash == "") {
		_, _ = CheckPassword(s.dummyHash, password)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("user: find for sign-in: %w", err)
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if !ok {
		return nil, ErrInvalidCredentials
	}
	if u.Banned(s.now()) {
		return nil, ErrBanned
	}
	return &u, nil
}

// LoginID returns the id of the account that login (a handle or an e-mail
// address, any case) names, or 0 when none does, so that one account has one
// sign-in budget whichever of its names is typed.
func (s *Service) LoginID(ctx context.Context, login string) (int64, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" || len(login) > maxEmailLen {
		return 0, nil
	}
	var ids []int64
	err := s.db.Reader(ctx).Table("users").Where("lower(handle) = ? OR email = ?", login, login).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// Get loads a user by id.
func (s *Service) Get(ctx context.Context, id int64) (*User, error) {
	return s.take(ctx, "id = ?", id)
}

// GetByHandle loads a user by handle, ignoring case.
func (s *Service) GetByHandle(ctx context.Context, handle string) (*User, error) {
	return s.take(ctx, "lower(handle) = ?", strings.ToLower(handle))
}

func (s *Service) take(ctx context.Context, where string, arg any) (*User, error) {
	var u User
	err := s.db.Reader(ctx).Where(where, arg).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user: get: %w", err)
	}
	return &u, nil
}

// GetByEmail loads the user with e-mail address email, ignoring case.
func (s *Service) GetByEmail(ctx context.Context, email string) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > maxEmailLen {
		return nil, ErrNotFound
	}
	return s.take(ctx, "email = ?", email)
}

// SetPassword gives user id a new password, held to the sign-up rules, and
// ends every sign-in of the user in the same transaction: whoever knew the old
// password is out.
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error {
	errs := validate.Errors{}
	checkPassword(errs, password)
	if err := errs.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.params)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.update(ctx, id, map[string]any{"password_hash": hash}); err != nil {
			return err
		}
		return s.revoker.DeleteForUser(ctx, id)
	})
}

// MarkVerified records that the owner of id showed they read mail at email;
// it does nothing (ErrNotFound) if the account's address is another by now.
func (s *Service) MarkVerified(ctx context.Context, id int64, email string) error {
	now := s.now()
	res := s.db.Writer(ctx).Model(&User{}).Where("id = ? AND email = ?", id, email).
		Updates(map[string]any{"email_verified_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("user: verify %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// Profile is what a user may change about themselves.
type Profile struct {
	DisplayName string
	Locale      string
}

// UpdateProfile validates p and saves it for user id.
func (s *Service) UpdateProfile(ctx context.Context, id int64, p Profile) error {
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	errs := validate.Errors{}
	if p.DisplayName == "" {
		errs.Add("display_name", "form.required")
	}
	s.checkDisplayName(errs, p.DisplayName)
	s.checkLocale(errs, p.Locale)
	if err := errs.Err(); err != nil {
		return err
	}
	return s.update(ctx, id, map[string]any{"display_name": p.DisplayName, "locale": p.Locale})
}

// SetAvatar makes the upload with the public name the user's avatar; "" goes
// back to the avatar drawn from the handle.
func (s *Service) SetAvatar(ctx context.Context, id int64, name string) error {
	return s.update(ctx, id, map[string]any{"avatar": name})
}

// SetLocale changes only the preferred language ("" = follow the browser).
func (s *Service) SetLocale(ctx context.Context, id int64, locale string) error {
	errs := validate.Errors{}
	s.checkLocale(errs, locale)
	if err := errs.Err(); err != nil {
		return err
	}
	return s.update(ctx, id, map[string]any{"locale": locale})
}

// SetRole changes a user's role and ends the user's sessions in the same
// transaction, so that no session outlives the privileges it was opened with.
// actorID is who asks; nobody changes their own role, so the last admin cannot
// lock everyone out by accident.
func (s *Service) SetRole(ctx context.Context, actorID, id int64, role Role) error {
	if actorID == id {
		return ErrOwnRole
	}
	if !role.Valid() {
		return validate.Errors{"role": "user.role.invalid"}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		// Locked, so that of two role changes at once the second reads
		// the first's role as the one it replaces.
		var old User
		err := s.db.Writer(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&old).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("user: set role of %d: %w", id, err)
		}
		if err := s.update(ctx, id, map[string]any{"role": role}); err != nil {
			return err
		}
		if old.Role != role {
			if err := audit.New(s.db, s.now).Record(ctx, audit.Entry{ActorID: actorID, Action: audit.ChangeRole, MemberID: audit.Ref(id),
				Before: string(old.Role), After: string(role)}); err != nil {
				return err
			}
			if err := event.Emit(ctx, s.db, actorID, event.RoleChanged{UserID: id, From: string(old.Role), To: string(role)}); err != nil {
				return err
			}
		}
		return s.revoker.DeleteForUser(ctx, id)
	})
}

func (s *Service) update(ctx context.Context, id int64, cols map[string]any) error {
	cols["updated_at"] = s.now()
	res := s.db.Writer(ctx).Model(&User{}).Where("id = ?", id).Updates(cols)
	if res.Error != nil {
		return fmt.Errorf("user: update %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// Count returns the number of accounts.
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// List returns up to limit users with an id above afterID, by id (keyset pages).
func (s *Service) List(ctx context.Context, afterID int64, limit int) ([]User, error) {
	var users []User
	err := s.db.Reader(ctx).Where("id > ?", afterID).Order("id").Limit(limit).Find(&users).Error
	return users, err
}

// Handles returns the handles of the users ids, by id; unknown ids are left out.
func (s *Service) Handles(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     int64
		Handle string
	}
	if err := s.db.Reader(ctx).Model(&User{}).Select("id, handle").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("user: handles: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Handle
	}
	return out, nil
}

// WriteError says why u may not write at now (post, edit, give kudos), or nil:
// ErrSuspended with the end of the suspension, as until formats it, and its
// reason.
func WriteError(u *User, now time.Time, until func(time.Time) string) error {
	if !u.Suspended(now) {
		return nil
	}
	return ErrSuspended.With(until(*u.SuspendedUntil), u.SuspendReason)
}

// Restrict sets the suspension and silence of id: until when each lasts (nil:
// not at all) and the reason. A suspension ends every sign-in of the member, so
// that no session goes on with the old rights. Call it in the transaction of the
// moderator's action.
func (s *Service) Restrict(ctx context.Context, id int64, suspendedUntil, silencedUntil *time.Time, reason string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.update(ctx, id, map[string]any{"suspended_until": suspendedUntil, "silenced_until": silencedUntil, "suspend_reason": reason}); err != nil {
			return err
		}
		if suspendedUntil != nil {
			return s.revoker.DeleteForUser(ctx, id)
		}
		return nil
	})
}

// HandleMatch is a member as the @mention autocomplete offers them.
type HandleMatch struct {
	Handle      string `json:"handle"`
	DisplayName string `json:"name"`
}

// SuggestHandles returns up to n members whose handle begins with prefix,
// those with the most reputation first, for the @mention autocomplete. A
// prefix that no handle can begin with finds nobody.
func (s *Service) SuggestHandles(ctx context.Context, prefix string, n int) ([]HandleMatch, error) {
	prefix = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(prefix), "@"))
	if prefix == "" || len(prefix) > 30 || !handlePrefix.MatchString(prefix) {
		return nil, nil
	}
	escaped := strings.NewReplacer(`\`, `\\`, "_", `\_`, "%", `\%`).Replace(prefix)
	var out []HandleMatch
	err := s.db.Reader(ctx).Raw(`SELECT handle, display_name FROM users WHERE lower(handle) LIKE ? ESCAPE '\' AND deleted_at IS NULL
		ORDER BY reputation DESC, id LIMIT ?`, escaped+"%", n).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("user: suggest handles %q: %w", prefix, err)
	}
	return out, nil
}

// handlePrefix is the start of a handle (see handlePattern).
var handlePrefix = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
