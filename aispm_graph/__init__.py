"""aispm-graph: AI security posture management as a graph of cloud resources and attack paths."""

__version__ = "0.1.0"
