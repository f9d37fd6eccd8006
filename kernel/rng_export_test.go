package kernel

// Exported for the tests in package kernel_test.
var (
	FMAF       = fma32
	Uniform    = uniform
	LogU       = logU
	SinCosTurn = sinCosTurn
	BoxMuller  = boxMuller
)

// SetGemmPipe sets the AVX-512 microkernel's pipelining (see
// GemmPipelined) for a test and returns what restores it.
func SetGemmPipe(on bool) (restore func()) {
	old := gemmPipe
	gemmPipe = 0
	if on {
		gemmPipe = 1
	}
	return func() { gemmPipe = old }
}
