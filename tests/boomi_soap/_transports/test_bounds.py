"""The sans-IO bounds both drivers apply: redirects, declared and decoded sizes, encodings, HTML."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest
from requests.structures import CaseInsensitiveDict

from boomi_soap._transports.bounds import CHUNK, BodyCap, Inflater, check_body, check_head
from boomi_soap.exceptions import RedirectRefusedError, ResponseError
from tests.scripted import bomb

URL = "http://127.0.0.1:9/api/soap/v1/acct"


def decode(encoding: str | None, data: bytes, step: int = 1000) -> bytes:
    inflater = Inflater(encoding, operation="get", attempts=1)
    pieces = [p for i in range(0, len(data), step) for p in inflater.feed(data[i : i + step])]
    return b"".join(pieces + list(inflater.finish()))


BODY = b"<x>" + b"payload " * 5000 + b"</x>"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        (None, BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("deflate", zlib.compress(BODY)),
        ("deflate", zlib.compress(BODY)[2:-4]),  # raw deflate, as some servers send it
        ("gzip, gzip", gzip.compress(gzip.compress(BODY))),
        ("deflate, GZIP", gzip.compress(zlib.compress(BODY))),
    ],
    ids=["none", "identity", "gzip", "x-gzip", "deflate", "raw-deflate", "gzip-twice", "deflate-then-gzip"],
)
def test_the_inflater_decodes_what_it_is_asked_for(encoding: str | None, data: bytes) -> None:
    assert decode(encoding, data) == BODY
    assert decode(encoding, data, step=1) == BODY  # byte by byte, as a dripping server sends it


@pytest.mark.parametrize("layers", [1, 2])
def test_a_bomb_is_decoded_in_bounded_pieces(layers: int) -> None:
    data = bomb(64 * 1024 * 1024, layers)
    inflater = Inflater(", ".join(["gzip"] * layers), operation="get", attempts=1)
    cap = BodyCap(1024 * 1024)
    pieces = 0
    for piece in inflater.feed(data):  # all of it at once: a decoder that inflated it whole would hold 64 MiB
        pieces += 1
        assert len(piece) <= CHUNK
        if not cap.add(piece):
            break
    assert not cap.add(b"")  # stopped past the cap
    assert pieces == 1024 * 1024 // CHUNK + 1
    assert len(cap.body()) <= 1024 * 1024 + CHUNK


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, compress"])
def test_an_encoding_not_asked_for_is_refused(encoding: str) -> None:
    with pytest.raises(ResponseError, match="answer in an encoding not asked for"):
        Inflater(encoding, operation="get", attempts=2)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "gzip, gzip"])
def test_a_body_not_in_its_claimed_encoding_is_refused(encoding: str) -> None:
    with pytest.raises(ResponseError, match="not in the Content-Encoding it claims"):
        decode(encoding, b"<x>plain, not compressed</x>")


def test_the_cap_counts_every_byte() -> None:
    cap = BodyCap(10)
    assert cap.add(b"12345")
    assert cap.room == 6
    assert cap.add(b"67890")
    assert not cap.add(b"!")
    assert cap.body() == b"1234567890!"


@pytest.mark.parametrize("make", [CaseInsensitiveDict, httpx.Headers], ids=["requests", "httpx"])
def test_the_head_is_judged_alike_from_either_library(make: type) -> None:
    check_head("get", 1, 200, make({"content-length": "100"}), URL, 100)
    with pytest.raises(ResponseError, match=r"answer larger than 100 bytes from http://127\.0\.0\.1:9/api"):
        check_head("get", 1, 200, make({"content-length": "101"}), URL, 100)
    with pytest.raises(RedirectRefusedError) as refused:
        check_head("get", 2, 302, make({"location": "https://u:hunter2@evil.example/x"}), URL, 100)
    assert (refused.value.status, refused.value.location, refused.value.attempts) == (
        302, "https://***@evil.example/x", 2,
    )  # fmt: skip
    assert "hunter2" not in str(refused.value)


def test_an_html_page_is_not_an_answer() -> None:
    check_body("get", 1, 500, b"<S:Envelope/>", URL)
    with pytest.raises(ResponseError, match=r"HTTP 502: not a SOAP answer \(HTML\) from http://127"):
        check_body("get", 1, 502, b"\n  <!DOCTYPE html><html></html>", URL)
