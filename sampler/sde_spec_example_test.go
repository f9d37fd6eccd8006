package sampler_test

import (
	"fmt"

	"github.com/scorekit/scorekit/sampler"
)

// The SDE a model file records (scorekit train writes it in the
// "scorekit.sde" metadata) read back, as a service that loads the model
// would do before SetPerturbation and the samplers.
func ExampleParseSDE() {
	sde, err := sampler.ParseSDE("vp:0.1:20")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v: %#v, prior std %g\n", sde, sde, sde.PriorStd())
	_, err = sampler.ParseSDE("ve:50:0.01")
	fmt.Println(err != nil)
	// Output:
	// vp:0.1:20: sampler.VP{BetaMin:0.1, BetaMax:20, N:1000}, prior std 1
	// true
}
