"""Import a Statuspage page (or any page serving its public v2 JSON) into Tidings.

fetch (HTTP) -> parse (pure: untidy JSON to clean source records) -> plan (what is new or
changed, against the stored mapping of source ids) -> apply (write rows, no deliveries).
"""
