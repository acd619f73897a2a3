//go:build !race

package daemon

// raceEnabled reports whether the tests run under the race detector, which
// makes them several times slower; see TestCorpus.
const raceEnabled = false
