// Package testfile has what the upload benchmarks send: files of any size
// that cost no memory.
package testfile

// Pattern is a file of any size that costs no memory: byte i is i*31 mod
// 251 (not a power of two, so a part or chunk boundary never lines up with
// the pattern).
type Pattern struct{}

// ReadAt fills p with the bytes at off.
func (Pattern) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		p[i] = byte((off + int64(i)) * 31 % 251)
	}
	return len(p), nil
}
