"""The comms JSON API, one module per topic (the HTTP layer: only these and `pages` import Litestar)."""
