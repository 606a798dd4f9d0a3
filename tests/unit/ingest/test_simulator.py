"""The simulator: reproducible, valid mentions that name their brands, with the configured mix of
sentiments, duplicates, cross-posts, authors and stories; `stream` paced by its token bucket."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from brandpulse.contract import Mention
from ingest.sources.simulator import PEOPLE, PLACES, SOURCES, SimBrand, SimulatedMentions, stream

BRANDS = (SimBrand(1, "Acme"), SimBrand(2, "Globex"), SimBrand(3, "Initech"))
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def take(simulator: SimulatedMentions, count: int, step_s: float = 0.0) -> list[Mention]:
    """`count` mentions, the clock moving `step_s` between them."""
    return [simulator.next(NOW + timedelta(seconds=n * step_s)) for n in range(count)]


def dump(mentions: list[Mention]) -> list[dict[str, object]]:
    return [mention.model_dump() for mention in mentions]


def test_the_same_seed_gives_the_same_mentions() -> None:
    first = take(SimulatedMentions(BRANDS, seed=42), 500, step_s=1)
    second = take(SimulatedMentions(BRANDS, seed=42), 500, step_s=1)
    assert dump(first) == dump(second)


def test_different_seeds_give_different_mentions() -> None:
    first = take(SimulatedMentions(BRANDS, seed=1), 50)
    second = take(SimulatedMentions(BRANDS, seed=2), 50)
    assert [m.text for m in first] != [m.text for m in second]


def test_no_seed_draws_one_that_replays_the_run() -> None:
    simulator = SimulatedMentions(BRANDS)
    replay = SimulatedMentions(BRANDS, seed=simulator.seed)
    assert dump(take(simulator, 100)) == dump(take(replay, 100))


def test_every_mention_is_complete_and_names_its_brands() -> None:
    names = {brand.id: brand.name for brand in BRANDS}
    for mention in take(SimulatedMentions(BRANDS, seed=3), 2000):
        assert mention.source in SOURCES
        assert mention.brand_ids
        content = f"{mention.title} {mention.text}"
        assert all(names[brand_id] in content for brand_id in mention.brand_ids)
        assert mention.text
        assert mention.author
        assert mention.lang == "en"
        assert (mention.url or "").startswith("https://")
        assert mention.fetched_at == NOW
        assert NOW - timedelta(minutes=5) <= mention.published_at <= NOW
        assert mention.meta["simulated"] is True
        assert mention.meta["simulated_sentiment"] in {"positive", "negative", "neutral"}
        if mention.source == "x":
            assert not mention.title


def test_all_sources_appear_and_news_like_items_have_titles() -> None:
    mentions = take(SimulatedMentions(BRANDS, seed=4, crosspost_share=0), 1000)
    assert set(Counter(m.source for m in mentions)) == set(SOURCES)
    assert all(m.title for m in mentions if m.source in {"news", "blog", "reddit", "hackernews"})


def test_text_names_people_and_places_and_sometimes_two_brands() -> None:
    mentions = take(SimulatedMentions(BRANDS, seed=5), 3000)
    content = [f"{m.title} {m.text}" for m in mentions]
    assert sum(any(person in text for person in PEOPLE) for text in content) > 0.1 * len(mentions)
    assert sum(any(place in text for place in PLACES) for text in content) > 0.1 * len(mentions)
    pairs = sum(len(m.brand_ids) == 2 for m in mentions)
    assert 0.05 * len(mentions) < pairs < 0.2 * len(mentions)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_sentiments_are_roughly_balanced(seed: int) -> None:
    mentions = take(SimulatedMentions(BRANDS, seed=seed), 3000, step_s=1)  # 50 minutes, stories included
    counts = Counter(m.meta["simulated_sentiment"] for m in mentions)
    assert set(counts) == {"positive", "negative", "neutral"}
    assert all(0.2 <= count / len(mentions) <= 0.5 for count in counts.values()), counts


@pytest.mark.parametrize(("duplicate_share", "crosspost_share"), [(0.05, 0.03), (0.2, 0.1), (0.0, 0.0)])
def test_duplicates_and_crossposts_come_at_their_shares(
    duplicate_share: float, crosspost_share: float
) -> None:
    simulator = SimulatedMentions(
        BRANDS, seed=6, duplicate_share=duplicate_share, crosspost_share=crosspost_share
    )
    mentions = take(simulator, 10_000)
    seen: dict[str, Mention] = {}
    duplicates = 0
    for mention in mentions:
        if mention.id in seen:
            duplicates += 1
            assert mention == seen[mention.id]  # the same post again, fetched at the same `now`
        seen[mention.id] = mention
    crossposts = [m for m in seen.values() if "crosspost_of" in m.meta]
    assert duplicates / len(mentions) == pytest.approx(duplicate_share, abs=0.01)
    assert len(crossposts) / len(mentions) == pytest.approx(crosspost_share, abs=0.01)
    for crosspost in crossposts:
        original = seen[crosspost.meta["crosspost_of"]]
        assert crosspost.text == original.text
        assert crosspost.source != original.source
        assert crosspost.external_id != original.external_id
        assert crosspost.url != original.url


def test_a_duplicate_is_fetched_again_at_the_new_now() -> None:
    simulator = SimulatedMentions(BRANDS, seed=7, duplicate_share=0.5, crosspost_share=0)
    seen: dict[str, Mention] = {}
    for mention in take(simulator, 200, step_s=1):
        if mention.id in seen:
            assert mention.model_dump(exclude={"fetched_at"}) == seen[mention.id].model_dump(
                exclude={"fetched_at"}
            )
            assert mention.fetched_at > seen[mention.id].fetched_at
        seen[mention.id] = mention


def test_authors_follow_a_long_tail() -> None:
    mentions = take(SimulatedMentions(BRANDS, seed=8), 10_000)
    counts = Counter(m.author for m in mentions if m.source != "news").most_common()
    assert len(counts) > 200
    top, median = counts[0][1], counts[len(counts) // 2][1]
    assert top > 10 * median


def test_stories_are_bursts_of_one_brand_with_one_sentiment() -> None:
    seen: set[str] = set()
    fresh: list[Mention] = []  # neither a duplicate nor a cross-post, which repeat a mention later
    for mention in take(SimulatedMentions(BRANDS, seed=9, story_every_s=300), 6000, step_s=0.5):
        if mention.id not in seen and "crosspost_of" not in mention.meta:
            fresh.append(mention)
        seen.add(mention.id)
    stories: dict[str, list[Mention]] = {}
    for mention in fresh:
        if "story" in mention.meta:
            stories.setdefault(mention.meta["story"], []).append(mention)
    assert stories
    for story in stories.values():
        assert set.intersection(*(set(m.brand_ids) for m in story))
        assert len({m.meta["simulated_sentiment"] for m in story}) == 1
        assert len({m.title for m in story if m.title}) == 1  # the story's headline
    biggest = max(stories.values(), key=len)
    (brand,) = set.intersection(*(set(m.brand_ids) for m in biggest))
    window = [m for m in fresh if biggest[0].fetched_at <= m.fetched_at <= biggest[-1].fetched_at]
    share = sum(brand in m.brand_ids for m in window) / len(window)
    assert share > 0.6  # one brand of three draws most mentions while its story runs


def test_no_stories_when_disabled() -> None:
    mentions = take(SimulatedMentions(BRANDS, seed=9, story_every_s=None), 3000, step_s=1)
    assert not any("story" in m.meta for m in mentions)


def test_a_single_brand_works() -> None:
    mentions = take(SimulatedMentions([SimBrand(7, "Umbrella")], seed=1), 300)
    assert {m.brand_ids for m in mentions} == {(7,)}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"brands": []},
        {"brands": [SimBrand(1, " ")]},
        {"duplicate_share": -0.1},
        {"duplicate_share": 0.7, "crosspost_share": 0.4},
        {"story_share": 1.5},
        {"story_every_s": 0},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"brands": BRANDS, **kwargs}
    with pytest.raises(ValueError, match=r"must|need"):
        SimulatedMentions(**arguments)  # type: ignore[arg-type]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimulatedMentions(BRANDS, seed=1).next(datetime(2026, 1, 1))  # noqa: DTZ001


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_stream_honours_the_rate() -> None:
    clock = FakeClock()
    mentions = stream(
        BRANDS, posts_per_minute=600, seed=1, limit=110, burst_s=1, clock=clock, sleep=clock.sleep
    )
    received = [mention async for mention in mentions]
    assert len(received) == 110
    assert clock.now == pytest.approx(10.0)  # a burst of 10, then 100 more at 10/s


async def test_stream_is_the_seeded_sequence() -> None:
    clock = FakeClock()
    received = [
        m async for m in stream(BRANDS, posts_per_minute=60, seed=5, limit=20, clock=clock, sleep=clock.sleep)
    ]
    simulator = SimulatedMentions(BRANDS, seed=5)
    expected = [simulator.next(m.fetched_at) for m in received]
    assert dump(received) == dump(expected)


async def test_stream_runs_on_without_a_limit() -> None:
    clock = FakeClock()
    mentions = stream(BRANDS, posts_per_minute=6000, seed=1, clock=clock, sleep=clock.sleep)
    received = [await anext(mentions) for _ in range(1000)]
    await mentions.aclose()
    assert len(received) == 1000
    assert clock.now == pytest.approx(9.0)  # a burst of 100, then 900 at 100/s
