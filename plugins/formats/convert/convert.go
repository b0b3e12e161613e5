// Package convert is the `worker convert` command: it reads messages in one format and writes
// them in another, with the same format and option names the converters and Kafka plugins use,
// so users can inspect a topic dump or try a mapping before they deploy a connector.
//
//	worker convert --from FORMAT --to FORMAT [--option name=value]... [--from-option name=value]...
//	               [--to-option name=value]... [--binary-encoding hex|base64] [--skip-errors] [FILE]
//
// Input is FILE, or standard input when FILE is absent or "-". A text format (json, csv, ...)
// has one message per line; a binary format (raw, avro, protobuf, ...) has one message per line
// in hex (the default) or base64, and is written the same way. Line endings may be \n or \r\n;
// empty lines (for binary formats, lines of spaces too) are skipped but counted, so "line N" is
// always the line of the file.
//
// Every output message goes on its own line: a message that decodes to several rows (a Canal
// message, a raw message split by raw.line-delimiter) gives as many lines as the output format
// makes messages from them, and one that decodes to none (a comment, a skipped DDL) gives none.
// A text output message holding a line break is an error, since it would read as two messages;
// a null (tombstone) output message is an empty line.
//
// When the output format needs a schema for every row and has none configured (avro without
// avro.schema, avro-confluent without avro-confluent.schema, csv without csv.schema), rows that
// carry none (schemaless JSON) or whose schema varies from message to message (Debezium without
// schemas, Canal and Maxwell type each message's columns from its JSON) are typed by one schema
// per table (database and table of the row; one table for plain formats) that widens as the rows
// disagree, by Flink CDC's rules: a field new in a row becomes a new optional column, a field a
// row lacks is null, a field whose types differ widens to their nearest common parent (BIGINT,
// then DECIMAL or DOUBLE, then STRING). Rows of a schema that never changes pass unchanged. Each row
// is written with the table's schema as it stands after that row, so an avro-confluent output
// registers one evolving schema per table rather than one unrelated schema per message. Avro's
// schema resolution reads old data through new columns, columns made optional and BIGINT widened
// to DOUBLE; it does not through a widening to DECIMAL or STRING, which a registry enforcing
// compatibility refuses (json.decode.numbers-as-decimal=false makes fractions DOUBLE).
//
// --option name=value applies to whichever of the two formats defines the option (both, if both
// do); an option neither defines is an error naming it. --from-option and --to-option apply to
// one side only, for converting between two configurations of one format.
//
// Errors name the line and what was wrong. Without --skip-errors the first bad message stops the
// command (what was converted before it is written) with exit status 1. With --skip-errors each
// bad message is reported on standard error and the rest are converted; the exit status is 0 if
// at least one message converted or none was bad, and 1 if every message failed, which almost
// always means wrong options rather than bad data. Usage and configuration errors exit with 2.
//
// The input is streamed, a line at a time; output is buffered and flushed whenever the input has
// nothing more buffered, so a pipe from a live consumer shows results as they come.
package convert

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Exit statuses.
const (
	ExitOK    = 0
	ExitData  = 1 // a message failed, or input or output failed
	ExitUsage = 2 // bad flags, formats or options
)

// options collects repeated name=value flags.
type options struct {
	names  []string // in order, for messages
	values map[string]string
}

func (o *options) String() string { return "" }

func (o *options) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	if o.values == nil {
		o.values = map[string]string{}
	}
	if _, dup := o.values[k]; !dup {
		o.names = append(o.names, k)
	}
	o.values[k] = val
	return nil
}

// encoding is how binary messages are written on a line.
type encoding uint8

const (
	encHex encoding = iota
	encBase64
)

