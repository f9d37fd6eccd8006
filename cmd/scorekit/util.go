package main

import (
	"math"
	"math/rand/v2"
)

func sqrt(x float64) float64 { return math.Sqrt(x) }

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }
