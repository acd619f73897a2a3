//go:build !race

package topics

// goldenStride: see race_on_test.go.
const goldenStride = 1
