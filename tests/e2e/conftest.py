"""The fixtures the UI test shares with the API's integration tests: the enrichment models, a migrated
database and Redis names of its own, and the session's seeded data set the real pipeline wrote."""

from tests.integration.api.conftest import keys
from tests.integration.api.seed import seeded
from tests.integration.conftest import enricher, migrated

__all__ = ["enricher", "keys", "migrated", "seeded"]
