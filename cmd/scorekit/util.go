package main

import (
	"math/rand/v2"
	"strconv"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// plural returns n and the noun, with an s unless n is 1: "1 column",
// "2 columns" (for the regular nouns of the command's messages).
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
