// Package integration runs raftconnect the way a Kafka Connect user does: the worker binary
// and a broker as separate processes, driven only through the REST API, files on disk and an
// independent Kafka client (kcat). The package holds no code of its own beyond this comment;
// its tests and benchmarks are in the _test.go files and the broker command they start is in
// testbroker/. See README.md for how to run the benchmarks.
package integration
