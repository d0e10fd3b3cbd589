"""The site's own identity: facts about this deployment that are created once and stored."""
