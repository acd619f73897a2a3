package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// loader reads the document tree into a Config, collecting problems.
type loader struct {
	file string
	opts options
	errs Errors
}

func (l *loader) errorf(pos Position, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// section reads the keys of one table. Reading a key marks it known;
// done reports the keys that were never read as unknown.
type section struct {
	l      *loader
	t      *node  // nil when the table is absent
	path   string // dotted path for messages: "fetch"; "" for the root
	header string // how the table is written: "[fetch]", "[[source]]"
	known  []string
	pos    map[string]Position // keys read and well typed -> value position
}

func (l *loader) section(t *node, path, header string) *section {
	s := &section{l: l, t: t, path: path, header: header, pos: map[string]Position{}}
	if t != nil {
		s.pos[""] = t.pos
	}
	return s
}

// name is key's dotted path, for messages.
func (s *section) name(key string) string {
	if s.path == "" {
		return key
	}
	return s.path + "." + key
}

// get returns the node of key, or nil when it is not written.
func (s *section) get(key string) *node {
	s.known = append(s.known, key)
	if s.t == nil {
		return nil
	}
	return s.t.fields[key]
}

func (s *section) typeError(key string, n *node, want string) {
	s.l.errorf(n.pos, "%s: expected %s, found %s", s.name(key), want, n.describe())
}

// str reads a string. n is nil when the key is absent; ok is false when it
// is absent or has another type (reported).
func (s *section) str(key string) (v string, n *node, ok bool) {
	n = s.get(key)
	if n == nil {
		return "", nil, false
	}
	if n.kind != kString {
		s.typeError(key, n, "a string")
		return "", n, false
	}
	s.pos[key] = n.pos
	return n.sval, n, true
}

// integer reads an integer in [lo, hi]; what describes the bound broken.
func (s *section) integer(key string, lo int64, what string) (int64, bool) {
	n := s.get(key)
	if n == nil {
		return 0, false
	}
	if n.kind != kInteger {
		s.typeError(key, n, "an integer")
		return 0, false
	}
	s.pos[key] = n.pos
	if n.ierr || n.ival > math.MaxInt {
		s.l.errorf(n.pos, "%s: integer out of range", s.name(key))
		return 0, false
	}
	if n.ival < lo {
		s.l.errorf(n.pos, "%s: %s, got %d", s.name(key), what, n.ival)
		return 0, false
	}
	return n.ival, true
}

func (s *section) boolean(key string, dst *bool) {
	n := s.get(key)
	if n == nil {
		return
	}
	if n.kind != kBool {
		s.typeError(key, n, "a boolean (true or false)")
		return
	}
	s.pos[key] = n.pos
	*dst = n.bval
}

// duration reads a Go duration into dst; zero is allowed only if allowZero.
func (s *section) duration(key string, dst *time.Duration, allowZero bool) {
	n := s.get(key)
	if n == nil {
		return
	}
	if n.kind != kString {
		s.typeError(key, n, `a duration string such as "90s", "15m" or "720h"`)
		return
	}
	s.pos[key] = n.pos
	d, err := time.ParseDuration(strings.TrimSpace(n.sval))
	switch {
	case err != nil:
		s.l.errorf(n.pos, `%s: invalid duration %q: use Go syntax such as "90s", "15m" or "720h"`, s.name(key), n.sval)
	case d < 0:
		s.l.errorf(n.pos, "%s: duration %q must not be negative", s.name(key), n.sval)
	case d == 0 && !allowZero:
		s.l.errorf(n.pos, "%s: duration must be positive, got %q", s.name(key), n.sval)
	default:
		*dst = d
	}
}

// cronSpec reads a cron spec into dst; it reports whether the key was
// written and valid.
func (s *section) cronSpec(key string, dst *string) bool {
	v, n, ok := s.str(key)
	if !ok {
		return false
	}
	if err := checkCron(v); err != nil {
		s.l.errorf(n.pos, "%s: invalid cron spec %q: %v", s.name(key), v, err)
		return false
	}
	*dst = strings.TrimSpace(v)
	return true
}

// listen reads a listen address; "" is accepted only if allowEmpty.
func (s *section) listen(key string, dst *string, allowEmpty bool) bool {
	v, n, ok := s.str(key)
	if !ok {
		return n == nil
	}
	if v == "" && allowEmpty {
		*dst = ""
		return true
	}
	if err := checkListen(v); err != nil {
		s.l.errorf(n.pos, "%s: %v", s.name(key), err)
		return false
	}
	*dst = v
	return true
}

// table reads key as a sub-table. The result reads nothing when the table
// is absent or is not a table (reported).
func (s *section) table(key string) *section {
	n := s.get(key)
	sub := s.l.section(nil, s.name(key), "["+s.name(key)+"]")
	if n == nil {
		return sub
	}
	if n.kind != kTable {
		s.l.errorf(n.pos, "%s: expected a table ([%s]), found %s", s.name(key), s.name(key), n.describe())
		return sub
	}
	return s.l.section(n, s.name(key), "["+s.name(key)+"]")
}

// tables reads key as an array of tables ([[key]] or an array of inline
// tables), one section per table.
func (s *section) tables(key string) []*section {
	n := s.get(key)
	if n == nil {
		return nil
	}
	name := s.name(key)
	if n.kind != kArray {
		s.l.errorf(n.pos, "%s: expected an array of tables ([[%s]]), found %s", name, name, n.describe())
		return nil
	}
	var out []*section
	for i, e := range n.elems {
		if e.kind != kTable {
			s.l.errorf(e.pos, "%s: element %d: expected a table, found %s", name, i+1, e.describe())
			continue
		}
		out = append(out, s.l.section(e, name, "[["+name+"]]"))
	}
	return out
}

// done reports every key of the table that was not read.
func (s *section) done() {
	if s.t == nil {
		return
	}
	for _, key := range s.t.keys {
		if containsString(s.known, key) {
			continue
		}
		n := s.t.fields[key]
		hint := ""
		if sug := suggest(key, s.known); sug != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", sug)
		}
		full := s.name(quoteKey(key))
		switch {
		case n.kind == kArray && n.header:
			if sug := suggest(key, s.known); sug != "" {
				hint = fmt.Sprintf(" (did you mean [[%s]]?)", s.name(sug))
			}
			s.l.errorf(n.keyPos, "unknown table [[%s]]%s", full, hint)
		case n.kind == kTable && n.header:
			if sug := suggest(key, s.known); sug != "" {
				hint = fmt.Sprintf(" (did you mean [%s]?)", s.name(sug))
			}
			s.l.errorf(n.keyPos, "unknown table [%s]%s", full, hint)
		case s.header == "":
			s.l.errorf(n.keyPos, "unknown key %q%s", key, hint)
		default:
			s.l.errorf(n.keyPos, "unknown key %q in %s%s", key, s.header, hint)
		}
	}
}

