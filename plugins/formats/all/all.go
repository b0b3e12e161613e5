// Package all imports every data format so that each registers itself (its row codec in
// plugins/formats and its converter in the connect registry). Programs that ship every format —
// cmd/worker, `worker convert` — import it for its side effects:
//
//	import _ "github.com/raftconnect/raftconnect/plugins/formats/all"
package all

import (
	_ "github.com/raftconnect/raftconnect/plugins/formats/avro"
	_ "github.com/raftconnect/raftconnect/plugins/formats/avroconfluent"
	_ "github.com/raftconnect/raftconnect/plugins/formats/canal"
	_ "github.com/raftconnect/raftconnect/plugins/formats/csv"
	_ "github.com/raftconnect/raftconnect/plugins/formats/debezium"
	_ "github.com/raftconnect/raftconnect/plugins/formats/json"
	_ "github.com/raftconnect/raftconnect/plugins/formats/maxwell"
	_ "github.com/raftconnect/raftconnect/plugins/formats/plain"
	_ "github.com/raftconnect/raftconnect/plugins/formats/protobuf"
	_ "github.com/raftconnect/raftconnect/plugins/formats/raw"
)