// Run executes `worker convert` with args (the arguments after "convert") and returns the exit
// status. ctx cancels the conversion between messages.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "input format (required)")
	to := fs.String("to", "", "output format (required)")
	var both, fromOpts, toOpts options
	fs.Var(&both, "option", "format option `name=value`, applied to whichever format defines it (repeatable)")
	fs.Var(&fromOpts, "from-option", "option `name=value` of the input format only (repeatable)")
	fs.Var(&toOpts, "to-option", "option `name=value` of the output format only (repeatable)")
	binEnc := fs.String("binary-encoding", "hex", "line encoding of binary formats, in and out: hex or base64")
	skip := fs.Bool("skip-errors", false, "report bad messages on stderr and convert the rest")
	fs.Usage = func() { usage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "convert: "+format+"\n", a...)
		return ExitUsage
	}
	if *from == "" || *to == "" {
		return fail("--from and --to are required (formats: %s)", strings.Join(formats.Names(), ", "))
	}
	if fs.NArg() > 1 {
		return fail("at most one FILE, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))
	}
	var enc encoding
	switch strings.ToLower(*binEnc) {
	case "hex":
	case "base64":
		enc = encBase64
	default:
		return fail("--binary-encoding must be hex or base64, not %q", *binEnc)
	}
	in, err := formats.Lookup(*from)
	if err != nil {
		return fail("--from: %v", err)
	}
	out, err := formats.Lookup(*to)
	if err != nil {
		return fail("--to: %v", err)
	}
	if in.NewDecoder == nil {
		return fail("format %s cannot decode", in.Name)
	}
	if out.NewEncoder == nil {
		return fail("format %s cannot encode", out.Name)
	}
	inCfg, outCfg, err := splitOptions(in, out, &both, &fromOpts, &toOpts)
	if err != nil {
		return fail("%v", err)
	}
	inOpts, err := formats.ParseOptions(in, inCfg)
	if err != nil {
		return fail("%v", err)
	}
	outOpts, err := formats.ParseOptions(out, outCfg)
	if err != nil {
		return fail("%v", err)
	}
	dec, err := in.NewDecoder(inOpts)
	if err != nil {
		return fail("%s decoder: %v", in.Name, err)
	}
	encoder, err := out.NewEncoder(outOpts)
	if err != nil {
		return fail("%s encoder: %v", out.Name, err)
	}

	var input io.Reader = stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		input = f
	}
	c := &converter{
		dec: dec, enc: encoder, in: in, out: out, encoding: enc, skip: *skip,
		r: bufio.NewReaderSize(input, 64<<10), w: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr,
	}
	if formats.RequiresSchema(encoder) {
		c.widen = formats.NewRowWidener()
	} else if je, ok := encoder.(jsonEncoder); ok && in.Name == "json" && len(inCfg) == 0 {
		// Plain JSON into a binary format with a configured schema (avro, avro-confluent) skips
		// the Connect values in between when the encoder can read JSON itself: the same bytes,
		// several times faster.
		c.direct = je
	}
	return c.run(ctx)
}

// splitOptions sorts the option flags into the input's and the output's configuration.
func splitOptions(in, out formats.Format, both, fromOpts, toOpts *options) (inCfg, outCfg map[string]string, err error) {
	inCfg, outCfg = map[string]string{}, map[string]string{}
	defines := func(f formats.Format, name string) bool { _, ok := f.Options.Key(name); return ok }
	for _, name := range both.names {
		inDef, outDef := defines(in, name), defines(out, name)
		if !inDef && !outDef {
			return nil, nil, fmt.Errorf("--option %s: neither %s nor %s has this option (%s)", name, in.Name, out.Name, optionList(in, out))
		}
		if inDef {
			inCfg[name] = both.values[name]
		}
		if outDef {
			outCfg[name] = both.values[name]
		}
	}
	for _, side := range []struct {
		flag string
		f    formats.Format
		opts *options
		cfg  map[string]string
	}{{"--from-option", in, fromOpts, inCfg}, {"--to-option", out, toOpts, outCfg}} {
		for _, name := range side.opts.names {
			if !defines(side.f, name) {
				return nil, nil, fmt.Errorf("%s %s: %s has no such option (%s)", side.flag, name, side.f.Name, optionList(side.f))
			}
			side.cfg[name] = side.opts.values[name]
		}
	}
	return inCfg, outCfg, nil
}

