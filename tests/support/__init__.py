"""Plain helpers that tests import: factories, real peers, the live server, polling.

No fixtures live here: fixtures are in the conftest.py files, so that pytest finds them
without a test module importing another.
"""
