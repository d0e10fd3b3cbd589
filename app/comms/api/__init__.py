"""The comms JSON API, one module per topic."""
