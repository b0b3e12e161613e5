package avroconfluent

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riferrei/srclient"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
)

// Credential sources, as Confluent's basic.auth.credentials.source names them.
const (
	SourceUserInfo    = "USER_INFO"
	SourceURL         = "URL"
	SourceSASLInherit = "SASL_INHERIT"
)

// RegistryConfig configures a Registry.
type RegistryConfig struct {
	// URLs are the registry's base URLs; the next is tried when one cannot be reached.
	URLs []string
	// CredentialsSource is USER_INFO (UserInfo holds "user:password"), URL (the URL's
	// user:password@) or empty (the URL's, if any).
	CredentialsSource string
	UserInfo          string
	// Options choose how Avro schemas map to Connect schemas.
	Options avro.Options
	// LatestTTL is how long a subject's latest version is cached; negative means for ever.
	LatestTTL time.Duration
	// Timeout bounds each HTTP request; 0 means srclient's default.
	Timeout time.Duration
}

// Registry is a schema registry client with the caches that make a registry round trip
// happen once per schema rather than once per record: schemas by id, ids by subject and
// schema fingerprint, and each subject's latest version. It is safe for concurrent use.
type Registry struct {
	clients []*srclient.SchemaRegistryClient
	urls    []string // redacted, for messages
	opts    avro.Options
	ttl     time.Duration

	mu     sync.RWMutex
	byID   map[int]*avro.Schema
	ids    map[idKey]int
	latest map[string]latestEntry
}

type idKey struct {
	subject string
	fp      [32]byte
}

type latestEntry struct {
	id      int
	schema  *avro.Schema
	fetched time.Time
}

// RegistryError is a failed schema registry request. It names the registry, the operation
// and the subject or schema id it was about.
type RegistryError struct {
	URL     string // the registry, without credentials
	Op      string // "register schema", "look up schema", "fetch schema", "fetch latest schema"
	Subject string // "" when the request has none
	ID      int    // -1 when the request has none
	// Code is the registry's error_code (40401 subject not found, 40403 schema not found,
	// 401 unauthorized, ...), 0 when no answer came.
	Code int
	Err  error
}

func (e *RegistryError) Error() string {
	var b strings.Builder
	b.WriteString("schema registry ")
	b.WriteString(e.URL)
	b.WriteString(": ")
	b.WriteString(e.Op)
	if e.ID >= 0 {
		b.WriteString(" id ")
		b.WriteString(strconv.Itoa(e.ID))
	}
	if e.Subject != "" {
		b.WriteString(" for subject ")
		b.WriteString(strconv.Quote(e.Subject))
	}
	b.WriteString(": ")
	var se srclient.Error
	if errors.As(e.Err, &se) {
		fmt.Fprintf(&b, "error_code %d: %s", se.Code, se.Message)
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *RegistryError) Unwrap() error { return e.Err }

// NewRegistry returns a client for the registry at cfg.URLs; it makes no request yet.
func NewRegistry(cfg RegistryConfig) (*Registry, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no schema registry URL")
	}
	r := &Registry{
		opts:   cfg.Options,
		ttl:    cfg.LatestTTL,
		byID:   map[int]*avro.Schema{},
		ids:    map[idKey]int{},
		latest: map[string]latestEntry{},
	}
	source := strings.ToUpper(strings.TrimSpace(cfg.CredentialsSource))
	for _, raw := range cfg.URLs {
		raw = strings.TrimRight(strings.TrimSpace(raw), "/")
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("invalid schema registry URL %q", redact(raw))
		}
		var user, pass string
		switch source {
		case SourceUserInfo:
			var ok bool
			user, pass, ok = strings.Cut(cfg.UserInfo, ":")
			if !ok || user == "" {
				return nil, fmt.Errorf("basic auth user info must be user:password")
			}
		case SourceURL, "":
			if u.User != nil {
				user = u.User.Username()
				pass, _ = u.User.Password()
			}
		case SourceSASLInherit:
			return nil, fmt.Errorf("basic auth credentials source %s is not supported", SourceSASLInherit)
		default:
			return nil, fmt.Errorf("unknown basic auth credentials source %q (USER_INFO or URL)", cfg.CredentialsSource)
		}
		// The credentials go in a header, never in the URL that error messages quote.
		u.User = nil
		c := srclient.NewSchemaRegistryClient(u.String(), srclient.WithClient(&http.Client{}))
		// Our caches replace srclient's, which would keep a subject's "latest" for ever.
		c.CachingEnabled(false)
		c.SetTimeout(30 * time.Second)
		if cfg.Timeout > 0 {
			c.SetTimeout(cfg.Timeout)
		}
		if user != "" {
			c.SetCredentials(user, pass)
		}
		r.clients = append(r.clients, c)
		r.urls = append(r.urls, u.String())
	}
	if len(r.clients) == 0 {
		return nil, errors.New("no schema registry URL")
	}
	return r, nil
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "<unparsable URL>"
}

