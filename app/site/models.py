"""One row about the deployment itself: the page id Statuspage clients are configured with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.lib.clock import utcnow

SITE_ROW = 1


class Site(Base):
    """Exactly one row (id 1). The page id is chosen once and never derived again, so no
    setting (secret key, base URL) can change it under the integrations that use it."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
