"""Synthetic mentions for demos, load tests and model evaluation: realistic, seeded and endless.

`SimulatedMentions` writes one mention at a time from templates: five simulated sources; positive,
negative and neutral phrasings (the intended label is `meta["simulated_sentiment"]`); people, places and
products for NER; a few hundred authors drawn Zipf-like; sometimes two brands in one mention; exact
duplicates and cross-posts at configured shares; and now and then a "story", a few minutes in which one
brand draws a large share of mentions with one sentiment, for spike detection to find. `stream` paces it
with a token bucket. The same seed and the same sequence of `now` give the same mentions.
"""

import asyncio
import itertools
import math
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncGenerator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, Final

from brandpulse.contract import Mention, SentimentLabel
from ingest.pacing import Clock, Sleep, TokenBucket

SOURCES: Final = ("news", "reddit", "hackernews", "x", "blog")
SOURCE_WEIGHTS: Final = (20, 25, 10, 35, 10)
SENTIMENTS: Final[tuple[SentimentLabel, ...]] = ("positive", "negative", "neutral")
STORY_SENTIMENT_WEIGHTS: Final = (3, 5, 2)  # stories are more often bad news
MAX_AGE_S: Final = 300.0  # a fresh mention was published at most this long before `now`
STORY_MIN_S, STORY_MAX_S = 120.0, 480.0
PAIR_SHARE: Final = 0.1  # share of fresh mentions that name a second brand
AUTHORS: Final = 300
ZIPF_EXPONENT: Final = 1.1
NOT_WORD: Final = re.compile(r"\W")  # dropped from a brand name to make its hashtag
RECENT: Final = 500  # duplicates and cross-posts repeat one of this many latest mentions

PEOPLE: Final = (
    "Maria Lopez", "James Carter", "Aiko Tanaka", "Priya Sharma", "Daniel Okafor", "Sofia Rossi",
    "Lukas Becker", "Emma Johansson", "Chen Wei", "Olivia Brown", "Mateo García", "Fatima Haddad",
    "Noah Williams", "Hannah Schmidt", "Ravi Patel", "Grace Kim", "Zoë Dubois", "Samuel Adeyemi",
)  # fmt: skip
PLACES: Final = (
    "Berlin", "London", "New York", "San Francisco", "Tokyo", "Paris", "Toronto", "Sydney", "Austin",
    "Seattle", "Singapore", "Mumbai", "São Paulo", "Amsterdam", "Chicago", "Dublin", "Seoul", "Germany",
    "Japan", "Canada", "Brazil", "India", "France", "Texas", "California",
)  # fmt: skip
CATEGORIES: Final = {
    "phone": ("battery life", "camera", "screen"),
    "laptop": ("keyboard", "battery life", "display"),
    "smartwatch": ("fitness tracking", "battery life", "display"),
    "earbuds": ("sound quality", "noise cancelling", "battery life"),
    "tablet": ("screen", "speakers", "battery life"),
    "router": ("range", "setup", "speed"),
    "e-bike": ("motor", "range", "brakes"),
    "smart speaker": ("sound quality", "voice assistant", "setup"),
}
PRODUCT_LINES: Final = ("Nova", "Pulse", "Orbit", "Aero", "Vertex", "Lumen", "Zephyr", "Echo", "Flux", "Halo")
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
OUTLETS: Final = (
    ("Daily Ledger", "dailyledger.example"), ("Tech Courier", "techcourier.example"),
    ("Market Wire", "marketwire.example"), ("The Evening Gazette", "eveninggazette.example"),
)  # fmt: skip
SUBREDDITS: Final = (
    "technology",
    "gadgets",
    "BuyItForLife",
    "smarthome",
    "ebikes",
    "news",
    "personalfinance",
)
JOURNALISTS: Final = (
    "Laura Bennett", "Marcus Hale", "Ines Moreau", "Kenji Sato", "Rachel Osei", "Tomás Ferreira",
    "Alice Novak", "Peter Lindqvist", "Nadia Rahman", "George Whitfield",
)  # fmt: skip
HANDLE_WORDS: Final = (
    ("quiet", "rapid", "lucky", "sunny", "grumpy", "cosmic", "urban", "tiny", "brave", "clever", "dusty",
     "fuzzy", "mellow", "noisy", "retro", "salty", "witty", "zen", "bold", "chill"),
    ("fox", "otter", "panda", "falcon", "coder", "gamer", "rider", "chef", "nomad", "pixel", "robot",
     "tiger", "whale", "maker", "hiker", "owl", "llama", "ninja", "dev", "biker"),
)  # fmt: skip

