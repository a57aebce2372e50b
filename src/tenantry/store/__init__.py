"""Storage: the only package that imports SQLAlchemy. It implements the domain repository Protocols."""
