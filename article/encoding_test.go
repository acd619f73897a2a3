package article

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestDecode(t *testing.T) {
	arabic := "مضيق هرمز"
	cp1256, err := charmap.Windows1256.NewEncoder().String(arabic)
	if err != nil {
		t.Fatal(err)
	}
	iso, err := charmap.ISO8859_6.NewEncoder().String(arabic)
	if err != nil {
		t.Fatal(err)
	}
	longHead := "<head><title>x</title>" + strings.Repeat("<meta name=\"keywords\" content=\"iraq, iran, news\">", 40)
	tests := []struct {
		name        string
		page        string
		contentType string
		wantEnc     string
		wantText    string
	}{
		{"utf-8 undeclared", "<p>" + arabic, "", "utf-8", arabic},
		{"BOM beats header", "\xEF\xBB\xBF<p>" + arabic, "text/html; charset=windows-1256", "utf-8", arabic},
		{"http charset", "<p>" + cp1256, "text/html; charset=windows-1256", "windows-1256", arabic},
		{"http charset cp1256 label", "<p>" + cp1256, "text/html; charset=\"cp1256\"", "windows-1256", arabic},
		{"meta charset", "<meta charset=windows-1256><p>" + cp1256, "text/html", "windows-1256", arabic},
		{"meta http-equiv", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-6"><p>` + iso, "text/html", "iso-8859-6", arabic},
		{"meta after 1024 bytes of head", longHead + `<meta http-equiv="content-type" content="text/html;charset=windows-1256"></head><p>` + cp1256, "", "windows-1256", arabic},
		{"meta in body ignored", "<body><p>x</p><meta charset=windows-1256>" + "caf\xe9", "", "windows-1252", "café"},
		{"header says utf-8, bytes and meta say windows-1256", "<meta charset=windows-1256><p>" + cp1256, "text/html; charset=utf-8", "windows-1256", arabic},
		{"header utf-8 wins over meta when bytes are utf-8", "<meta charset=windows-1256><p>" + arabic, "text/html; charset=utf-8", "utf-8", arabic},
		{"meta utf-16 means utf-8", "<meta charset=utf-16><p>" + arabic, "", "utf-8", arabic},
		{"unknown labels ignored", "<meta charset=klingon><p>" + arabic, "text/html; charset=bogus", "utf-8", arabic},
		{"undeclared legacy bytes", "<p>caf\xe9", "", "windows-1252", "café"},
		{"malformed content-type, invalid UTF-8 before charset", "<p>" + cp1256, "\xaaChArset=windows-1256", "windows-1256", arabic},
		{"malformed content-type", "<p>" + cp1256, "text/html; charset=windows-1256; ;=", "windows-1256", arabic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, enc := decode([]byte(tt.page), tt.contentType)
			if enc != tt.wantEnc {
				t.Errorf("encoding = %q, want %q", enc, tt.wantEnc)
			}
			if !strings.Contains(string(out), tt.wantText) {
				t.Errorf("decoded %q, want it to contain %q", out, tt.wantText)
			}
		})
	}
}
