//! Numbers as Chinese news text writes them.
