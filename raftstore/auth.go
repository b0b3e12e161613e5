package raftstore

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Raft connection authentication.
//
// Every TCP connection of the Raft transport, inbound and outbound, starts
// with a mutual challenge–response handshake that proves both ends know
// Config.Secret, before a single Raft byte is read or written:
//
//	dialer   → acceptor: authMagic ‖ nonceD          (40 bytes)
//	acceptor → dialer:   authMagic ‖ nonceA          (40 bytes)
//	dialer   → acceptor: HMAC-SHA256(secret, "raftconnect raft dialer"   ‖ nonceD ‖ nonceA)
//	acceptor → dialer:   HMAC-SHA256(secret, "raftconnect raft acceptor" ‖ nonceD ‖ nonceA)
//
// The nonces are 32 random bytes from crypto/rand, so a recorded proof is
// worth nothing on another connection; the role label keeps a proof from
// being reflected back in the other direction; proofs are compared in
// constant time. The acceptor checks the dialer's proof before it sends its
// own, so a stranger who connects to the listener learns nothing computed
// from the secret. The handshake has a deadline (handshakeTimeout); a
// failed one closes the connection and is logged, at a bounded rate, with
// the remote address and the reason (never the secret).
//
// What it gives: only holders of the secret can speak Raft to a node (append
// entries, vote, install a snapshot, take over leadership) or get Raft data
// from it, so an outsider can neither join the cluster nor read or corrupt
// its log through the Raft port.
//
// What it does not give: it is authentication, not encryption. The Raft
// traffic after the handshake (connector configs, offsets, statuses) travels
// in clear text and is not integrity-protected, so someone who can read or
// rewrite packets on the network between two nodes (an active
// man-in-the-middle) can see it, or relay a handshake and then inject into
// the connection. Run the cluster on a trusted network; mutual TLS on the
// Raft port is the next step and would replace this handshake. It also does
// not limit how many unauthenticated connections a stranger may open (each
// is dropped at the deadline at the latest).
const (
	authMagic        = "RCRAFT\x00\x01" // protocol name and version
	authNonceLen     = 32
	authLabelDialer  = "raftconnect raft dialer"
	authLabelAccept  = "raftconnect raft acceptor"
	handshakeTimeout = 5 * time.Second
	// authLogEvery bounds the handshake failure log to one line per
	// interval; the lines in between are counted in the next one.
	authLogEvery = 10 * time.Second
)

// errHandshake marks a failed handshake (wrong secret, not our protocol).
var errHandshake = errors.New("raft handshake failed")

// authStream wraps a raft.StreamLayer so that every connection runs the
// handshake first. Dial runs it before returning; Accept returns at once
// (a slow stranger must not hold up the accept loop) and the connection
// runs it on its first Read or Write, like crypto/tls.
type authStream struct {
	raft.StreamLayer
	secret  []byte
	timeout time.Duration
	fails   *failureLog
}

var _ raft.StreamLayer = (*authStream)(nil)

func newAuthStream(inner raft.StreamLayer, secret []byte, log *slog.Logger) *authStream {
	return &authStream{
		StreamLayer: inner,
		secret:      bytes.Clone(secret),
		timeout:     handshakeTimeout,
		fails:       &failureLog{log: log, every: authLogEvery},
	}
}

// Accept implements net.Listener.
func (a *authStream) Accept() (net.Conn, error) {
	c, err := a.StreamLayer.Accept()
	if err != nil {
		return nil, err
	}
	return &authConn{Conn: c, a: a}, nil
}

// Dial implements raft.StreamLayer: it connects and authenticates.
func (a *authStream) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	c, err := a.StreamLayer.Dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	if err := a.handshake(c, true); err != nil {
		c.Close()
		a.fails.report("outbound", c.RemoteAddr(), err)
		return nil, fmt.Errorf("raft connection to %s: %w", addr, err)
	}
	return c, nil
}

// authConn is an accepted connection that authenticates on first use.
type authConn struct {
	net.Conn
	a    *authStream
	once sync.Once
	err  error
}

func (c *authConn) authenticate() error {
	c.once.Do(func() {
		if err := c.a.handshake(c.Conn, false); err != nil {
			c.a.fails.report("inbound", c.RemoteAddr(), err)
			c.Conn.Close()
			// Exactly io.EOF: raft's connection handler logs any other read
			// error, once per connection, which would let strangers flood
			// the log; ours above is rate-limited.
			c.err = io.EOF
		}
	})
	return c.err
}

