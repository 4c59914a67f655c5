"""The self-service portal "Unsere Initiative" of an initiative's representatives (editors)."""
