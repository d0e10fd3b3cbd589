"""Where the versioned site files live: beside the package, in the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
THEMES = ROOT / "themes"
STATIC = ROOT / "static"
MIGRATIONS = ROOT / "migrations"
# gettext catalogues: locale/<language>/LC_MESSAGES/messages.po, read as they are (no build step).
LOCALE = ROOT / "locale"
