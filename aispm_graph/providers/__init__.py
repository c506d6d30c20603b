"""Provider libraries: collectors and provider data that transforms and derivers share."""
