// Command pstest runs Google's in-memory Pub/Sub fake and prints its address.
// Built by infra/local/cloud.py from Debian's golang-google-cloud-dev sources.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/pstest"
)

func main() {
	srv := pstest.NewServer()
	fmt.Printf("READY %s\n", srv.Addr)
	os.Stdout.Sync()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	srv.Close()
}
