"""Which local row each imported source object became, so a second run adds no duplicate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.lib.clock import utcnow


class ImportMapping(Base):
    """One source object (a group, component, incident or update of a source page) and the
    Tidings row made from it. `fingerprint` hashes what was imported, so a later run can tell
    an unchanged object from a changed one without comparing field by field."""

    __tablename__ = "import_mappings"

    # The source page: its Statuspage page id when it has one, else its base URL.
    source: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Source ids are Statuspage's 12 characters, but pages serving the same shapes use
    # longer ones (ULIDs, UUIDs).
    source_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(12))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
