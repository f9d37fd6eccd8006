package kernel

//go:generate go run ../gen/amd64/peak -out ../asm/peak_amd64.s -stubs ../asm/peak_amd64.go -pkg asm

// peakChains is the number of independent FMA chains of every peak loop.
const peakChains = 12

// PeakFLOPs runs n iterations of i's FMA-throughput loop, twelve
// independent chains of vector fused multiply-adds, and returns the
// float32 operations it performed (an FMA counts two). Dividing by the
// time it took gives the machine's peak for i, measured in the same run
// as the benchmarks that report a fraction of it. The generic loop is
// scalar Go, which the compiler may or may not fuse.
func (i Impl) PeakFLOPs(n int) float64 {
	i.must("PeakFLOPs")
	if n <= 0 {
		return 0
	}
	if lanes := peakArch(i, n); lanes > 0 {
		return float64(n) * peakChains * float64(lanes) * 2
	}
	peakGeneric(n)
	return float64(n) * peakChains * 2
}

// peakSink takes peakGeneric's result, so that its chains are live.
//
//lint:ignore U1000 written only, as a sink is
var peakSink float32

func peakGeneric(n int) {
	var c [peakChains]float32
	a, b := float32(0.999), float32(1e-3)
	for range n {
		c[0] = c[0]*a + b
		c[1] = c[1]*a + b
		c[2] = c[2]*a + b
		c[3] = c[3]*a + b
		c[4] = c[4]*a + b
		c[5] = c[5]*a + b
		c[6] = c[6]*a + b
		c[7] = c[7]*a + b
		c[8] = c[8]*a + b
		c[9] = c[9]*a + b
		c[10] = c[10]*a + b
		c[11] = c[11]*a + b
	}
	var s float32
	for _, v := range c {
		s += v
	}
	peakSink = s
}
