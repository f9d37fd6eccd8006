//go:build !(amd64 || arm64) || !gc || purego

package kernel

// Without assembly the activation kernels are the generic ones (see
// act.go).

func actImpl(_ Impl, a Activation, dst, x []float32)      { actGeneric(a, dst, x) }
func actDerivImpl(_ Impl, a Activation, dst, x []float32) { actDerivGeneric(a, dst, x) }
