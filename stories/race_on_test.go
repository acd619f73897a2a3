//go:build race

package stories

// goldenStride: under the race detector the golden tests compute every
// 17th item only (the others are taken from the golden file), which keeps
// them to seconds; without it they compute every item.
const goldenStride = 17
