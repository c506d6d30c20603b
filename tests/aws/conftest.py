"""Fixtures for the AWS tests; the implementations live in :mod:`aws_moto`."""

from __future__ import annotations

from tests.aws.aws_moto import demo, moto_env

__all__ = ["demo", "moto_env"]
