//go:build tools

package tools

import (
	_ "github.com/IBM/sarama"
	_ "github.com/gorilla/mux"
	_ "github.com/hashicorp/raft"
	_ "github.com/hashicorp/raft-wal"
	_ "github.com/hamba/avro/v2"
	_ "github.com/riferrei/srclient"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "github.com/twmb/franz-go/pkg/sr"
	_ "google.golang.org/protobuf/proto"
)
