// Command testbroker runs raftconnect's in-memory Kafka broker (internal/devbroker) as a
// process of its own, so the integration tests can run the worker against a broker that
// outlives it, as a real Kafka cluster does.
//
//	testbroker -port 19092 [-partitions 1]
//
// Once the broker listens it prints its address (host:port) on a line of its own on standard
// output; it runs until SIGTERM or SIGINT and then exits 0. Nothing it stores survives the
// process.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/raftconnect/raftconnect/internal/devbroker"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 picks a free one)")
	partitions := flag.Int("partitions", 1, "partitions of auto-created topics")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	b, err := devbroker.Start(*port, *partitions)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testbroker: %v\n", err)
		os.Exit(1)
	}
	// The test reads this line to learn that the broker is up and where.
	fmt.Println(strings.Join(b.Addrs(), ","))
	<-ctx.Done()
	b.Close()
}
