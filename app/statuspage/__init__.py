"""Statuspage compatibility: its JSON shapes and APIs, and moving a page in from it."""
