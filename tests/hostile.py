"""Hostile XML shared by the tests of every parser (validate, answers, fetch, CLI)."""

from __future__ import annotations

HOSTILE: dict[str, bytes] = {
    "external-entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "billion-laughs": (
        b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b"<x>&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;</x>"
    ),
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>',
    "deep-nesting": b"<a>" * 10_000 + b"</a>" * 10_000,
    "huge-text": b"<a>" + b"x" * (50 * 1024 * 1024) + b"</a>",
    "invalid-utf8": b'<?xml version="1.0" encoding="UTF-8"?><a>\xff\xfe\xfd</a>',
}
