package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMain makes the test binary the benchmark's helper process when it is
// started as one (run starts the helper from os.Executable).
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// TestQuick runs the whole benchmark with tiny sizes: every phase must
// work and the figures must add up.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a helper process and runs every phase")
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "bench.json")
	var out bytes.Buffer
	o := options{
		Feeds: 12, Items: 8, ChurnFrac: 0.5, ChurnK: 2, Duration: 150 * time.Millisecond, Clients: 2,
		Growth: []int{300, 600}, GrowthFeeds: 3, Seed: 1, FarmGzip: true, FloorMin: 20 * time.Millisecond,
		Stories: true, jsonPath: jsonPath, out: &out, dir: dir, profile: "cold",
	}
	r, err := run(context.Background(), o)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log(out.String())

	if r.Farm.Items != 12*8 || r.Floor.Gofeed.Items < 12*8 {
		t.Errorf("farm %d items, floor parsed %d", r.Farm.Items, r.Floor.Gofeed.Items)
	}
	if r.Cold.New != 12*8 || r.Cold.Served200 != 12 || r.Cold.Failed != 0 {
		t.Errorf("cold pass: %+v", r.Cold)
	}
	if r.Warm.Served304 != 12 || r.Warm.Items != 0 {
		t.Errorf("warm pass: %+v", r.Warm)
	}
	if r.Churn.ChangedFeeds == 0 || r.Churn.New != r.Churn.NewItems || r.Churn.Updated != 0 ||
		r.Churn.Served200 != int64(r.Churn.ChangedFeeds) {
		t.Errorf("churn pass: %+v", r.Churn)
	}
	if r.Storage.Items != 12*8+r.Churn.NewItems || r.Storage.Ratio <= 0 {
		t.Errorf("storage: %+v", r.Storage)
	}
	for _, g := range []groupingResult{r.GroupingCold, r.GroupingChurn} {
		if g.WireCopies == 0 || g.WireCopies != g.WireGenerated || g.TruePairs > g.StoryPairs || g.TruePairs > g.WirePairs ||
			g.Precision < 0 || g.Precision > 1 || g.Recall < 0 || g.Recall > 1 {
			t.Errorf("grouping %s: %+v", g.Pass, g)
		}
	}
	if r.GroupingCold.Items != r.Cold.New || r.GroupingChurn.Items != r.Storage.Items {
		t.Errorf("grouping read %d and %d items, want %d and %d", r.GroupingCold.Items, r.GroupingChurn.Items, r.Cold.New, r.Storage.Items)
	}
	if len(r.Serving) != 13 {
		t.Errorf("%d serving runs, want 13", len(r.Serving))
	}
	for _, s := range r.Serving {
		if s.Requests == 0 || s.RPS <= 0 || s.P99us <= 0 {
			t.Errorf("serving %s %s: %+v", s.Name, s.Variant, s)
		}
	}
	if r.Tagging.ItemsPerCPUs <= 0 || r.Tagging.Tagged == 0 {
		t.Errorf("tagging: %+v", r.Tagging)
	}
	if len(r.Growth) != 2 || r.Growth[1].Stored < 600 || r.Growth[1].Ingest.New != 3*8 {
		t.Errorf("growth: %+v", r.Growth)
	}
	if len(r.Targets) == 0 {
		t.Error("no targets evaluated")
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var back report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("-json output: %v", err)
	}
	if back.Cold.New != r.Cold.New || len(back.Targets) != len(r.Targets) {
		t.Error("-json output differs from the run")
	}
}

func TestParseFlags(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantErr bool
		check   func(options) bool
	}{
		{nil, false, func(o options) bool { return o.Feeds == 2000 && o.Items == 50 && len(o.Growth) == 2 }},
		{[]string{"-quick"}, false, func(o options) bool { return o.Feeds == 100 && o.Duration == time.Second }},
		{[]string{"-quick", "-feeds", "7"}, false, func(o options) bool { return o.Feeds == 7 && o.Items == 20 }},
		{[]string{"-growth=10k,100k,1M"}, false, func(o options) bool {
			return len(o.Growth) == 3 && o.Growth[2] == 1000_000
		}},
		{[]string{"-growth="}, false, func(o options) bool { return len(o.Growth) == 0 }},
		{[]string{"-growth=x"}, true, nil},
		{[]string{"-churn=2"}, true, nil},
		{[]string{"-profile=nope"}, true, nil},
		{[]string{"extra"}, true, nil},
	} {
		t.Run(fmtArgs(tt.args), func(t *testing.T) {
			o, err := parseFlags(tt.args, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !tt.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}

func fmtArgs(a []string) string {
	if len(a) == 0 {
		return "defaults"
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// TestGenerated checks that generated feeds parse and that items are
// deterministic.
func TestGenerated(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		spec := newFeedSpec(7, "t", i, 10)
		a, b := spec.item(3, clock), spec.item(3, clock)
		if a != b {
			t.Fatalf("feed %d: item not deterministic", i)
		}
		words := len(bytes.Fields([]byte(a.HTML)))
		if words < 60 || words > 200 {
			t.Errorf("feed %d: %d words in the description", i, words)
		}
		doc, n := spec.feedDoc([]genItem{a}, clock)
		if n <= 0 || n >= len(doc) {
			t.Errorf("feed %d: item bytes %d of %d", i, n, len(doc))
		}
	}
}
