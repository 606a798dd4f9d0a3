"""BrandPulse's shared core: settings, the stream contract, store clients, the local stack."""