// load reads the whole document into a Config.
func (l *loader) load(root *node) *Config {
	c := Default()
	c.File = l.file
	r := l.section(root, "", "")

	// [server]
	srv := r.table("server")
	listenOK := srv.listen("listen", &c.Server.Listen, false)
	baseURL, n, ok := srv.str("base_url")
	switch {
	case ok:
		if u, err := checkBaseURL(baseURL); err != nil {
			l.errorf(n.pos, "server.base_url: %v", err)
		} else {
			c.Server.BaseURL = u
		}
	case n == nil && listenOK:
		c.Server.BaseURL = defaultBaseURL(c.Server.Listen)
	}
	if v, n, ok := srv.str("title"); ok {
		if strings.TrimSpace(v) == "" {
			l.errorf(n.pos, "server.title: must not be empty")
		} else {
			c.Server.Title = strings.TrimSpace(v)
		}
	}
	srv.duration("cache_max_age", &c.Server.CacheMaxAge, true)
	adminOK := srv.listen("admin_listen", &c.Server.AdminListen, true)
	if listenOK && adminOK && c.Server.AdminListen != "" {
		if err := checkListenConflict(c.Server.Listen, c.Server.AdminListen); err != nil {
			pos := srv.pos["admin_listen"]
			if !pos.IsValid() {
				pos = srv.pos["listen"]
			}
			l.errorf(pos, "server.admin_listen: %v", err)
		}
	}
	srv.done()
	l.keepPos(c, srv)

	// [storage]
	st := r.table("storage")
	if v, n, ok := st.str("path"); ok {
		if strings.TrimSpace(v) == "" {
			l.errorf(n.pos, "storage.path: must not be empty")
		} else {
			c.Storage.Path = v
		}
	}
	st.duration("retention", &c.Storage.Retention, true)
	if v, ok := st.integer("max_items_per_source", 0, "must not be negative (0 means no cap)"); ok {
		c.Storage.MaxItemsPerSource = int(v)
	}
	st.cronSpec("prune_schedule", &c.Storage.PruneSchedule)
	st.done()
	l.keepPos(c, st)

	// [fetch]
	f := r.table("fetch")
	f.cronSpec("schedule", &c.Fetch.Schedule)
	f.duration("timeout", &c.Fetch.Timeout, false)
	if v, ok := f.integer("concurrency", 1, "must be at least 1"); ok {
		c.Fetch.Concurrency = int(v)
	}
	if v, ok := f.integer("max_body_bytes", 1024, "must be at least 1024"); ok {
		c.Fetch.MaxBodyBytes = v
	}
	if v, n, ok := f.str("user_agent"); ok {
		if strings.ContainsFunc(v, isControl) {
			l.errorf(n.pos, "fetch.user_agent: must not contain control characters")
		} else {
			c.Fetch.UserAgent = strings.TrimSpace(v)
		}
	}
	f.done()
	l.keepPos(c, f)

	// [dedupe]
	d := r.table("dedupe")
	d.boolean("stories", &c.Dedupe.Stories)
	d.duration("window", &c.Dedupe.Window, true)
	d.done()
	l.keepPos(c, d)

	// [[source]]
	firstName := map[string]Position{}
	for _, s := range r.tables("source") {
		if src, ok := l.source(s, c.Fetch.Schedule); ok {
			if first, dup := firstName[src.Name]; dup {
				l.errorf(src.Pos["name"], "source.name: duplicate source name %q (first defined on line %d)", src.Name, first.Line)
			} else {
				firstName[src.Name] = src.Pos["name"]
			}
			c.Sources = append(c.Sources, src)
		}
	}

	// [[topic]]
	firstID := map[string]Position{}
	for _, s := range r.tables("topic") {
		if t, ok := l.topic(s); ok {
			if first, dup := firstID[t.ID]; dup {
				l.errorf(t.Pos["id"], "topic.id: duplicate topic id %q (first defined on line %d)", t.ID, first.Line)
			} else {
				firstID[t.ID] = t.Pos["id"]
			}
			c.Topics = append(c.Topics, t)
		}
	}
	r.done()
	return c
}

