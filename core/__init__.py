"""Domain and use cases of stockbot. Pure Python: no framework, driver or ORM imports."""
