"""The HTTP plumbing of accounts: the route guard, desk sessions and CSRF, admin page helpers."""
