"""The in-memory graph and its file formats."""

from aispm_graph.graph.model import Confidence, EdgeData, Graph, NodeData

__all__ = ["Confidence", "EdgeData", "Graph", "NodeData"]
