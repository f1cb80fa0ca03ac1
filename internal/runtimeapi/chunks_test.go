package runtimeapi

import (
	"errors"
	"io"
	"testing"
)

func TestChunkPipeQueuesAndTellsWhatIsPending(t *testing.T) {
	c := newChunkPipe()
	if c.Pending() {
		t.Fatal("pending before any write")
	}
	for _, s := range []string{"ab", "cde"} {
		if err := c.write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if !c.Pending() {
		t.Fatal("nothing pending after two writes")
	}
	buf := make([]byte, 1)
	n, _ := c.Read(buf)
	if n != 1 || buf[0] != 'a' || !c.Pending() {
		t.Fatalf("read %q, pending %v", buf[:n], c.Pending())
	}
	c.closeWrite(nil)
	rest, err := io.ReadAll(c)
	if err != nil || string(rest) != "bcde" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

func TestChunkPipeCarriesTheWritersError(t *testing.T) {
	c := newChunkPipe()
	c.write([]byte("x"))
	boom := errors.New("boom")
	c.closeWrite(boom)
	b, err := io.ReadAll(c)
	if string(b) != "x" || !errors.Is(err, boom) {
		t.Fatalf("%q, %v", b, err)
	}
}

func TestChunkPipeStopsTheWriterWhenTheReaderGoes(t *testing.T) {
	c := newChunkPipe()
	c.Close()
	if err := c.write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write after close: %v", err)
	}
	// A full queue does not block a writer whose reader has gone.
	c = newChunkPipe()
	for i := 0; i < queueChunks; i++ {
		c.write([]byte("x"))
	}
	done := make(chan error)
	go func() { done <- c.write([]byte("y")) }()
	c.Close()
	if err := <-done; !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("blocked write after close: %v", err)
	}
}
