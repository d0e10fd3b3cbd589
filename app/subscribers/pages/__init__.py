"""The subscribers' HTML pages: self-service, customer, channel test, desk, and helpers."""