// keepPos copies a singleton section's positions into c.Pos.
func (l *loader) keepPos(c *Config, s *section) {
	for k, p := range s.pos {
		if k == "" {
			c.Pos[s.path] = p
		} else {
			c.Pos[s.path+"."+k] = p
		}
	}
}

// source reads one [[source]]; ok is false when its name is unusable.
func (l *loader) source(s *section, defaultSchedule string) (Source, bool) {
	src := Source{Enabled: true, Schedule: defaultSchedule, Pos: s.pos}
	nameOK := false
	name, nameNode, ok := s.str("name")
	if ok {
		if err := checkName(name); err != nil {
			l.errorf(nameNode.pos, "source.name: %v", err)
		} else {
			src.Name, nameOK = name, true
		}
	}
	if v, _, ok := s.str("title"); ok {
		src.Title = strings.TrimSpace(v)
	}
	u, urlNode, ok := s.str("url")
	if ok {
		if err := checkFeedURL(u); err != nil {
			l.errorf(urlNode.pos, "source.url: %v", err)
		} else {
			src.URL = strings.TrimSpace(u)
		}
	}
	s.cronSpec("schedule", &src.Schedule)
	src.Tags = l.tags(s)
	s.boolean("full_text", &src.FullText)
	s.boolean("enabled", &src.Enabled)
	s.done()

	who := "[[source]]"
	if nameOK {
		who = fmt.Sprintf("[[source]] %q", src.Name)
	}
	if nameNode == nil {
		l.errorf(s.t.pos, `%s is missing required key "name"`, who)
	}
	if urlNode == nil {
		l.errorf(s.t.pos, `%s is missing required key "url"`, who)
	}
	return src, nameOK
}

