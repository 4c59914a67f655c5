"""Links between records: memberships, affiliations, initiative roles, relationships."""
