package stream

import (
	"io"
	"sync"
)

// chunkPipe connects the stream's writer to the runtime's reader, like
// io.Pipe, but a write does not wait for the reader to take its bytes: up
// to maxChunks chunks wait in a queue, so the producer encodes the next
// batch while the runtime sends the last one. io.Pipe hands each write
// over synchronously, and the producer then waits for a goroutine switch
// on every batch (a quarter of the writer's throughput, measured). Memory
// stays bounded: at most maxChunks chunks of chunkSize bytes, from a pool.
type chunkPipe struct {
	queue      chan chunk    // written chunks, in order
	readerGone chan struct{} // closed by closeRead
	closeOnce  sync.Once

	werr error // how the writer ended (nil: io.EOF), set before queue is closed

	rerr error // why the reader went away, set before readerGone is closed

	rmu sync.Mutex // the reader's side
	cur []byte     // the rest of the chunk being read
	buf *[]byte    // cur's buffer, back to the pool once read
}

// chunk is a pooled buffer and how much of it was written.
type chunk struct {
	buf *[]byte
	n   int
}

const (
	chunkSize = 32 << 10
	maxChunks = 4
)

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

func newChunkPipe() *chunkPipe {
	return &chunkPipe{queue: make(chan chunk, maxChunks), readerGone: make(chan struct{})}
}

// Write queues a copy of p, in chunks of chunkSize; it waits only while
// maxChunks chunks are queued, and fails with io.ErrClosedPipe once the
// reader is gone. The stream's writes are serialised by its mutex.
func (p *chunkPipe) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		select {
		case <-p.readerGone:
			return n, io.ErrClosedPipe
		default:
		}
		bp := chunkPool.Get().(*[]byte)
		k := copy(*bp, b)
		select {
		case p.queue <- chunk{bp, k}:
		case <-p.readerGone:
			chunkPool.Put(bp)
			return n, io.ErrClosedPipe
		}
		n += k
		b = b[k:]
	}
	return n, nil
}

// closeWrite ends the stream: the reader gets the queued chunks, then err
// (io.EOF when nil). Called once, after the last Write.
func (p *chunkPipe) closeWrite(err error) {
	p.werr = err
	close(p.queue)
}

// Read reads the queued chunks in order, then the writer's error.
func (p *chunkPipe) Read(b []byte) (int, error) {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	select {
	case <-p.readerGone:
		return 0, p.rerr
	default:
	}
	if len(p.cur) == 0 {
		if p.buf != nil {
			chunkPool.Put(p.buf)
			p.buf = nil
		}
		var c chunk
		var ok bool
		select {
		case c, ok = <-p.queue:
		case <-p.readerGone:
			return 0, p.rerr
		}
		if !ok {
			if p.werr != nil {
				return 0, p.werr
			}
			return 0, io.EOF
		}
		p.cur, p.buf = (*c.buf)[:c.n], c.buf
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// closeRead is the reader going away: queued chunks are dropped, and
// writes fail from now on.
func (p *chunkPipe) closeRead(err error) {
	p.closeOnce.Do(func() {
		p.rerr = err
		close(p.readerGone)
	})
}