func (c *authConn) Read(p []byte) (int, error) {
	if err := c.authenticate(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *authConn) Write(p []byte) (int, error) {
	if err := c.authenticate(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// handshake runs the protocol above on c, as the dialer or the acceptor,
// within the handshake deadline, and clears the deadline after a success.
func (a *authStream) handshake(c net.Conn, dialer bool) error {
	if err := c.SetDeadline(time.Now().Add(a.timeout)); err != nil {
		return fmt.Errorf("%w: set deadline: %w", errHandshake, err)
	}
	mine := make([]byte, authNonceLen)
	if _, err := rand.Read(mine); err != nil {
		return fmt.Errorf("%w: nonce: %w", errHandshake, err)
	}
	hello := append([]byte(authMagic), mine...)
	peerHello := make([]byte, len(hello))
	var nonceD, nonceA []byte
	if dialer {
		if _, err := c.Write(hello); err != nil {
			return fmt.Errorf("%w: send hello: %w", errHandshake, err)
		}
		if err := readFull(c, peerHello, "hello"); err != nil {
			return err
		}
		nonceD, nonceA = mine, peerHello[len(authMagic):]
	} else {
		if err := readFull(c, peerHello, "hello"); err != nil {
			return err
		}
		nonceD, nonceA = peerHello[len(authMagic):], mine
	}
	if string(peerHello[:len(authMagic)]) != authMagic {
		return fmt.Errorf("%w: peer does not speak the raftconnect Raft protocol (or another version of it)", errHandshake)
	}
	if bytes.Equal(nonceD, nonceA) {
		return fmt.Errorf("%w: peer echoed our nonce", errHandshake)
	}
	proofD := authProof(a.secret, authLabelDialer, nonceD, nonceA)
	proofA := authProof(a.secret, authLabelAccept, nonceD, nonceA)
	peerProof := make([]byte, sha256.Size)
	if dialer {
		if _, err := c.Write(proofD); err != nil {
			return fmt.Errorf("%w: send proof: %w", errHandshake, err)
		}
		if err := readFull(c, peerProof, "proof"); err != nil {
			return fmt.Errorf("%w (the peer closes the connection when our proof is wrong: do both nodes have the same secret?)", err)
		}
		if !hmac.Equal(peerProof, proofA) {
			return fmt.Errorf("%w: the peer's proof is wrong: it does not know the cluster secret", errHandshake)
		}
	} else {
		if _, err := c.Write(hello); err != nil {
			return fmt.Errorf("%w: send hello: %w", errHandshake, err)
		}
		if err := readFull(c, peerProof, "proof"); err != nil {
			return err
		}
		if !hmac.Equal(peerProof, proofD) {
			return fmt.Errorf("%w: the peer's proof is wrong: it does not know the cluster secret", errHandshake)
		}
		if _, err := c.Write(proofA); err != nil {
			return fmt.Errorf("%w: send proof: %w", errHandshake, err)
		}
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("%w: clear deadline: %w", errHandshake, err)
	}
	return nil
}

func readFull(c net.Conn, buf []byte, what string) error {
	if _, err := io.ReadFull(c, buf); err != nil {
		return fmt.Errorf("%w: read %s: %w", errHandshake, what, err)
	}
	return nil
}

func authProof(secret []byte, label string, nonceD, nonceA []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	m.Write(nonceD)
	m.Write(nonceA)
	return m.Sum(nil)
}

// failureLog logs handshake failures at most once per interval, counting
// the ones it held back.
type failureLog struct {
	log   *slog.Logger
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (f *failureLog) report(direction string, remote net.Addr, err error) {
	f.mu.Lock()
	now := time.Now()
	if !f.last.IsZero() && now.Sub(f.last) < f.every {
		f.suppressed++
		f.mu.Unlock()
		return
	}
	n := f.suppressed
	f.last, f.suppressed = now, 0
	f.mu.Unlock()
	remoteStr := "unknown"
	if remote != nil {
		remoteStr = remote.String()
	}
	f.log.Warn("raft connection refused: authentication failed", "direction", direction,
		"remote", remoteStr, "err", err, "suppressed_since_last", n)
}
