package httpserve

// CapToFileLimit returns n lowered so that server connections leave file descriptors for the
// rest of the process (Raft log segments, Kafka connections, connectors' files): at most the
// open-file limit less a quarter of it (at least 64 descriptors are left). limit is the
// open-file limit when it lowered n, else 0.
func CapToFileLimit(n int) (capped int, limit uint64) {
	fl, ok := openFileLimit()
	if !ok {
		return n, 0
	}
	return capForLimit(n, fl)
}

func capForLimit(n int, limit uint64) (int, uint64) {
	reserve := max(limit/4, 64)
	if limit <= reserve {
		return 1, limit
	}
	if room := limit - reserve; uint64(n) > room {
		return int(room), limit
	}
	return n, 0
}
