"""Wording: message templates, their sandbox and render pool, tone rules, examples and defaults."""
