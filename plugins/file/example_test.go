package file_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/file"
)

// committedOffsets is what the runtime's offset store would return: the last committed offset
// per source partition. Here it is keyed by the "filename" of the partition.
type committedOffsets map[string]map[string]any

func (o committedOffsets) Offset(partition map[string]any) (map[string]any, error) {
	name, _ := partition[file.FilenameField].(string)
	return o[name], nil
}

// taskContext is the part of the runtime a source task talks to.
type taskContext struct {
	config  map[string]string
	offsets connect.OffsetReader
}

func (c taskContext) Config() map[string]string          { return c.config }
func (c taskContext) OffsetReader() connect.OffsetReader { return c.offsets }

// The package registers both connectors from init() (see register.go):
//
//	connect.Register(connect.Plugin{
//		Class:     "org.apache.kafka.connect.file.FileStreamSourceConnector",
//		TaskClass: "org.apache.kafka.connect.file.FileStreamSourceTask",
//		Version:   file.Version,
//		New:       func() any { return new(file.SourceConnector) },
//	})
//
// after which the runtime finds them by the full class name a `connector.class` setting holds,
// or by the short aliases Kafka Connect accepts.
func Example_registration() {
	for _, name := range []string{
		"org.apache.kafka.connect.file.FileStreamSourceConnector",
		"FileStreamSourceConnector",
		"FileStreamSink",
	} {
		p, err := connect.Lookup(name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s %v, tasks %s\n", name, p.Version, p.Types(), p.TaskClass)
	}
	// Output:
	// org.apache.kafka.connect.file.FileStreamSourceConnector: 1.0.0 [source], tasks org.apache.kafka.connect.file.FileStreamSourceTask
	// FileStreamSourceConnector: 1.0.0 [source], tasks org.apache.kafka.connect.file.FileStreamSourceTask
	// FileStreamSink: 1.0.0 [sink], tasks org.apache.kafka.connect.file.FileStreamSinkTask
}

// The runtime drives a source connector like this: it makes an instance from the registry,
// starts it with the user's configuration, asks it for task configurations and starts one task
// per configuration, then polls each task in a loop.
func Example() {
	dir, err := os.MkdirTemp("", "filesource")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "input.txt")
	if err := os.WriteFile(input, []byte("hello\r\nworld\nnot finished"), 0o644); err != nil {
		log.Fatal(err)
	}

	plugin, err := connect.LookupType("FileStreamSource", connect.PluginSource)
	if err != nil {
		log.Fatal(err)
	}
	connector := plugin.New().(connect.SourceConnector)
	config := map[string]string{"file": input, "topic": "lines"}
	if err := connector.Start(nil, config); err != nil {
		log.Fatal(err)
	}
	defer connector.Stop()

	// Whatever tasks.max says, one file makes one task.
	taskConfigs, err := connector.TaskConfigs(4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tasks:", len(taskConfigs))

	task := connector.NewTask()
	noOffsets := committedOffsets{}
	if err := task.Start(taskContext{taskConfigs[0], noOffsets}, taskConfigs[0]); err != nil {
		log.Fatal(err)
	}
	defer task.Stop()
	records, err := task.Poll(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	// The last line has no line break yet, so it is not a record yet.
	for _, r := range records {
		fmt.Printf("%s: %q %v\n", r.Topic, r.Value, r.SourceOffset)
	}
	// Output:
	// tasks: 1
	// lines: "hello" map[position:7]
	// lines: "world" map[position:13]
}

// A restarted task asks the runtime for the offset last committed for its file and continues
// right after that line.
func ExampleSourceTask_resume() {
	dir, err := os.MkdirTemp("", "filesource")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "input.txt")
	if err := os.WriteFile(input, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	config := map[string]string{"file": input, "topic": "lines"}
	// The offset of "one" was committed before the restart.
	offsets := committedOffsets{input: {"position": int64(4)}}
	task := new(file.SourceTask)
	if err := task.Start(taskContext{config, offsets}, config); err != nil {
		log.Fatal(err)
	}
	defer task.Stop()
	records, err := task.Poll(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range records {
		fmt.Println(r.Value, r.SourceOffset["position"])
	}
	// Output:
	// two 8
	// three 14
}

// The validate endpoint shows every problem of a configuration at once.
func ExampleSourceConnector_ConfigDef() {
	var connector file.SourceConnector
	for _, v := range connector.ConfigDef().Validate(map[string]string{"topic": "a,b", "batch.size": "0"}) {
		fmt.Printf("%s=%v %q\n", v.Name, connect.ConfigValueString(v.Value), v.Errors)
	}
	// Output:
	// file= []
	// topic=a,b ["Invalid value a,b for configuration topic: 'topic' in FileStreamSourceConnector configuration requires definition of a single topic"]
	// batch.size=0 ["Invalid value 0 for configuration batch.size: Value must be at least 1"]
}

// A sink task appends one line per record. Put buffers; Flush makes the lines durable before
// the runtime commits the records' offsets.
func ExampleSinkTask() {
	dir, err := os.MkdirTemp("", "filesink")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	output := filepath.Join(dir, "output.txt")

	task := new(file.SinkTask)
	if err := task.Start(nil, map[string]string{"file": output}); err != nil {
		log.Fatal(err)
	}
	defer task.Stop()

	schema := connect.StructBuilder().Field("id", connect.Int64Schema).MustBuild()
	records := []*connect.SinkRecord{
		{Record: connect.Record{Topic: "t", ValueSchema: connect.StringSchema, Value: "a string"}, Offset: 0},
		{Record: connect.Record{Topic: "t", ValueSchema: schema, Value: connect.NewStruct(schema).MustPut("id", int64(1))}, Offset: 1},
		{Record: connect.Record{Topic: "t", Value: nil}, Offset: 2},
	}
	ctx := context.Background()
	if err := task.Put(ctx, records); err != nil {
		log.Fatal(err)
	}
	if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "t", Partition: 0}: 3}); err != nil {
		log.Fatal(err)
	}
	written, err := os.ReadFile(output)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(written))
	// Output:
	// a string
	// Struct{id=1}
	// null
}
