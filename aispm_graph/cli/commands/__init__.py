"""One module per command or command family; each registers itself on import."""
