package control

// Signing of worker-to-worker (internal) requests with the cluster secret.
//
// Every internal request carries the sender's node id, a timestamp (unix milliseconds) and
// base64(HMAC-SHA256(secret, method "\n" path "\n" timestamp "\n" sha256hex(body))). The
// receiver recomputes the signature and compares in constant time, and refuses timestamps more
// than maxClockSkew away from its clock, so a recorded request is worthless after a few
// minutes. Like Raft's handshake this is authentication, not encryption: run a cluster on a
// trusted network.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

const (
	headerNode      = "X-Raftconnect-Node"
	headerTimestamp = "X-Raftconnect-Timestamp"
	headerSignature = "X-Raftconnect-Signature"
	// maxClockSkew is how far a request's timestamp may be from the receiver's clock.
	maxClockSkew = 5 * time.Minute
)

// peerAuthError is a refused internal request: the HTTP status and Kafka's message.
type peerAuthError struct {
	status int
	msg    string
}

func (e *peerAuthError) Error() string { return e.msg }

var (
	errMissingSignature = &peerAuthError{http.StatusBadRequest, "Internal request missing required signature"}
	errBadSignature     = &peerAuthError{http.StatusForbidden, "Internal request contained invalid signature."}
	errStaleSignature   = &peerAuthError{http.StatusForbidden, "Internal request timestamp is more than 5 minutes away from this worker's clock; check that the workers' clocks are synchronised."}
)

// peerSigner signs and verifies internal requests. The secret never leaves it: no log line or
// error carries it.
type peerSigner struct {
	secret []byte
	node   string           // this worker's node id, sent as X-Raftconnect-Node
	now    func() time.Time // the clock; time.Now except in tests
}

func newPeerSigner(secret []byte, node string) *peerSigner {
	return &peerSigner{secret: secret, node: node, now: time.Now}
}

// signature computes the signature of one request.
func signature(secret []byte, method, path, timestamp string, body []byte) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(method + "\n" + path + "\n" + timestamp + "\n" + hex.EncodeToString(sum[:])))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// sign adds the signature headers of body to req.
func (s *peerSigner) sign(req *http.Request, body []byte) {
	ts := strconv.FormatInt(s.now().UnixMilli(), 10)
	req.Header.Set(headerNode, s.node)
	req.Header.Set(headerTimestamp, ts)
	req.Header.Set(headerSignature, signature(s.secret, req.Method, req.URL.Path, ts, body))
}

// verify checks the signature of a received request whose body is body. It returns nil or a
// *peerAuthError. The signature is checked before the timestamp, so a stranger cannot learn
// this worker's clock.
func (s *peerSigner) verify(r *http.Request, body []byte) error {
	node, ts, sig := r.Header.Get(headerNode), r.Header.Get(headerTimestamp), r.Header.Get(headerSignature)
	if node == "" || ts == "" || sig == "" {
		return errMissingSignature
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return errBadSignature
	}
	want, _ := base64.StdEncoding.DecodeString(signature(s.secret, r.Method, r.URL.Path, ts, body))
	if !hmac.Equal(got, want) {
		return errBadSignature
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := s.now().Sub(time.UnixMilli(ms)); d > maxClockSkew || d < -maxClockSkew {
		return errStaleSignature
	}
	return nil
}

// isAuthRefusal reports whether err is another worker refusing this one's signature: a
// configuration error (different cluster.secret), not a reason to retry.
func isAuthRefusal(err error) bool {
	var re *remoteRefusal
	return errors.As(err, &re) && (re.status == http.StatusForbidden || re.status == http.StatusBadRequest)
}
