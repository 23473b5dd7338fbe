//! Digests (stub: replaced by the digest work).