// optionList names the options of the formats, for error messages.
func optionList(fs ...formats.Format) string {
	var parts []string
	for i, f := range fs {
		if i == 1 && f.Name == fs[0].Name {
			break
		}
		var names []string
		for _, k := range f.Options.Keys() {
			names = append(names, k.Name)
		}
		if len(names) == 0 {
			parts = append(parts, f.Name+" has no options")
			continue
		}
		parts = append(parts, f.Name+" options: "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: worker convert --from FORMAT --to FORMAT [--option name=value]... [FILE]\n\n")
	fmt.Fprintf(w, "Converts messages, one per line (binary formats hex- or base64-encoded), from FILE or\n")
	fmt.Fprintf(w, "standard input to standard output.\n\n")
	fmt.Fprintf(w, "Schema widening: when the output needs a schema and none is configured (avro without\n")
	fmt.Fprintf(w, "avro.schema, avro-confluent without avro-confluent.schema, csv without csv.schema), rows\n")
	fmt.Fprintf(w, "without one (schemaless json) or with one inferred per message (debezium-json without\n")
	fmt.Fprintf(w, "schemas, canal-json, maxwell-json) get one schema per table that widens as rows disagree:\n")
	fmt.Fprintf(w, "a new field becomes an optional column, a missing field is null, differing types widen\n")
	fmt.Fprintf(w, "(BIGINT -> DECIMAL or DOUBLE -> STRING). Each row is written with the schema as it stands\n")
	fmt.Fprintf(w, "after it, so a registry sees one evolving schema, not one per message; Avro readers follow\n")
	fmt.Fprintf(w, "new and optional columns and BIGINT -> DOUBLE, not a widening to DECIMAL or STRING\n")
	fmt.Fprintf(w, "(json.decode.numbers-as-decimal=false reads fractions as DOUBLE). For csv, columns come\n")
	fmt.Fprintf(w, "in name order, new ones appended.\n\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s %s\n    \t%s", f.Name, name, help)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nFormats:\n")
	for _, n := range formats.Names() {
		f, err := formats.Lookup(n)
		if err != nil {
			continue
		}
		kind := "text"
		if f.Binary {
			kind = "binary"
		}
		var names []string
		for _, k := range f.Options.Keys() {
			names = append(names, k.Name)
		}
		fmt.Fprintf(w, "  %-16s %-6s  %s\n", n, kind, strings.Join(names, ", "))
	}
}

// jsonEncoder is implemented by encoders that turn a JSON message straight into their output.
type jsonEncoder interface {
	EncodeJSON(msg []byte) ([]byte, error)
}

// converter is one run of the conversion loop.
type converter struct {
	dec      formats.Decoder
	enc      formats.Encoder
	direct   jsonEncoder         // set for json input into an encoder that reads JSON itself
	widen    *formats.RowWidener // set when the encoder needs schemas it is not configured with
	in, out  formats.Format
	encoding encoding
	skip     bool
	r        *bufio.Reader
	w        *bufio.Writer
	stderr   io.Writer

	line    []byte // the current line when it outgrew the reader's buffer
	msg     []byte // the decoded binary message
	encoded []byte // the current binary output line
}

func (c *converter) run(ctx context.Context) int {
	lineNo, good, bad := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			c.w.Flush()
			fmt.Fprintf(c.stderr, "convert: stopped after line %d: %v\n", lineNo, context.Cause(ctx))
			return ExitData
		}
		if c.r.Buffered() == 0 {
			// The next read may block (a pipe from a live consumer): show what we have.
			if err := c.w.Flush(); err != nil {
				fmt.Fprintf(c.stderr, "convert: writing output: %v\n", err)
				return ExitData
			}
		}
		line, err := c.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			c.w.Flush()
			fmt.Fprintf(c.stderr, "convert: reading line %d: %v\n", lineNo+1, err)
			return ExitData
		}
		eof := errors.Is(err, io.EOF)
		if eof && len(line) == 0 {
			break
		}
		lineNo++
		if !c.blank(line) {
			if cerr := c.convert(line); cerr != nil {
				if werr := (*writeError)(nil); errors.As(cerr, &werr) {
					fmt.Fprintf(c.stderr, "convert: writing output: %v\n", werr.err)
					return ExitData
				}
				bad++
				if !c.skip {
					c.w.Flush()
					fmt.Fprintf(c.stderr, "convert: line %d: %v\n", lineNo, cerr)
					return ExitData
				}
				fmt.Fprintf(c.stderr, "convert: line %d: %v (skipped)\n", lineNo, cerr)
			} else {
				good++
			}
		}
		if eof {
			break
		}
	}
	if err := c.w.Flush(); err != nil {
		fmt.Fprintf(c.stderr, "convert: writing output: %v\n", err)
		return ExitData
	}
	if bad > 0 {
		fmt.Fprintf(c.stderr, "convert: %d of %d messages skipped\n", bad, good+bad)
		if good == 0 {
			return ExitData
		}
	}
	return ExitOK
}

