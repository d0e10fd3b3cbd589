"""Bounded integers for request fields: a number the database cannot store is bad input.

SQLite and PostgreSQL keep integers in 64 (or 32) bits; an unbounded `int` from a request
would reach the database and fail there as a server error instead of a clear 422.
"""

from typing import Annotated

import msgspec

Position = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
MAX_OFFSET = 1_000_000
MAX_PAGE = 10_000