// tags reads a source's tags: non-blank strings, repeats dropped.
func (l *loader) tags(s *section) []string {
	n := s.get("tags")
	if n == nil {
		return nil
	}
	if n.kind != kArray {
		s.typeError("tags", n, "an array of strings")
		return nil
	}
	s.pos["tags"] = n.pos
	tags := []string{}
	seen := map[string]bool{}
	for i, e := range n.elems {
		switch {
		case e.kind != kString:
			l.errorf(e.pos, "source.tags: element %d: expected a string, found %s", i+1, e.describe())
		case strings.TrimSpace(e.sval) == "":
			l.errorf(e.pos, "source.tags: element %d: tag must not be empty", i+1)
		default:
			if t := strings.TrimSpace(e.sval); !seen[t] {
				seen[t] = true
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// topic reads one [[topic]]; ok is false when its id is unusable.
func (l *loader) topic(s *section) (Topic, bool) {
	t := Topic{Pos: s.pos}
	idOK := false
	id, idNode, ok := s.str("id")
	if ok {
		if err := checkName(id); err != nil {
			l.errorf(idNode.pos, "topic.id: %v", err)
		} else {
			t.ID, t.Title, idOK = id, id, true
		}
	}
	if v, n, ok := s.str("title"); ok {
		if strings.TrimSpace(v) == "" {
			l.errorf(n.pos, "topic.title: must not be empty (leave it out to use the id)")
		} else {
			t.Title = strings.TrimSpace(v)
		}
	}
	q, qNode, ok := s.str("query")
	if ok {
		t.Query, t.query = q, qNode.str
		switch {
		case strings.TrimSpace(q) == "":
			l.errorf(qNode.pos, "topic.query: must not be empty")
		case l.opts.checkQuery != nil:
			if off, err := l.opts.checkQuery(q); err != nil {
				l.errorf(t.QueryOffsetPos(off), "topic.query: %v", err)
			}
		}
	}
	s.done()

	who := "[[topic]]"
	if idOK {
		who = fmt.Sprintf("[[topic]] %q", t.ID)
	}
	if idNode == nil {
		l.errorf(s.t.pos, `%s is missing required key "id"`, who)
	}
	if qNode == nil {
		l.errorf(s.t.pos, `%s is missing required key "query"`, who)
	}
	return t, idOK
}

// checkName checks a source name or topic id: [a-z0-9-]+.
func checkName(s string) error {
	if s == "" {
		return fmt.Errorf("must not be empty")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("%q is not a valid name: use only lower-case letters a-z, digits and '-'", s)
		}
	}
	return nil
}

// checkFeedURL checks an absolute http(s) URL with a host.
func checkFeedURL(s string) error {
	_, err := parseHTTPURL(strings.TrimSpace(s))
	return err
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %v", s, unwrapURLError(err))
	}
	switch {
	case !u.IsAbs():
		return nil, fmt.Errorf("%q is not an absolute URL (it needs http:// or https://)", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q is not an http or https URL", s)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, fmt.Errorf("URL %q has no host", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, fmt.Errorf("URL %q has an invalid port", s)
		}
	}
	return u, nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// checkBaseURL checks base_url and returns it ending in "/".
func checkBaseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := parseHTTPURL(s)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return "", fmt.Errorf("%q must not have a query or fragment", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// defaultBaseURL is "http://" + listen + "/", with "localhost" for an empty
// or unspecified host.
func defaultBaseURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/"
	}
	if a, err := netip.ParseAddr(host); host == "" || err == nil && a.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// checkListen checks a host:port listen address with a numeric port.
func checkListen(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not a host:port address (for example \"127.0.0.1:8080\" or \":8080\")", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", s, port)
	}
	if strings.ContainsAny(host, " \t\r\n/") {
		return fmt.Errorf("%q: invalid host %q", s, host)
	}
	return nil
}

// checkListenConflict reports an error when the two valid listen addresses
// would claim the same port.
func checkListenConflict(listen, admin string) error {
	h1, p1, _ := net.SplitHostPort(listen)
	h2, p2, _ := net.SplitHostPort(admin)
	n1, _ := strconv.Atoi(p1)
	n2, _ := strconv.Atoi(p2)
	if n1 != n2 || n1 == 0 {
		return nil // port 0 picks a free port for each
	}
	if listen == admin {
		return fmt.Errorf("must differ from server.listen (both are %q)", listen)
	}
	if h1 == h2 || isWildcardHost(h1) || isWildcardHost(h2) {
		return fmt.Errorf("%q and server.listen %q use the same port", admin, listen)
	}
	return nil
}

func isWildcardHost(h string) bool {
	if h == "" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsUnspecified()
}

// checkCron checks a robfig/cron v3 standard spec.
func checkCron(spec string) (err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return fmt.Errorf("empty spec")
	}
	rest := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		// cron v3.0.1 panics on a zone prefix with nothing after it.
		i := strings.IndexAny(spec, " \t")
		if i < 0 {
			return fmt.Errorf("time zone prefix must be followed by a schedule")
		}
		rest = strings.TrimSpace(spec[i:])
	}
	if d, ok := strings.CutPrefix(rest, "@every"); ok {
		// cron silently turns intervals under a second (even negative
		// ones) into one second.
		iv, perr := time.ParseDuration(strings.TrimSpace(d))
		if perr == nil && iv < time.Second {
			return fmt.Errorf("@every interval must be at least 1s")
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot parse: %v", r)
		}
	}()
	if _, err := cron.ParseStandard(spec); err != nil {
		return err
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// quoteKey writes key as TOML would need it in a dotted path.
func quoteKey(key string) string {
	if key == "" {
		return `""`
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return strconv.Quote(key)
		}
	}
	return key
}

// suggest returns the known key closest to key, if it is close enough to be
// a likely typo.
func suggest(key string, known []string) string {
	best, bestD := "", math.MaxInt
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= 2 && bestD < len([]rune(key)) {
		return best
	}
	return ""
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours cost one each.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return math.MaxInt // too long to be a typo of a known key
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