// blank reports whether a line holds no message: an empty line, or for binary input one of
// only spaces (text formats keep spaces, which may be data).
func (c *converter) blank(line []byte) bool {
	if c.in.Binary {
		return len(bytes.TrimSpace(line)) == 0
	}
	return len(line) == 0
}

// readLine returns the next line without its line ending; the slice is valid until the next
// call. At the end of the input it returns io.EOF, with the last line if it had no line ending.
func (c *converter) readLine() ([]byte, error) {
	b, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.line = append(c.line[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = c.r.ReadSlice('\n')
			c.line = append(c.line, b...)
		}
		b = c.line
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, err
}

// writeError marks a failure to write the output, which stops the command even with
// --skip-errors.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// convert decodes one input line and writes its output messages.
func (c *converter) convert(line []byte) error {
	msg := line
	if c.in.Binary {
		var err error
		if msg, err = c.unwrap(bytes.TrimSpace(line)); err != nil {
			return err
		}
	}
	if c.direct != nil && isJSONObject(msg) {
		if m, err := c.direct.EncodeJSON(msg); err == nil {
			return c.emit(m)
		}
		// Fall through: the general path reports the error in the usual terms.
	}
	rows, err := c.dec.Decode(msg)
	if err != nil {
		return fmt.Errorf("decoding %s: %w", c.in.Name, err)
	}
	if len(rows) == 0 {
		return nil
	}
	if c.widen != nil {
		if err := c.widen.Widen(rows); err != nil {
			return err
		}
	}
	msgs, err := c.enc.Encode(rows)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", c.out.Name, err)
	}
	if !c.out.Binary {
		for i, m := range msgs {
			if bytes.ContainsAny(m, "\r\n") {
				return fmt.Errorf("encoding %s: output message %d holds a line break, which one-message-per-line output cannot show", c.out.Name, i+1)
			}
		}
	}
	for _, m := range msgs {
		if err := c.emit(m); err != nil {
			return err
		}
	}
	return nil
}

// isJSONObject reports whether msg starts, after whitespace, as a JSON object: the only messages
// the JSON fast path takes. Anything else — the JSON null and blank messages, which decode to no
// row, arrays and scalars — goes the general path, so that both paths always agree.
func isJSONObject(msg []byte) bool {
	for _, c := range msg {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// emit writes one output message as a line.
func (c *converter) emit(m []byte) error {
	if c.out.Binary {
		m = c.wrap(m)
	}
	if _, err := c.w.Write(m); err != nil {
		return &writeError{err}
	}
	if err := c.w.WriteByte('\n'); err != nil {
		return &writeError{err}
	}
	return nil
}

// unwrap decodes a hex or base64 line into c.msg.
func (c *converter) unwrap(line []byte) ([]byte, error) {
	if c.encoding == encHex {
		c.msg = slices.Grow(c.msg[:0], len(line)/2)[:len(line)/2]
		n, err := hex.Decode(c.msg, line)
		if err != nil {
			return nil, fmt.Errorf("not hex (--binary-encoding hex): %w", err)
		}
		return c.msg[:n], nil
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		c.msg = slices.Grow(c.msg[:0], e.DecodedLen(len(line)))[:e.DecodedLen(len(line))]
		if n, err := e.Decode(c.msg, line); err == nil {
			return c.msg[:n], nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(string(line))
	return nil, fmt.Errorf("not base64 (--binary-encoding base64): %w", err)
}

// wrap encodes a binary output message as hex or base64 into c.encoded.
func (c *converter) wrap(m []byte) []byte {
	if c.encoding == encHex {
		c.encoded = hex.AppendEncode(c.encoded[:0], m)
	} else {
		c.encoded = base64.StdEncoding.AppendEncode(c.encoded[:0], m)
	}
	return c.encoded
}
