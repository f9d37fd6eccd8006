package kernel

// Exported for the tests in package kernel_test.
var (
	FMAF       = fmaf
	Uniform    = uniform
	LogU       = logU
	SinCosTurn = sinCosTurn
	BoxMuller  = boxMuller
)
