"""What outsiders read: the status pages, the embeds and the feeds."""
