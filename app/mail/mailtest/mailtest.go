// Package mailtest runs a real SMTP server on a loopback port inside a test
// process and parses what it receives, for tests of any package that sends
// mail: point SCHWARM_SMTP_URL at URL, then Wait for the mails. Only tests
// import it.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one mail as the server got it.
type Received struct {
	From    string   // the envelope sender
	To      []string // the envelope recipients
	Subject string   // decoded
	Text    string   // the text/plain part, decoded
	HTML    string   // the text/html part, decoded
	Headers mail.Header
	Raw     []byte
	TLS     bool   // the mail came over TLS (STARTTLS or implicit)
	User    string // who authenticated, "" for nobody
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Link returns the first link in the text whose path contains part, or "".
func (r Received) Link(part string) string {
	for _, l := range linkPattern.FindAllString(r.Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// Options make the server stricter.
type Options struct {
	TLS      bool   // offer STARTTLS with a certificate of its own (see ClientTLS)
	Implicit bool   // with TLS: TLS from the first byte (smtps://) instead of STARTTLS
	User     string // require AUTH PLAIN with User and Password
	Password string
}

// Server is the receiving SMTP server.
type Server struct {
	t    testing.TB
	addr string
	opts Options
	cert *tls.Certificate
	root *x509.CertPool

	mu       sync.Mutex
	cond     *sync.Cond
	received []Received
	srv      *smtp.Server
	ln       net.Listener // closed by Stop itself: Serve may not have registered it yet
}

// Start starts a server on a free loopback port; it stops when the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a server with opts.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{t: t, addr: "127.0.0.1:0", opts: opts}
	s.cond = sync.NewCond(&s.mu)
	if opts.TLS {
		s.cert, s.root = selfSigned(t)
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server as SCHWARM_SMTP_URL, with the user and password when it
// requires them.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.TLS && s.opts.Implicit {
		u.Scheme = "smtps"
	}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// ClientTLS is a client configuration that trusts the server's certificate,
// or nil without TLS.
func (s *Server) ClientTLS() *tls.Config {
	if s.root == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.root, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (*tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: c}, pool
}

// Start starts the server again on the port it had, after Stop.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	var ln net.Listener
	var err error
	// The port of a server just stopped may take a moment to be free again.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		s.t.Fatalf("mailtest: listen on %s: %v", s.addr, err)
	}
	s.addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	srv.Domain = "localhost"
	if s.cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*s.cert}, MinVersion: tls.VersionTLS12}
	}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	s.srv, s.ln = srv, ln
	if s.cert != nil && s.opts.Implicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
}

// Stop closes the server and every connection to it; mails received so far
// stay readable.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		ln.Close()
		srv.Close()
	}
}

// Messages returns every mail received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait waits until at least n mails have arrived in all, at most timeout, and
// returns them all; fewer fail the test.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer timer.Stop()
	s.mu.Lock()
	for len(s.received) < n && time.Now().Before(deadline) {
		s.cond.Wait()
	}
	got := append([]Received(nil), s.received...)
	s.mu.Unlock()
	if len(got) < n {
		t.Fatalf("mailtest: %d mails after %v, want %d", len(got), timeout, n)
	}
	return got
}

// WaitTo waits for the first mail to address after the first skip ones to
// it, and returns it.
func (s *Server) WaitTo(t testing.TB, address string, skip int, timeout time.Duration) Received {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		seen := 0
		for _, m := range s.Messages() {
			if len(m.To) > 0 && strings.EqualFold(m.To[0], address) {
				if seen == skip {
					return m
				}
				seen++
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: no mail %d to %s after %v", skip+1, address, timeout)
		}
	}
}

// To returns the mails received so far whose first recipient is address.
func (s *Server) To(address string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		if len(m.To) > 0 && strings.EqualFold(m.To[0], address) {
			out = append(out, m)
		}
	}
	return out
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

// AuthMechanisms offers PLAIN when the server requires a user.
func (x *session) AuthMechanisms() []string {
	if x.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.opts.User || pass != x.s.opts.Password {
			return errors.New("invalid credentials")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.User != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Parse(raw)
	if err != nil {
		return fmt.Errorf("mailtest: %w", err)
	}
	m.From, m.To, m.User = x.from, x.to, x.user
	_, m.TLS = x.conn.TLSConnectionState()
	x.s.mu.Lock()
	x.s.received = append(x.s.received, m)
	x.s.cond.Broadcast()
	x.s.mu.Unlock()
	return nil
}

// Parse reads a raw mail into its subject, headers and decoded text and HTML
// parts.
func Parse(raw []byte) (Received, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Received{}, err
	}
	r := Received{Subject: subject, Headers: msg.Header, Raw: raw}
	err = r.part(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return r, err
}

func (r *Received) part(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := r.part(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch media {
	case "text/plain":
		r.Text = text
	case "text/html":
		r.HTML = text
	}
	return nil
}
