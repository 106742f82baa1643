"""Hardened XML parsing and redaction: the base every layer reads XML through."""
