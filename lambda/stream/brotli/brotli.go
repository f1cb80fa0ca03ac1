// Package brotli adds brotli ("br") to the content encodings lambda/stream
// and lambda/httpstream compress with. Import it for its effect, in the
// main of a handler that offers stream.Brotli in Options.Encodings:
//
//	import _ "github.com/streamgate/streamgate/lambda/stream/brotli"
//
// It is a package of its own so that the handlers that do not offer brotli
// do not carry the encoder (0.8 MB of a bootstrap).
package brotli

import (
	"io"

	"github.com/andybalholm/brotli"

	"github.com/streamgate/streamgate/lambda/stream"
)

// Level is the brotli quality the streams use: fast enough to keep up with
// the producer, and most of the size gain on JSON (make bench).
const Level = 4

func init() {
	stream.RegisterEncoding(stream.Brotli, func(w io.Writer) stream.Encoder { return brotli.NewWriterLevel(w, Level) })
}
