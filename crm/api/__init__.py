"""The JSON API (/api/v1/, issue #19): tokens, authentication, resources, the description."""
