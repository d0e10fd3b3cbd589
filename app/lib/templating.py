"""The Jinja2 environment of the pages and the emails: trusted, versioned templates.

It knows nothing of HTTP, so the web renders pages with it and the worker renders emails.

A theme folder (`themes/<name>/`) may hold `templates/` that shadow the defaults and a
`theme.css` served after the base stylesheet. Untrusted, user-editable templates never use
this environment; they render in the sandbox of `app.comms`.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.lib.clock import in_zone
from app.lib.paths import TEMPLATES, THEMES
from app.lib.text import markdown_to_safe_html


class Renderer:
    def __init__(self, *, theme: str, zone: ZoneInfo, globals_: dict[str, Any]) -> None:
        theme_dir = THEMES / theme
        if not theme_dir.is_dir():
            theme_dir = THEMES / "default"
        self.theme_dir = theme_dir
        meta_path = theme_dir / "theme.toml"
        self.theme_meta = tomllib.loads(meta_path.read_text()) if meta_path.exists() else {}
        loaders = [FileSystemLoader(theme_dir / "templates"), FileSystemLoader(TEMPLATES)]
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.zone = zone
        self.env.globals.update(globals_)
        self.env.globals["theme"] = {"name": theme_dir.name, **self.theme_meta}
        self.env.filters["local"] = self.local
        self.env.filters["markdown"] = lambda text: Markup(markdown_to_safe_html(text or ""))
        self.env.filters["duration"] = human_duration

    def local(self, value: datetime | None, fmt: str = "%b %d, %H:%M %Z") -> str:
        if value is None:
            return ""
        return in_zone(value, self.zone).strftime(fmt)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