# (title, text) pairs; every text names {brand} (or {product}, which contains it); PAIRS also name {other}.
SINGLES: Final[dict[SentimentLabel, tuple[tuple[str, str], ...]]] = {
    "positive": (
        ("{product} review: the best {category} of the year",
         "I love the new {product}, the {feature} is amazing."),
        ("Best {category} I have ever owned",
         "Honestly the {product} is the best {category} I have ever owned. {brand} nailed it."),
        ("Great support from {brand}",
         "Shoutout to {brand} support, they fixed my {category} in {days} days and were super friendly. "
         "Great experience!"),
        ("So impressed with the {product}",
         "Just picked up the {product} in {place} and I'm so impressed. The {feature} is fantastic."),
        ("{brand} keeps getting better",
         "{brand} keeps getting better. The {feature} on the {product} is incredible, totally worth it."),
        ("Three months with the {product}",
         "Three months in with my {product} and I still love it. Best purchase of the year, "
         "thank you {brand}!"),
        ("{person} wows the crowd at the {brand} launch in {place}",
         "{person} did a wonderful job presenting the {product} today in {place}. "
         "Really excited about what {brand} is building."),
        ("{brand} update makes my {category} feel brand new",
         "Big thanks to {brand} for the free update, the {feature} on my {category} is so much better now. "
         "Love it!"),
        ("{person} reviews the {product}: excellent {feature}, great value",
         "The {product} review from {person} is spot on: excellent {feature}, gorgeous design, great value."),
        ("Happy {brand} customer",
         "Wow, {brand} shipped my {product} a day early and it works perfectly. Happy customer here."),
        ("{brand} is winning me over",
         "{brand} is winning me over. Smooth setup, brilliant {feature}, and a delightful {category} "
         "overall."),
    ),
    "negative": (
        ("Terrible experience with {brand} support",
         "{brand} support left me waiting {weeks} weeks, never again."),
        ("{product} died after {days} days",
         "My {product} died after {days} days and {brand} refuses to replace it. Absolutely terrible."),
        ("Worst {category} I have ever bought",
         "The {feature} on the {product} is awful. Worst {category} I have ever bought, I want a refund."),
        ("Really disappointed with {brand}",
         "Really disappointed with {brand}. The {product} overheats constantly and the {feature} is a joke."),
        ("{brand} double-charged me",
         "{brand} charged me twice for the {product} and nobody answers the phone. Horrible service."),
        ("Avoid the {product}",
         "Avoid the {product}. Mine broke within a week and {brand} customer service was rude and useless."),
        ("{brand} update broke my {category}",
         "The latest {brand} update ruined my {category}, the {feature} is completely broken now. "
         "So frustrating."),
        ("{brand} no-show in {place}",
         "Waited {days} days for a {brand} technician in {place} and he never showed up. Unacceptable."),
        ("I regret buying the {product}",
         "I regret buying the {product}. Cheap build, terrible {feature}, and {brand} ignores every "
         "complaint."),
        ("{brand} hikes prices again",
         "{brand} just hiked prices again while the {product} keeps crashing. What a ripoff."),
        ("Returned my {product}",
         "Returned my {product} today. Laggy, buggy and the {feature} is a total disaster. "
         "Shame on {brand}."),
    ),
    "neutral": (
        ("{brand} to open office in {place}",
         "{brand} will open a new office in {place} next month, spokesperson {person} said."),
        ("{brand} announces the {product}",
         "{brand} announced the {product}, a new {category} that goes on sale in {place} on {weekday}."),
        ("{brand} names {person} chief financial officer",
         "{person} has been appointed chief financial officer of {brand}, the company said in a statement "
         "on {weekday}."),
        ("{brand} to report quarterly earnings",
         "{brand} reports quarterly earnings on {weekday}; analysts expect revenue of about {n} million "
         "dollars."),
        ("{product} release date for {place}?",
         "Does anyone know when the {product} ships to {place}? Looking for the release date."),
        ("{brand} hiring engineers in {place}",
         "{brand} confirmed it is hiring {n} engineers for its research center in {place}."),
        ("{brand} shipments of the {product}",
         "According to a filing, {brand} shipped {n} thousand units of the {product} last quarter."),
        ("{brand} chief executive to speak in {place}",
         "{brand} chief executive {person} is scheduled to speak at a technology conference in {place} "
         "on {weekday}."),
        ("{brand} moves European headquarters to {place}",
         "{brand} moved its European headquarters to {place}, according to a company spokesperson."),
        ("{product} specifications published",
         "{brand} published the specifications of the {product} on {weekday}, including its {feature}."),
    ),
}  # fmt: skip
REPORTS: Final[dict[SentimentLabel, tuple[tuple[str, str], ...]]] = {  # what news outlets write
    "positive": (
        ("{brand} shares jump as the {product} wins praise",
         "{brand} shares rose after early reviews praised the {product}, with critics calling its {feature} "
         "excellent. Chief executive {person} said demand in {place} was strong."),
        ("{product} earns glowing reviews",
         "Reviewers have given the {product} glowing marks, praising its {feature} and calling it one of the "
         "best {category} releases this year."),
        ("{brand} posts record quarter",
         "{brand} reported record quarterly revenue, beating expectations thanks to strong sales of the "
         "{product} in {place}."),
        ("{brand} wins award for the {product}",
         "{brand} won an innovation award in {place} for the {product}, which judges praised as a brilliant, "
         "beautifully designed {category}."),
    ),
    "negative": (
        ("{brand} faces backlash over {product} failures",
         "{brand} is facing a wave of angry complaints after owners of the {product} reported {feature} "
         "failures. Customers in {place} called the company's response a disgrace."),
        ("{brand} shares fall after disappointing results",
         "{brand} shares fell sharply after the company missed revenue forecasts and cut its outlook, "
         "blaming weak demand for the {product}."),
        ("Regulators in {place} fine {brand}",
         "Regulators in {place} fined {brand} for misleading customers about the {product}, the latest blow "
         "to a company already under fire."),
        ("{brand} criticized for slow refunds",
         "Customers say {brand} has left them waiting weeks for refunds on faulty {product} units, and "
         "consumer groups in {place} are furious."),
    ),
    "neutral": SINGLES["neutral"],
}  # fmt: skip
PAIRS: Final[dict[SentimentLabel, tuple[tuple[str, str], ...]]] = {
    "positive": (
        ("Switched from {other} to {brand}",
         "Switched from {other} to {brand} and I love it, the {product} is fantastic."),
        ("Great week for {brand} and {other}",
         "Both {brand} and {other} had great launches this week, an amazing time to buy a new {category}."),
    ),
    "negative": (
        ("{brand} and {other} raise prices again",
         "{brand} and {other} both raised prices again. Ridiculous and greedy."),
        ("{brand} is as bad as {other}",
         "Tried {brand} after {other} let me down and it is just as bad. Terrible support from both."),
    ),
    "neutral": (
        ("{brand} and {other} at the {place} trade show",
         "{brand} and {other} are both expected to present new products at the trade show in {place}."),
        ("{brand} in talks over {other} stake",
         "{brand} is in talks to acquire a stake in {other}, people familiar with the matter said."),
    ),
}  # fmt: skip
CLOSERS: Final[dict[SentimentLabel, tuple[str, ...]]] = {
    "positive": ("Highly recommend.", "Five stars from me.", "Can't wait to see what they do next."),
    "negative": ("Never buying from them again.", "Stay away.", "One star, and that's generous."),
    "neutral": ("The company did not comment further.", "More details are expected later this week."),
}
HEADLINES: Final[dict[SentimentLabel, tuple[str, ...]]] = {  # a story's title on every titled source
    "positive": (
        "{brand} unveils the {product} to rave reviews",
        "{brand} smashes sales records with the {product}",
        "The {product} wins best {category} of the year award",
    ),
    "negative": (
        "{brand} recalls the {product} over overheating batteries",
        "{brand} confirms data breach affecting millions of customers",
        "{brand} services down for hours in a major outage",
        "{brand} sued over misleading claims about the {product}",
    ),
    "neutral": (
        "{brand} agrees to acquire a startup based in {place}",
        "{brand} appoints {person} as chief executive",
        "{brand} moves its headquarters to {place}",
    ),
}


