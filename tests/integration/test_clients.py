"""Each store is the real thing: RedisBloom on Redis, PostgreSQL through asyncpg, the ES-API server."""

from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_redisbloom_reserve_add_and_check(redis: Redis, unique: str) -> None:
    key = f"test:bloom:{unique}"
    try:
        assert await redis.bf().reserve(key, 0.001, 1000)
        assert await redis.bf().madd(key, "a", "b", "a") == [1, 1, 0]
        assert await redis.bf().mexists(key, "a", "b", "never-added") == [1, 1, 0]
    finally:
        await redis.delete(key)


async def test_redis_persists_with_append_only_file_every_second(redis: Redis) -> None:
    config = await redis.config_get("append*")
    assert (config["appendonly"], config["appendfsync"]) == ("yes", "everysec")


async def test_postgres_answers_through_asyncpg(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = await connection.scalar(text("SHOW server_version_num"))
        driver = connection.dialect.driver
        timeout = await connection.scalar(text("SHOW statement_timeout"))
    assert int(str(version)) >= 150000
    assert driver == "asyncpg"
    assert timeout == "30s"


async def test_elasticsearch_health_and_index_round_trip(es: AsyncElasticsearch, unique: str) -> None:
    index = f"test-roundtrip-{unique}"
    health = await es.cluster.health()
    assert health["status"] in {"green", "yellow"}
    try:
        await es.indices.create(index=index, mappings={"properties": {"title": {"type": "text"}}})
        await es.index(index=index, id="m1", document={"title": "Acme launches a rocket"}, refresh="wait_for")
        assert (await es.get(index=index, id="m1"))["_source"]["title"] == "Acme launches a rocket"
        hits = (await es.search(index=index, query={"match": {"title": "rocket"}}))["hits"]["hits"]
        assert [hit["_id"] for hit in hits] == ["m1"]
    finally:
        await es.indices.delete(index=index, ignore_unavailable=True)
