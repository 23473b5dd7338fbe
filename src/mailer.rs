//! Mail delivery (stub: replaced by the digest work).
