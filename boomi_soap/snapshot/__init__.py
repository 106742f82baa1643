"""Where the contract comes from: fetch, the pinned cache, the schema, drift."""
