"""The subscribers' HTML pages: self-service, customer, channel test and desk pages, and their helpers."""
