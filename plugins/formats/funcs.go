package formats

// DecoderFunc adapts a function to a Decoder.
type DecoderFunc func(data []byte) ([]Row, error)

// Decode calls f.
func (f DecoderFunc) Decode(data []byte) ([]Row, error) { return f(data) }

// EncoderFunc adapts a function to an Encoder.
type EncoderFunc func(rows []Row) ([][]byte, error)

// Encode calls f.
func (f EncoderFunc) Encode(rows []Row) ([][]byte, error) { return f(rows) }
