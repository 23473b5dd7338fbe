-- draftwatch schema, version 6: one sender at a time per pending digest.
--
-- A pending digest can be due for two jobs at once (the daemon's every-minute retry and a
-- scheduled digest run, or the daemon and `draftwatch digest`); each used to send it, so the
-- partner got two copies. A job now claims the entry before sending it: the claim is taken
-- with one UPDATE that succeeds only when nobody holds a live claim, and it is a lease, so a
-- sender that crashed never leaves the digest stuck: once `claimed_until` has passed, or at
-- once when the claiming process is known to be gone, another job takes it over (and sends
-- it with the same Message-ID).

-- The process id of the claimant (the database is on a local disk, so it runs on this
-- machine); NULL when unclaimed.
ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;
-- When the claim lapses (UTC RFC 3339, as every instant); NULL when unclaimed.
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
