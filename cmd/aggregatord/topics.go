package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
	"github.com/aggregatord/aggregatord/topics"
)

// cmdRetag re-evaluates every topic on every stored item, offline.
func cmdRetag(e *env, args []string) int {
	fs := newFlagSet(e, "retag", "-config FILE")
	path := configFlag(e, fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(e, "retag", *path)
	if !ok {
		return exitUsage
	}
	tagger, err := topics.Compile(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
		return exitUsage
	}
	st, err := storage.Open(cfg.Storage.Path, storage.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord retag: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	start := time.Now()
	tty := isTerminal(e.stderr)
	progress := func(done, total int) {
		if tty {
			fmt.Fprintf(e.stderr, "\rretag: %d/%d items", done, total)
		}
	}
	changed, err := st.Retag(func(it *news.Item) []string { return tagger.Match(it, nil) }, progress)
	if tty {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord retag: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "retagged with %d topics: %d items changed (%s)\n",
		len(tagger.Topics()), changed, time.Since(start).Round(time.Millisecond))
	return exitOK
}

// cmdExplain shows which terms of a topic's query match a text or a stored
// item.
func cmdExplain(e *env, args []string) int {
	fs := newFlagSet(e, "explain", "-config FILE -topic ID (TEXT | -item KEY)")
	path := configFlag(e, fs)
	topicID := fs.String("topic", "", "topic `ID` whose query to explain")
	itemKey := fs.String("item", "", "a stored item: its numeric id, its feed entry id (tag:…:item/N), or SOURCE:KEY")
	full := fs.Bool("full", false, "print the whole query tree, every term")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	text := strings.Join(fs.Args(), " ")
	if *topicID == "" || (text == "") == (*itemKey == "") {
		fmt.Fprintln(e.stderr, "aggregatord explain: give -topic ID and either TEXT or -item KEY")
		fs.Usage()
		return exitUsage
	}
	cfg, ok := loadConfig(e, "explain", *path)
	if !ok {
		return exitUsage
	}
	tagger, err := topics.Compile(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
		return exitUsage
	}
	topic, ok := tagger.Topic(*topicID)
	if !ok {
		fmt.Fprintf(e.stderr, "aggregatord explain: no topic %q in %s\n", *topicID, *path)
		return exitUsage
	}
	item := news.Item{Title: text}
	if *itemKey != "" {
		st, err := storage.Open(cfg.Storage.Path, storage.Options{})
		if err != nil {
			fmt.Fprintf(e.stderr, "aggregatord explain: %v\n", err)
			return exitFailure
		}
		found, err := lookupItem(st, *itemKey)
		st.Close()
		if err != nil {
			fmt.Fprintf(e.stderr, "aggregatord explain: %v\n", err)
			return exitFailure
		}
		item = found
		fmt.Fprintf(e.stdout, "item %d (%s): %s\n", item.ID, item.Source, item.Title)
	}
	x := topic.Query.Explain(topics.NewDoc(&item))
	tree := x.Summary()
	if *full {
		tree = x.String()
	}
	fmt.Fprintf(e.stdout, "topic %s: %s\n%s", topic.ID, verdict(x.Match), tree)
	return exitOK
}

func verdict(match bool) string {
	if match {
		return "MATCHES"
	}
	return "does not match"
}

// lookupItem finds a stored item by numeric id, feed entry id, or
// SOURCE:KEY.
func lookupItem(st *storage.Store, key string) (news.Item, error) {
	idText := key
	if i := strings.LastIndex(key, ":item/"); i >= 0 {
		idText = key[i+len(":item/"):]
		if j := strings.IndexByte(idText, '/'); j >= 0 {
			idText = idText[:j]
		}
	}
	if id, err := strconv.ParseUint(idText, 10, 64); err == nil {
		it, ok, err := st.Item(id)
		if err != nil {
			return news.Item{}, err
		}
		if !ok {
			return news.Item{}, fmt.Errorf("no item with id %d", id)
		}
		return it, nil
	}
	source, k, found := strings.Cut(key, ":")
	if !found {
		return news.Item{}, fmt.Errorf("item %q: want a numeric id, an entry id, or SOURCE:KEY", key)
	}
	it, ok, err := st.ItemByKey(source, k)
	if err != nil {
		return news.Item{}, err
	}
	if !ok {
		return news.Item{}, fmt.Errorf("no item %q in source %q", k, source)
	}
	return it, nil
}
