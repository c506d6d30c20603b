"""Provider-specific logic that is more than a transform: collectors and policy evaluators."""
