package jsonformat_test

import (
	"fmt"

	"github.com/raftconnect/raftconnect/connect"
	jsonformat "github.com/raftconnect/raftconnect/plugins/formats/json"
)

func ExampleConverter() {
	c := jsonformat.NewConverter()
	schema := connect.StructBuilder().
		Field("line", connect.StringSchema).
		Field("ts", connect.TimestampSchema().Optional().MustBuild()).
		MustBuild()
	data, err := c.FromConnectData("topic", nil, schema, connect.NewStruct(schema).MustPut("line", "hello"))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(data))

	back, err := c.ToConnectData("topic", nil, data)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Value)

	plain := jsonformat.NewConverter()
	if err := plain.Configure(map[string]string{"schemas.enable": "false"}, false); err != nil {
		panic(err)
	}
	v, _ := plain.ToConnectData("topic", nil, []byte(`{"n": 1, "x": 1.5, "tags": ["a"]}`))
	fmt.Printf("%T %v\n", v.Value, v.Value)
	// Output:
	// {"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"line"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false},"payload":{"line":"hello","ts":null}}
	// Struct{line=hello}
	// map[string]interface {} map[n:1 tags:[a] x:1.5]
}
