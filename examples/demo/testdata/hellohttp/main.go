// Command hellohttp is a hello net/http handler behind lambda/httpstream:
// the adapter's cost in BenchmarkHandlerSizeAndInit.
package main

import (
	"io"
	"net/http"

	"github.com/streamgate/streamgate/lambda/httpstream"
)

func main() {
	httpstream.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") }))
}
