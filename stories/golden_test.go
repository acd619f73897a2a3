package stories

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/aggregatord/aggregatord/internal/corpustest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// goldenSketch is the golden file of TestGoldenFingerprint.
const goldenSketch = "testdata/golden_sketch.txt"

// TestGoldenFingerprint pins the sketch of every corpus item: one line an
// item, the number of hashes and a hash of the encoded sketch. Sketches are
// stored, so the file must never change; it was written by the code
// before any optimisation (go test ./stories -run GoldenFingerprint -args
// -update).
func TestGoldenFingerprint(t *testing.T) {
	items := corpusItems(t)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %d items: the number of hashes of Fingerprint and a hash of its encoding.\n", len(items))
	golden := corpustest.Golden{Path: goldenSketch, Header: 1, Update: *update, Stride: goldenStride}
	known := golden.Known(t)
	for i := range items {
		if i%goldenStride != 0 && 1+i < len(known) {
			fmt.Fprintln(&out, known[1+i])
			continue
		}
		sk := Fingerprint(&items[i])
		b, err := sk.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		h := fnv.New32a()
		h.Write(b)
		fmt.Fprintf(&out, "%d %06x\n", len(sk), h.Sum32()&0xffffff)
	}
	golden.Compare(t, out.Bytes(), items)
}
