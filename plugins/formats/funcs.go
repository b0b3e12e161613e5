package formats

import "fmt"

// DecoderFunc adapts a function to a Decoder.
type DecoderFunc func(data []byte) ([]Row, error)

// Decode calls f.
func (f DecoderFunc) Decode(data []byte) ([]Row, error) { return f(data) }

// EncoderFunc adapts a function to an Encoder.
type EncoderFunc func(rows []Row) ([][]byte, error)

// Encode calls f.
func (f EncoderFunc) Encode(rows []Row) ([][]byte, error) { return f(rows) }

// InsertOnly returns the Encoder of an insert-only format called format, which writes one
// message per row with encodeRow; see EncodeInsertOnly.
func InsertOnly(format string, encodeRow func(r *Row) ([]byte, error)) EncoderFunc {
	return func(rows []Row) ([][]byte, error) { return EncodeInsertOnly(format, rows, encodeRow) }
}

// EncodeInsertOnly is the Encode of a format whose messages hold no change operation — json,
// csv, avro, avro-confluent, protobuf and raw, which Flink documents as insert-only. A reader of
// such a message takes it for a live row, so:
//
//   - an Insert or UpdateAfter row becomes the message encodeRow returns for it;
//   - an UpdateBefore row is skipped: the UpdateAfter that follows carries the new row;
//   - a Delete row, or a DDL row, is an error rather than a message that would resurrect the
//     deleted row or drop the schema change silently (a CDC format keeps them);
//   - a row without a value (a tombstone) is a nil message; encodeRow is not called for it.
//
// The messages come in row order. When rows holds more than one row, an error names the row
// (1-based) it happened in.
func EncodeInsertOnly(format string, rows []Row, encodeRow func(r *Row) ([]byte, error)) ([][]byte, error) {
	out := make([][]byte, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		var b []byte
		var err error
		switch {
		case r.Op == UpdateBefore:
			continue
		case r.Op == Delete:
			err = fmt.Errorf("%s cannot hold a %s (delete) row: the format is insert-only", format, r.Op)
		case r.DDL != "":
			err = fmt.Errorf("%s cannot hold a schema change (DDL %q)", format, r.DDL)
		case r.Value != nil:
			b, err = encodeRow(r)
		}
		if err != nil {
			if len(rows) > 1 {
				return nil, fmt.Errorf("row %d: %w", i+1, err)
			}
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
