"""A rendering as the page cache keeps it: the bytes, their ETag, and each encoding made
once, for the first request that accepts it (gzip, and brotli when the `brotli` package is
present), so later requests only pick the bytes their `Accept-Encoding` allows and a page
only the static copy asks for is never compressed in memory.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

try:  # brotli is optional: gzip alone is fine, brotli only saves a few more bytes
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the installation
    _brotli = None


# Not worth compressing: the headers would outweigh the saving.
MIN_COMPRESS = 256
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml")
_COMPRESSIBLE_SUFFIX = ("+xml", "+json")


def compressible(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip()
    return (
        base.startswith(_COMPRESSIBLE)
        or base.endswith(_COMPRESSIBLE_SUFFIX)
        or (base == "image/svg+xml")
    )


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp), so the same page gives the same bytes and ETag."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _tag(data: bytes, suffix: str = "") -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + suffix + '"'


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    status_code: int = 200
    last_modified: datetime | None = None  # sent as Last-Modified (feeds)
    language: str | None = None  # sent as Content-Language (pages, feeds, badges)
    # Content-Encoding -> (bytes, ETag); each made once, for the first request accepting it.
    encoded: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    compress: bool = False  # worth compressing (big enough, a text type)

    @classmethod
    def of(
        cls,
        body: str | bytes,
        media_type: str,
        status_code: int = 200,
        last_modified: datetime | None = None,
        language: str | None = None,
    ) -> Rendered:
        data = body.encode() if isinstance(body, str) else body
        return cls(
            body=data,
            media_type=media_type,
            status_code=status_code,
            etag=_tag(data),
            last_modified=last_modified,
            language=language,
            compress=len(data) >= MIN_COMPRESS and compressible(media_type),
        )

    def _encoded(self, coding: str) -> tuple[bytes, str]:
        """The body in `coding`, compressed on first use and kept."""
        if coding not in self.encoded:
            plain = self.etag[1:-1]
            if coding == "br":
                self.encoded[coding] = (_brotli.compress(self.body, quality=9), f'"{plain}-br"')
            else:
                self.encoded[coding] = (gzip_bytes(self.body), f'"{plain}-gz"')
        return self.encoded[coding]

    def for_encoding(self, accept_encoding: str | None) -> tuple[bytes, str, str | None]:
        """(body, ETag, Content-Encoding) for a request's `Accept-Encoding`."""
        if self.compress and accept_encoding:
            accepted = _accepted(accept_encoding)
            for coding in ("br", "gzip"):
                if coding in accepted and (coding == "gzip" or _brotli is not None):
                    body, etag = self._encoded(coding)
                    return body, etag, coding
        return self.body, self.etag, None


def _accepted(header: str) -> set[str]:
    """Codings a client accepts (q > 0); `*` stands for both."""
    found: set[str] = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if name == "*":
            found.update(("gzip", "br"))
        elif name in ("gzip", "x-gzip"):
            found.add("gzip")
        elif name:
            found.add(name)
    return found
