"""The comms desk pages at /admin, one module per topic."""
