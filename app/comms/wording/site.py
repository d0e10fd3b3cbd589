"""The deployment as comms services see it, built at the HTTP edge from the settings.

Services never see `Settings`; the adapters that call them (the desk's API and pages, and
the triage of alerts) hand them a `wording.Site` made here.
"""

from __future__ import annotations

from app.comms.wording.templates import Site
from app.delivery.channels import sms
from app.delivery.messages import update_email_preview
from app.lib.templating import Renderer
from app.settings import Settings


def site_for(settings: Settings, renderer: Renderer | None = None) -> Site:
    """The deployment as comms services see it; with the site's renderer, email previews
    come from the same templates the delivery worker sends."""
    return Site(
        base_url=settings.base_url,
        page_name=settings.page_name,
        zone=settings.zone,
        email=update_email_preview(renderer, settings) if renderer else None,
        sms=sms.preview(renderer, settings) if renderer else None,
        language=settings.language,
    )
