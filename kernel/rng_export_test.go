package kernel

// Exported for the tests in package kernel_test.
var (
	FMAF       = fma32
	Uniform    = uniform
	LogU       = logU
	SinCosTurn = sinCosTurn
	BoxMuller  = boxMuller
)
