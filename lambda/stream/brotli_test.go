package stream_test

// The package's tests compress with brotli too: this links the encoder
// into the test binary, as a handler's main does.
import _ "github.com/streamgate/streamgate/lambda/stream/brotli"
