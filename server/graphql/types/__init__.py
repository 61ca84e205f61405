"""GraphQL object types; each converts a domain object with `from_domain`."""
