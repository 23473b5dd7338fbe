-- draftwatch schema, version 4: re-checking followed drafts, unreadable deadlines, drafts gone
-- from the portal, and poll warnings.
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds).

-- When the detail page was last requested, read or not. Followed drafts with open windows are
-- re-checked through their detail page least recently checked first.
ALTER TABLE drafts ADD COLUMN detail_checked_at TEXT;
UPDATE drafts SET detail_checked_at = detail_fetched_at;

-- The portal's deadline text when it is not two valid dates ("32.13.2026."); window_from/to
-- are then NULL and partners are told "termiņš nav nolasāms".
ALTER TABLE drafts ADD COLUMN unreadable_deadline TEXT;

-- When the draft's detail page answered 404/410 while its window was open: the draft was
-- withdrawn from the portal. NULL while it is there.
ALTER TABLE drafts ADD COLUMN vanished_at TEXT;

-- Things the admin should know about a poll that did not fail it (a page that looks cut
-- short, an unreadable deadline, the poll deadline reached): a JSON array of texts.
ALTER TABLE polls ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(warnings) AND json_type(warnings) = 'array');
