package main

import (
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func TestUpToDate(t *testing.T) { neon.CheckUpToDate(t, "adam", "adam", build) }
