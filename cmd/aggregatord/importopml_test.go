package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/config"
)

// TestImportOPML: the printed TOML is a valid config holding every feed,
// with folders as tags.
func TestImportOPML(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "subs.opml"), `<?xml version="1.0"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="Kurdistan">
  <outline type="rss" text="Rudaw English" xmlUrl="https://www.rudaw.net/english/rss"/>
  <outline type="rss" text="Kurdistan24" xmlUrl="https://www.kurdistan24.net/en/rss"/>
</outline>
<outline type="rss" text="BBC عربي" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml"/>
</body></opml>`)
	code, out, errOut := runCLI(t, nil, "import-opml", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	cfg, err := config.Load("imported.toml", strings.NewReader(out))
	if err != nil {
		t.Fatalf("output is not a valid config: %v\n%s", err, out)
	}
	if len(cfg.Sources) != 3 {
		t.Fatalf("%d sources:\n%s", len(cfg.Sources), out)
	}
	rudaw, ok := cfg.Source("rudaw-english")
	if !ok || rudaw.URL != "https://www.rudaw.net/english/rss" || len(rudaw.Tags) != 1 || rudaw.Tags[0] != "kurdistan" {
		t.Errorf("rudaw: %+v\n%s", rudaw, out)
	}
	if code, _, _ := runCLI(t, nil, "import-opml"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	if code, _, _ := runCLI(t, nil, "import-opml", filepath.Join(dir, "missing.opml")); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}
