// Package poolstat counts the work that f32's helper goroutines do, so
// that tests (f32's own and those of the packages above it) can tell a
// split that ran on several goroutines from one that ran on its caller
// alone, which gives the same bits and so cannot be told apart by its
// result.
package poolstat

import "sync/atomic"

// HelperChunks is the number of chunks of work (rows of a product,
// panels of its columns, ranges of an f32.RangeJob) that a helper
// goroutine, not the caller, has begun since the program started.
var HelperChunks atomic.Int64