// call runs op against each registry URL in turn until one answers; only an unreachable
// registry moves on to the next.
func (r *Registry) call(op, subject string, id int, f func(c *srclient.SchemaRegistryClient) error) error {
	var err error
	for i, c := range r.clients {
		err = f(c)
		if err == nil {
			return nil
		}
		re := &RegistryError{URL: r.urls[i], Op: op, Subject: subject, ID: id, Err: err}
		var se srclient.Error
		if errors.As(err, &se) {
			re.Code = se.Code
		}
		if !unreachable(err) {
			if retriableCode(re.Code) {
				return connect.Retriable(re)
			}
			return re
		}
		err = connect.Retriable(re)
	}
	return err
}

func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// retriableCode reports whether a registry error code is a server-side failure (50001 and
// friends, or a bare 5xx status).
func retriableCode(code int) bool {
	status := code
	if code >= 1000 {
		status = code / 100
	}
	return status >= 500
}

// SchemaByID returns the schema with this id, asking the registry the first time only.
func (r *Registry) SchemaByID(id int) (*avro.Schema, error) {
	r.mu.RLock()
	s, ok := r.byID[id]
	r.mu.RUnlock()
	if ok {
		return s, nil
	}
	var text string
	err := r.call("fetch schema", "", id, func(c *srclient.SchemaRegistryClient) error {
		got, err := c.GetSchema(id)
		if err == nil {
			text = got.Schema()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s, err = avro.Parse(text, r.opts)
	if err != nil {
		return nil, fmt.Errorf("schema id %d from the registry: %w", id, err)
	}
	r.mu.Lock()
	r.byID[id] = s
	r.mu.Unlock()
	return s, nil
}

// ID returns the id of schema s under subject: registering it when register is set (as
// Confluent's auto.register.schemas does), looking it up otherwise. Each (subject, schema)
// costs one registry round trip.
func (r *Registry) ID(subject string, s *avro.Schema, register bool) (int, error) {
	key := idKey{subject, s.Fingerprint()}
	r.mu.RLock()
	id, ok := r.ids[key]
	r.mu.RUnlock()
	if ok {
		return id, nil
	}
	op := "look up schema"
	if register {
		op = "register schema"
	}
	err := r.call(op, subject, -1, func(c *srclient.SchemaRegistryClient) error {
		var got *srclient.Schema
		var err error
		if register {
			got, err = c.CreateSchema(subject, s.String(), srclient.Avro)
		} else {
			got, err = c.LookupSchema(subject, s.String(), srclient.Avro)
		}
		if err == nil {
			id = got.ID()
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.ids[key] = id
	// Messages written with this id decode without asking the registry again.
	if _, known := r.byID[id]; !known {
		r.byID[id] = s
	}
	r.mu.Unlock()
	return id, nil
}

// Latest returns the id and schema of the subject's latest version, cached for the TTL.
func (r *Registry) Latest(subject string) (int, *avro.Schema, error) {
	r.mu.RLock()
	e, ok := r.latest[subject]
	r.mu.RUnlock()
	if ok && (r.ttl < 0 || time.Since(e.fetched) < r.ttl) {
		return e.id, e.schema, nil
	}
	var text string
	var id int
	err := r.call("fetch latest schema", subject, -1, func(c *srclient.SchemaRegistryClient) error {
		got, err := c.GetLatestSchema(subject)
		if err == nil {
			text, id = got.Schema(), got.ID()
		}
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	r.mu.RLock()
	s, known := r.byID[id]
	r.mu.RUnlock()
	if !known {
		if s, err = avro.Parse(text, r.opts); err != nil {
			return 0, nil, fmt.Errorf("latest schema (id %d) of subject %q: %w", id, subject, err)
		}
	}
	r.mu.Lock()
	r.latest[subject] = latestEntry{id: id, schema: s, fetched: time.Now()}
	r.byID[id] = s
	r.mu.Unlock()
	return id, s, nil
}
