package avroconfluent

import "github.com/twmb/franz-go/pkg/sr"

func srfakeSchema(text string) sr.Schema { return sr.Schema{Schema: text, Type: sr.TypeAvro} }
