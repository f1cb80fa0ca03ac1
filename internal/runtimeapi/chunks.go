package runtimeapi

import (
	"io"
	"sync"
)

// chunkPipe carries a response body from the function's POST to the
// gateway like io.Pipe, but queues up to queueChunks chunks instead of
// handing each write over in lockstep, and tells the reader whether more is
// queued (Pending), so that it can write several chunks to the client
// before one flush. Writes copy their bytes.
type chunkPipe struct {
	ch     chan []byte
	closed chan struct{} // the reader went away
	once   sync.Once

	mu  sync.Mutex
	err error // the writer's, after ch is closed

	cur []byte // the unread rest of the reader's current chunk
	buf []byte // the whole current chunk, returned to the pool when read
}

const queueChunks = 16

func newChunkPipe() *chunkPipe {
	return &chunkPipe{ch: make(chan []byte, queueChunks), closed: make(chan struct{})}
}

// chunkPool holds 64 KiB buffers: the chunks queued in pipes, and the
// buffer each POST is read into.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// write queues a copy of p; it fails with io.ErrClosedPipe once the reader
// has closed.
func (c *chunkPipe) write(p []byte) error {
	select {
	case <-c.closed:
		return io.ErrClosedPipe
	default:
	}
	bp := chunkPool.Get().(*[]byte)
	b := append((*bp)[:0], p...)
	select {
	case c.ch <- b:
		return nil
	case <-c.closed:
		return io.ErrClosedPipe
	}
}

// closeWrite ends the body: the reader gets err (io.EOF when nil) after the
// queued chunks.
func (c *chunkPipe) closeWrite(err error) {
	if err == nil {
		err = io.EOF
	}
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	close(c.ch)
}

func (c *chunkPipe) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		select {
		case <-c.closed:
			return 0, io.ErrClosedPipe
		case b, ok := <-c.ch:
			if !ok {
				c.mu.Lock()
				defer c.mu.Unlock()
				return 0, c.err
			}
			c.cur, c.buf = b, b
		}
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	if len(c.cur) == 0 {
		b := c.buf[:0]
		chunkPool.Put(&b)
		c.cur, c.buf = nil, nil
	}
	return n, nil
}

// Pending reports whether more of the body can be read without waiting.
func (c *chunkPipe) Pending() bool { return len(c.cur) > 0 || len(c.ch) > 0 }

// Close is the reader going away: the function's next write fails.
func (c *chunkPipe) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}
