"""The HTTP plumbing of accounts: the route guard, desk sessions and CSRF, the admin page helpers."""