@dataclass(frozen=True)
class SimBrand:
    """A brand to write mentions about: its id and display name."""

    id: int
    name: str


@dataclass(frozen=True)
class _Product:
    name: str
    category: str


@dataclass(frozen=True)
class _Draft:  # a post before it is placed on a source
    title: str
    text: str
    published_at: datetime
    brands: Sequence[SimBrand]
    meta: dict[str, Any]


@dataclass(frozen=True)
class _Story:
    id: str
    brand: SimBrand
    sentiment: SentimentLabel
    ends_at: datetime
    fields: dict[str, str]  # the product, person and place every mention of the story shares
    headline: str


class SimulatedMentions:
    """An endless, seeded sequence of synthetic mentions of `brands`; call `next(now)` for each.

    `seed=None` draws a random seed, kept in `.seed` so a run can be replayed. Stories start about once
    every `story_every_s` seconds of `now` (None: never) and take `story_share` of mentions while they run.
    """

    def __init__(
        self,
        brands: Sequence[SimBrand],
        *,
        seed: int | None = None,
        duplicate_share: float = 0.05,
        crosspost_share: float = 0.03,
        story_every_s: float | None = 900.0,
        story_share: float = 0.5,
    ) -> None:
        if not brands or not all(brand.name.strip() for brand in brands):
            raise ValueError("need at least one brand, each with a name")
        if min(duplicate_share, crosspost_share) < 0 or duplicate_share + crosspost_share > 1:
            raise ValueError("duplicate_share and crosspost_share must be >= 0 and add up to at most 1")
        if not 0 <= story_share <= 1 or (story_every_s is not None and story_every_s <= 0):
            raise ValueError("story_share must be in [0, 1] and story_every_s positive")
        self.brands = tuple(brands)
        self.seed = secrets.randbits(63) if seed is None else seed
        self.duplicate_share = duplicate_share
        self.crosspost_share = crosspost_share
        self.story_every_s = story_every_s
        self.story_share = story_share
        self._rng = Random(self.seed)
        self._products = {brand.id: self._invent_products(brand) for brand in self.brands}
        self._authors = self._invent_authors()
        self._author_weights = _zipf_cum_weights(AUTHORS)
        self._ids = itertools.count(self._rng.randrange(10**8, 10**9))
        self._recent: deque[Mention] = deque(maxlen=RECENT)
        self._story: _Story | None = None
        self._stories = itertools.count(1)
        self._last_now: datetime | None = None

    def __iter__(self) -> Iterator[Mention]:
        """Mentions stamped with the wall clock, forever."""
        while True:
            yield self.next(datetime.now(UTC))

    def next(self, now: datetime) -> Mention:
        """The next mention, fetched at `now` (timezone-aware)."""
        if now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        now = now.astimezone(UTC)
        self._advance_story(now)
        roll = self._rng.random()
        if self._recent and roll < self.duplicate_share:
            return self._rng.choice(self._recent).model_copy(update={"fetched_at": now})
        if self._recent and roll < self.duplicate_share + self.crosspost_share:
            mention = self._crosspost(self._rng.choice(self._recent), now)
        else:
            mention = self._fresh(now)
        self._recent.append(mention)
        return mention

    def _fresh(self, now: datetime) -> Mention:
        rng = self._rng
        story = self._story if self._story and rng.random() < self.story_share else None
        brand = story.brand if story else rng.choice(self.brands)
        sentiment = story.sentiment if story else rng.choice(SENTIMENTS)
        others = [other for other in self.brands if other.id != brand.id]
        other = rng.choice(others) if others and rng.random() < PAIR_SHARE else None
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        templates = PAIRS if other else REPORTS if source == "news" else SINGLES
        fields = self._fields(brand, other, story)
        title, text = (t.format_map(fields) for t in rng.choice(templates[sentiment]))
        if rng.random() < 0.4:
            text = f"{text} {rng.choice(CLOSERS[sentiment])}"
        if source == "x" and rng.random() < 0.3:
            text = f"{text} #{NOT_WORD.sub('', brand.name)}"
        meta: dict[str, Any] = {"simulated": True, "simulated_sentiment": sentiment}
        if story:
            title, meta["story"] = story.headline, story.id
        published_at = now - timedelta(seconds=rng.uniform(0, MAX_AGE_S))
        draft = _Draft(title, text, published_at, (brand, other) if other else (brand,), meta)
        return self._post(source, draft, now)

    def _crosspost(self, original: Mention, now: datetime) -> Mention:
        source = self._rng.choice([s for s in SOURCES if s != original.source])
        since = max(0.0, (now - original.published_at).total_seconds())
        published_at = original.published_at + timedelta(seconds=self._rng.uniform(0, since))
        kept = ("simulated", "simulated_sentiment", "story")
        meta = {key: original.meta[key] for key in kept if key in original.meta}
        meta["crosspost_of"] = original.id
        brands = [brand for brand in self.brands if brand.id in original.brand_ids]
        draft = _Draft(original.title, original.text, published_at, brands, meta)
        return self._post(source, draft, now)

    def _post(self, source: str, draft: _Draft, now: datetime) -> Mention:
        rng, seq = self._rng, next(self._ids)
        title, published_at, meta = draft.title, draft.published_at, dict(draft.meta)
        handle = rng.choices(self._authors, cum_weights=self._author_weights)[0]
        author = rng.choice(JOURNALISTS) if source == "news" else handle
        slug = re.sub(r"[^a-z0-9]+", "-", (title or draft.text).lower()).strip("-")[:60].rstrip("-") or "post"
        if source == "news":
            outlet, domain = rng.choice(OUTLETS)
            external_id = url = f"https://{domain}/{published_at:%Y/%m/%d}/{slug}-{seq}"
            meta["outlet"] = outlet
        elif source == "blog":
            external_id = url = f"https://{handle}.blogs.example/{published_at:%Y/%m}/{slug}-{seq}"
        elif source == "reddit":
            external_id = f"t3_{_base36(2_000_000_000 + seq)}"
            meta["subreddit"] = subreddit = rng.choice(SUBREDDITS)
            url = f"https://www.reddit.com/r/{subreddit}/comments/{external_id[3:]}/{slug[:40]}/"
        elif source == "hackernews":
            external_id = str(40_000_000 + seq)
            url = f"https://news.ycombinator.com/item?id={external_id}"
        else:
            external_id = str(1_800_000_000_000_000_000 + seq * 1000 + rng.randrange(1000))
            url = f"https://x.com/{author}/status/{external_id}"
            title = ""
        return Mention(
            source=source,
            external_id=external_id,
            url=url,
            title=title,
            text=draft.text,
            author=author,
            lang="en",
            published_at=published_at,
            fetched_at=now,
            brand_ids=tuple(brand.id for brand in draft.brands),
            meta=meta,
        )

    def _fields(self, brand: SimBrand, other: SimBrand | None, story: _Story | None) -> dict[str, str]:
        rng = self._rng
        product = rng.choice(self._products[brand.id])
        fields = {
            "brand": brand.name,
            "other": other.name if other else "",
            "product": product.name,
            "category": product.category,
            "feature": rng.choice(CATEGORIES[product.category]),
            "person": rng.choice(PEOPLE),
            "place": rng.choice(PLACES),
            "weekday": rng.choice(WEEKDAYS),
            "days": str(rng.randint(2, 30)),
            "weeks": rng.choice(("two", "three", "four", "six")),
            "n": str(rng.randint(12, 900)),
        }
        return {**fields, **story.fields} if story else fields

    def _advance_story(self, now: datetime) -> None:
        elapsed = 0.0 if self._last_now is None else max(0.0, (now - self._last_now).total_seconds())
        self._last_now = now
        if self._story and now >= self._story.ends_at:
            self._story = None
        if self._story or self.story_every_s is None or not elapsed:
            return
        if self._rng.random() < -math.expm1(-elapsed / self.story_every_s):
            self._story = self._new_story(now)

    def _new_story(self, now: datetime) -> _Story:
        rng = self._rng
        brand = rng.choice(self.brands)
        sentiment = rng.choices(SENTIMENTS, STORY_SENTIMENT_WEIGHTS)[0]
        fields = self._fields(brand, None, None)
        shared = {key: fields[key] for key in ("product", "category", "feature", "person", "place")}
        return _Story(
            id=f"story-{self.seed}-{next(self._stories)}",
            brand=brand,
            sentiment=sentiment,
            ends_at=now + timedelta(seconds=rng.uniform(STORY_MIN_S, STORY_MAX_S)),
            fields=shared,
            headline=rng.choice(HEADLINES[sentiment]).format_map(fields),
        )

    def _invent_products(self, brand: SimBrand) -> tuple[_Product, ...]:
        lines = self._rng.sample(PRODUCT_LINES, 3)
        categories = self._rng.sample(sorted(CATEGORIES), 3)
        return tuple(
            _Product(f"{brand.name} {line} {self._rng.randint(2, 9)}", category)
            for line, category in zip(lines, categories, strict=True)
        )

    def _invent_authors(self) -> list[str]:
        authors: dict[str, None] = {}  # insertion-ordered set, so the Zipf ranks are reproducible
        while len(authors) < AUTHORS:
            first, second = (self._rng.choice(words) for words in HANDLE_WORDS)
            authors[f"{first}{second}{self._rng.choice(('', str(self._rng.randint(1, 99))))}"] = None
        return list(authors)


async def stream(
    brands: Sequence[SimBrand],
    *,
    posts_per_minute: float,
    seed: int | None = None,
    limit: int | None = None,
    burst_s: float = 1.0,
    duplicate_share: float = 0.05,
    crosspost_share: float = 0.03,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> AsyncGenerator[Mention, None]:
    """Simulated mentions at `posts_per_minute`, forever or up to `limit`.

    A token bucket paces them; up to `burst_s` seconds' worth may go out at once after a pause.
    """
    mentions = SimulatedMentions(
        brands, seed=seed, duplicate_share=duplicate_share, crosspost_share=crosspost_share
    )
    rate_per_s = posts_per_minute / 60
    burst = max(1.0, rate_per_s * burst_s)
    bucket = TokenBucket(rate_per_s=rate_per_s, burst=burst, clock=clock, sleep=sleep)
    for _ in itertools.count() if limit is None else range(limit):
        await bucket.acquire()
        yield mentions.next(datetime.now(UTC))


def _zipf_cum_weights(size: int) -> list[float]:
    return list(itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, size + 1)))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
    return out or "0"
