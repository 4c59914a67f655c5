""" "Unsere Initiative": the self-service portal of an initiative's representatives (editors)."""
