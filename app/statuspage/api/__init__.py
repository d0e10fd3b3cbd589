"""The Statuspage-compatible HTTP APIs: the public status API v2 and the manage API v1."""
