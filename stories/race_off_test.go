//go:build !race

package stories

// goldenStride: see race_on_test.go.
const goldenStride = 1
