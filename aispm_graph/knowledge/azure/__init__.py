"""Azure knowledge: ARM id arithmetic, built-in role definitions, directory principals."""
