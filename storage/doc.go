/*
Package storage keeps aggregatord's items, indexes and per-source fetch
state in one bbolt file.

# Using it

Open the file once per process and share the *Store: every method is safe
for concurrent use. Readers never block writers or each other. Writes are
committed in groups: a write (SaveFetch, PutSourceState, a batch of Prune
or Retag) that arrives while another is being committed waits for it, and
is then committed together with every other write that arrived meanwhile,
in one transaction: one fsync for all of them, and a page that several
change is written once. Each write still succeeds or fails on its own: if
one fails, the group is rolled back and each write is committed alone.

	st, err := storage.Open("aggregatord.db", storage.Options{})
	if errors.Is(err, storage.ErrLocked) { ... another process has it ... }
	defer st.Close()
	st.SetStories(storage.Stories{Enabled: true, Window: 72 * time.Hour}) // [dedupe]

	res, err := st.SaveFetch(state, items) // one fetch of one source, one write transaction
	page, next, err := st.Latest(storage.SourceIndex("rudaw"), "", 50)

# Items and copies

An item is one article. Within a source it is identified by (Source, Key);
across sources by its canonical link. When a second source (or the same
source under another key) delivers an item whose Link is already stored, the
store does not create a second item: it records a copy. Every copy is kept
in full (its own title, summary, content, dates, hash, tags and topics), so
that

  - the item can be shown as its earliest copy and, when that copy is
    pruned, as the next one, with that copy's own text;
  - a source's own index presents the item as that source's copy;
  - an edit to one source's copy changes only that copy.

A news.Item returned by the store is a view of one copy: Source, Key, GUID,
Link, Title, Summary, Content, Authors, Categories, Language, Published and
Hash come from the copy; ID, FirstSeen and Updated belong to the item; Tags
are the union over all copies (first appearance first), Topics their sorted
union; Copies lists every copy, earliest Published first. Everywhere except
a source index the view is of the shown copy, Copies[0]. In
IndexSource(name), and from ItemByKey, it is of that source's copy. When
stories are on, StoryID, Story and Updated also describe the item's story
(next section).

# Stories

Several outlets carrying the same wire story publish different items (each
with its own link) whose text is nearly the same. With Stories.Enabled, such
items form a story, shown once. The similarity measure is package stories:
every copy stored gets the stories.Fingerprint sketch of its title and lead
text (whether grouping is on or not), and an item is described by its shown
copy's sketch.

When SaveFetch creates a new item (rule 3 below, not a copy of a known
link) and grouping is on, the item looks for its story among the items
that

  - have a groupable sketch sharing a key with its own (stories.Sketch.Keys),
    found through the near index: under each key, the 8 entries nearest
    in time on either side; of all those, the 16 that share the most
    specific keys (each key weighs 1/entries read under it) are compared.
    A common phrase shared by thousands of items therefore costs no more
    than a rare one, and the cost of a new item depends neither on the
    size of the store nor on how many items the window holds;
  - were published (shown copy) at most Stories.Window before or after it;
  - are at least Stories.Threshold similar to it (stories.Similarity);
  - have no copy from its source, and are in no story that has one: a
    story holds one item per source.

It joins the story of the best of them (highest similarity, then earliest
Published, then lowest ID); a candidate in no story starts one, whose id is
the candidate's item ID. Without a candidate the item is in no story. An
item's story is decided once, when it is stored: a later edit of its text,
a retag or a change of settings does not move it, and stories never merge.
Items are stored in the order given, so the same fetches in the same order
give the same stories, in any process.

A story's leader is its member whose shown copy was published first (lowest
ID among equals). It changes when an earlier item joins, when a member's
shown copy changes and when the leader is pruned; the indexes follow in the
same transaction. With grouping on:

  - IndexAll lists each story once, as its leader, and every item in no
    story; IndexTopic(t) lists, the same way, the stories one of whose
    members has topic t (a story is in a topic if any member is);
  - IndexSource(s) is unchanged: every item s carried, as s's copy;
  - every member of a story with company has StoryID set and Story listing
    the copies of the other members (earliest member first), and its
    Updated is at least the time the story last gained or lost a member
    or changed leader.

Grouping off, new items join no story and reads present none: IndexAll and
IndexTopic list every item and StoryID and Story stay empty. The stories
already stored are kept and presented again when grouping is turned back
on. Turning it on or off advances Generation. Count counts items either
way.

# SaveFetch: the dedupe rules

For each incoming item, in the order given, in one write transaction:

 1. (Source, Key) known: if the Hash equals the stored copy's Hash the item is
    a Duplicate; only a change of Tags or Topics is written. Otherwise the
    copy's content is replaced (its Published too, which may reorder the
    copies and so change the shown copy), the item's Updated becomes
    max(incoming Updated, Now) and the item counts as Updated. ID and
    FirstSeen never change, with one exception: a copy whose Link changes
    to a link another item holds moves to that item (one canonical link is
    one item), leaving its old item, which is deleted if it has no copy
    left.
 2. Link known (another source's item, or this source's under another key):
    a copy is added, placed after every copy with an earlier or equal
    Published, so it becomes the shown copy only when strictly earlier (and
    then the item's Updated moves to Now, as its visible content changed).
    (Source, Key) now maps to that item. Counts as Duplicate.
 3. Otherwise a new item: ID from the items bucket's sequence, FirstSeen =
    the caller's or Now, Updated = the caller's or Published. Counts as New.

A (Source, Key) seen earlier in the same batch is a Duplicate and the later
occurrence is ignored: the first one wins (feeds list newest first).
SaveResult.Changed holds the New and Updated items as stored at commit.

# Buckets and key layouts

All integers are big-endian, so byte order is numeric order.

	meta          "schema"      -> uint32 schema version (currently 3)
	              "last_change" -> int64 UnixNano of the last change to items
	items         id (8 bytes)  -> record: version byte 0x01 + JSON (see record.go)
	              bucket sequence = last ID handed out
	keys          source 0x00 key -> item id (8 bytes)
	links         canonical link  -> item id (8 bytes)
	sources       source name     -> JSON news.SourceState
	idx_all       ikey -> empty           (sequence = number of entries)
	idx_source    source name -> bucket { ikey -> empty } (sequence = entries)
	idx_topic     topic id    -> bucket { ikey -> empty } (sequence = entries)
	idx_lead      ikey -> empty           (sequence = number of entries)
	idx_lead_topic topic id   -> bucket { ikey -> empty } (sequence = entries)
	stories       story id (8) ikey     -> empty  (sequence = entries)
	sketches      id (8)       -> encoded sketch (sequence = entries)

The near index (sketch key -> the items whose shown copy's sketch has
that key, with their Published) is not in the file: it is held in memory
(16 bytes per key, 12 keys per item), rebuilt by Open from idx_all and
sketches, and changed with every committed write transaction. It keeps
the items published within Stories.Window + NearKeep before the newest
item that is not in the future; a new item whose window reaches back
before that (a late item, a feed's backlog) also compares the items there
it finds through idx_all, up to 5,000 nearest in time on each side.
Keeping it in the file cost a
dozen random B-tree inserts per new item, which made each transaction
rewrite pages all over a large bucket.

A record holds, besides the copies, the item's story id (0: none) and, on a
story's leader only, the lead flag, the sorted union of the members' topics
and the time the story last changed. Each copy holds its encoded sketch.

An ikey is 16 bytes: the time as UnixNano with the sign bit flipped (so
negative times sort first), then the item ID. A bbolt cursor walked
backwards from the end therefore yields newest first, and items published at
the same instant come out highest ID first. A Cursor is the base64url
(unpadded) encoding of an ikey; scanning resumes strictly below it.

Keys and links longer than 512 bytes are replaced in the keys and links
buckets by 0xFF "sha256:" and the hex SHA-256 of the whole string (0xFF never
occurs in UTF-8, so such a key cannot collide with a real one). Keys, links
and GUIDs are made valid UTF-8 before use.

# Invariants (verified by Check)

  - Every item has at least one copy; copies are ordered by Published
    (non-decreasing); a (Source, Key) appears once in the store.
  - keys[(s, k)] = id exactly when item id has a copy (s, k).
  - links[l] = id exactly when item id has a copy with Link l: all copies
    of one canonical link are in one item.
  - idx_all holds one entry per item, at Copies[0].Published.
  - idx_source/s holds one entry per item with a copy from s, at the
    Published of the earliest such copy.
  - idx_topic/t holds one entry per item whose Topics contain t, at
    Copies[0].Published.
  - idx_lead holds one entry per item that is in no story or leads one, at
    Copies[0].Published; idx_lead_topic/t one per such item whose topics
    (for a leader: the union of its story's topics) contain t.
  - stories holds one entry per item in a story: story id, then the ikey
    at Copies[0].Published, so a story's members are a key range in
    leader-first order.
  - Every story has exactly one leader, its first member in that order;
    the leader carries the union of the members' topics and a story time;
    no other item carries either.
  - the in-memory near index holds, for each item whose shown copy has a
    groupable sketch and was published at or after its horizon, one entry
    per key of that sketch (stories.Sketch.Keys) at Copies[0].Published,
    and nothing else; sketches holds that sketch under the item's id.
    Stored sketches parse.
  - Each index bucket's sequence equals its number of entries, which is how
    Count and CountSource answer without walking the bucket. Empty
    per-source and per-topic buckets are deleted.
  - Index entries change in the same transaction as the record they
    describe.

# Schema versions

Open writes the current schema version into a new file. A file with an
older version is migrated inside one write transaction, step by step, before
Open returns. Version 2 added stories: migrating a version 1 file copies
idx_all to idx_lead and idx_topic to idx_lead_topic (nothing is grouped
yet); the items it held have no sketches and are never grouped. Version 3 moved
the near index into memory: migrating deletes the near bucket. A file with a newer version is refused with an error wrapping
ErrNewerSchema; it is not modified. A bbolt file that has buckets but no meta
bucket is refused with ErrNotStore.

# Change tracking

Generation is an in-memory counter, 0 after Open, incremented after every
committed transaction that changed an item (including index-only changes
such as a new copy or a retag). LastChange is the time of the last such
change, persisted in meta so it survives a restart; combine the two when
building HTTP validators. Writing only a source's fetch state changes
neither.

# Pruning and retagging

Prune and Retag work in batches (500 and 256 items) of one write transaction
each, so fetches can commit between batches. Prune first removes every copy
published before now-retention (an item whose earliest copy is that old is
found through idx_all), then, per source whose index holds more than
maxPerSource items, that source's copies of its oldest items. Removing the
shown copy promotes the next one; removing the last copy deletes the item,
its keys, links and index entries.

Retag calls fn once for every copy of every item (for most items: once),
with the item as that copy presents it, and stores the returned topics on
the copy; the item's Topics (and topic index entries) follow, and so do its
story's topics. Stories themselves do not depend on topics.

Pruning a story's member removes it from the story; pruning its leader
makes the next member the leader. A story left with one member shows no
company (StoryID 0).

# Caveats

  - Only one process may open the file. bbolt takes an exclusive flock;
    Open waits Options.Timeout for it and then fails with an error wrapping
    ErrLocked. The lock belongs to the open file description, so a second
    Open in the same process is refused too.
  - Times outside what an int64 of nanoseconds can hold (before 1678, after
    2262) are clamped to that range when stored.
  - Items are deleted by Prune only. An item that a feed still carries after
    Prune removed it comes back as New on the next fetch; callers should drop
    items published before now-retention before SaveFetch.
  - Source state is never deleted: a source removed from the config keeps
    its state, and its items until they are pruned.
  - Functions passed to Scan and Retag run inside a bbolt transaction: they
    must not call methods of the same Store (a write would deadlock).
  - Check reads the whole file; it is meant for tests and repair tools, not
    for a request path.
  - A story is never re-evaluated: an item stored while grouping was off,
    or before a near duplicate that would have been its better match
    arrived, keeps its place. Items stored by schema 1 are never grouped.
  - Reading a story member costs one record decode per member of its
    story (members are read to list their copies).
*/
package storage
