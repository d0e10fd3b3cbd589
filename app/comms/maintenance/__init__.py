"""Maintenance windows planned from the desk, with their words approved in advance."""
