"""Status pages: one per client, public or behind a secret link."""
