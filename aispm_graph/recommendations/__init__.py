"""Posture checks on AI resources, declared as data and prioritised by the attack paths."""
