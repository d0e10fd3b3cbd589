"""Reading an HTTP answer whose size, once decompressed, is capped while it streams.

A few kilobytes of brotli, or a megabyte of gzip, inflate to a gigabyte. An HTTP client's own
decompression decodes each network chunk whole, in one call, so a single chunk of brotli
becomes a gigabyte in memory before any size check sees it. Here the body is read raw (the
guarded client never decompresses) and inflated at most `STEP` bytes per call, and reading
stops as soon as the total passes the cap: memory stays at the cap plus one step, whatever
the server sends.

Only the encodings asked for (`ACCEPT_ENCODING`) are read; one the server chose anyway is
refused rather than handed to a decoder with no limit.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, Iterator
from typing import Protocol

import brotli

ACCEPT_ENCODING = "gzip, deflate, br"
STEP = 64 * 1024  # the most one decompression call may produce


class BodyRefused(Exception):
    """The body was not read; the message completes "the document ...", for a report."""


class _Inflater(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> Iterator[bytes]:
        yield from ()


class _Zlib:
    """gzip, or deflate: zlib-wrapped as RFC 9110 says, or raw as some servers send it."""

    def __init__(self, wbits: int) -> None:
        self._decompressor = zlib.decompressobj(wbits)
        self._raw_fallback = wbits == zlib.MAX_WBITS
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._decompressor.decompress(data, STEP)
            except zlib.error:
                if self._started or not self._raw_fallback:
                    raise
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                self._raw_fallback = False
                continue
            self._started = True
            if out:
                yield out
            data = self._decompressor.unconsumed_tail
            # A full step may leave output pending inside zlib with no input left.
            if not data and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        # What is left after the last full step is at most one match (258 bytes).
        yield self._decompressor.flush()


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield self._decompressor.process(data, output_buffer_limit=STEP)
        # Past the limit, brotli keeps the rest and must be drained with empty input.
        while not self._decompressor.can_accept_more_data():
            yield self._decompressor.process(b"", output_buffer_limit=STEP)

    def finish(self) -> Iterator[bytes]:
        yield from ()


def _inflater(encoding: str) -> _Inflater:
    codings = [c.strip() for c in encoding.lower().split(",") if c.strip() not in ("", "identity")]
    if not codings:
        return _Identity()
    if codings in (["gzip"], ["x-gzip"]):
        return _Zlib(zlib.MAX_WBITS | 16)
    if codings == ["deflate"]:
        return _Zlib(zlib.MAX_WBITS)
    if codings == ["br"]:
        return _Brotli()
    raise BodyRefused(f"is sent with a content encoding that was not asked for ({encoding})")


async def read_capped(chunks: AsyncIterable[bytes], *, encoding: str, max_bytes: int) -> bytes:
    """A body streamed raw as `chunks` and sent with Content-Encoding `encoding`, decompressed,
    or BodyRefused once it passes `max_bytes` (decompressed) or does not decompress."""
    inflater = _inflater(encoding)
    compressed = not isinstance(inflater, _Identity)
    body = bytearray()
    try:
        async for raw in chunks:
            for piece in inflater.feed(raw):
                body += piece
                if len(body) > max_bytes:
                    raise BodyRefused(_too_large(max_bytes, compressed=compressed))
        for piece in inflater.finish():
            body += piece
    except (zlib.error, brotli.error):
        raise BodyRefused(f"is not valid {encoding} (it does not decompress)") from None
    if len(body) > max_bytes:
        raise BodyRefused(_too_large(max_bytes, compressed=compressed))
    return bytes(body)


def _too_large(max_bytes: int, *, compressed: bool) -> str:
    if compressed:
        return f"inflates to more than {max_bytes:,} bytes, the most one document may hold"
    return f"is larger than {max_bytes:,} bytes"
