"""Where the versioned site files live: beside the package, in the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
THEMES = ROOT / "themes"
STATIC = ROOT / "static"
MIGRATIONS = ROOT / "migrations"
