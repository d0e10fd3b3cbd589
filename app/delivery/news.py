"""The worker's own view of an update: what a message is built from.

Built here from the update and incident rows the batch read, not from the public page's
view models, so that the pages and the messages can change apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.incidents.models import Incident, Update


@dataclass(frozen=True)
class News:
    """One published update of one incident, as the worker is about to tell it."""

    incident: Incident
    update: Update
