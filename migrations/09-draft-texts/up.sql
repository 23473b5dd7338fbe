-- draftwatch schema, version 8: what a draft's annotation and own text say (issue #12).
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds). Full texts live here,
-- apart from `drafts`, so the ordinary draft queries never read them.

-- The text links each view's detail page showed when it was last read. One draft seen through
-- several views (participation, legal acts) has a row per view; the draft's links are taken
-- from its oldest view row that has them, so two views never make the links flip every poll.
-- `links` is a JSON object {"annotation": url|null, "preview": url|null, "attachments": [url]}.
CREATE TABLE draft_text_links (
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    links       TEXT NOT NULL CHECK (json_valid(links) AND json_type(links) = 'object'),
    first_seen  TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (source, external_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX draft_text_links_draft ON draft_text_links (draft_id);

-- One row per draft whose texts were wanted: the links to read (`links`, same JSON shape,
-- NULL when no view shows any), the links the stored texts were read from (`fetched_links`,
-- NULL until the first attempt), the texts of the newest version, and the last attempt's
-- failures. A draft needs its texts when `links` differs from `fetched_links`, or when the last
-- attempt failed and `retry_after` has passed (back-off doubles with `failed_attempts`).
CREATE TABLE draft_texts (
    draft_id        INTEGER PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    links           TEXT CHECK (links IS NULL OR json_valid(links)),
    fetched_links   TEXT CHECK (fetched_links IS NULL OR json_valid(fetched_links)),
    fetched_at      TEXT,
    -- Consecutive attempts with a failure; 0 after a complete read.
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    -- When a failed attempt may be repeated; NULL when nothing failed.
    retry_after     TEXT,
    -- The last attempt's failures: [{"url", "error"}]; '[]' when every document was read.
    failures        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(failures)),
    -- URLs whose text was cut at max_text_bytes on the last attempt: [url].
    truncated       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(truncated)),
    -- The annotation's 8.1.N items: [{"number", "label", "answer", "explanation"}].
    impacts         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(impacts)),
    -- The long texts come last: a column after them would be reached only by walking their
    -- overflow pages, and the queries that pick drafts read only the columns above.
    -- The annotation's answers and free text (never the form's labels).
    annotation      TEXT,
    -- The draft's own text (structuralizer preview, DOCX, PDF), cut at max_text_bytes.
    document        TEXT
) STRICT;

-- The drafts whose texts may need reading (new links, or a failed attempt to repeat): what
-- each poll's text phase looks for, without visiting the rows read long ago (nearly all).
CREATE INDEX draft_texts_wanted ON draft_texts (draft_id)
    WHERE links IS NOT NULL AND (fetched_links IS NOT links OR retry_after IS NOT NULL);
