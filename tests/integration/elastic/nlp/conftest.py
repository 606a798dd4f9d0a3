"""The entity and keyword extractors, loaded once per session, and a batch of realistic brand mentions."""

import pytest

from workers.elastic.enrich import Enricher
from workers.elastic.entities import EntityExtractor
from workers.elastic.keywords import KeywordExtractor

MENTIONS = (
    "Apple unveiled the iPhone 17 in Cupertino on Tuesday, and Tim Cook called it the best iPhone ever.",
    "Tesla recalls 120,000 Model Y vehicles in the US over a faulty seat belt warning",
    "Just got my new Nike Air Max and they are sooo comfy 😍 #nike #sneakers",
    "Acme Corp shares slide 8% after the company cut its full-year forecast",
    "Elon Musk says Tesla will start Cybercab production in Austin next year",
    "Why is my @Apple Watch battery dying by 3pm every day?? this is ridiculous",
    "Samsung launches the Galaxy S25 in Seoul with a bigger battery and a brighter screen",
    "Nike names new CEO as sales in China keep falling",
    "Microsoft and OpenAI extend their partnership; Satya Nadella calls it a new chapter",
    "The Acme Corp. customer service line kept me on hold for 2 hours. Never again.",
    "Starbucks to close 400 stores across North America, Brian Niccol tells investors",
    "Amazon Prime Day 2025 breaks sales records, says Andy Jassy",
    "Google fined €2.4 billion by the European Commission over shopping ads",
    "Loving the new MacBook Air with the M4 chip, battery lasts all day",
    "Tesla's Berlin gigafactory resumes production after a power outage",
    "BREAKING: Boeing 737 MAX grounded again after incident over Oregon",
    "LeBron James signs lifetime deal with Nike worth over $1 billion",
    "anyone else's tesla app down right now? can't unlock my car lol",
    "Acme Corp opens a new warehouse in Rotterdam, creating 300 jobs",
    "Apple's App Store faces antitrust probe in Japan",
    "Chinese EV maker BYD overtakes Tesla in global sales for the quarter",
    "Netflix raises prices again in the UK and Canada",
    "Spotify Wrapped is out and apparently I listened to Taylor Swift for 4,000 minutes",
    "Adidas and Nike battle for sponsorship of the German national team ahead of the World Cup",
    "Volkswagen to cut 35,000 jobs in Germany by 2030, IG Metall union says",
    "The new Xbox controller from Microsoft is a huge upgrade, honestly",
    "Meta launches Threads in the European Union after a regulatory delay",
    "Mark Zuckerberg shows off Orion AR glasses at Meta Connect",
    "Nvidia market value tops $3 trillion as AI chip demand soars; Jensen Huang upbeat",
    "Sony PlayStation 5 Pro sells out in minutes in Tokyo",
    "Rivian and Volkswagen announce a $5 billion joint venture for EV software",
    "Airbnb bans indoor security cameras worldwide",
    "Uber shares jump after strong quarterly results; Dara Khosrowshahi praises drivers",
    "Coca-Cola sales rise in Latin America despite higher prices",
    "McDonald's E. coli outbreak linked to onions, CDC says",
    "Walmart expands drone delivery to Dallas-Fort Worth",
    "Intel to lay off 15,000 workers as Pat Gelsinger pushes turnaround plan",
    "My Samsung fridge stopped cooling after 13 months. Warranty? Of course not.",
    "Ford recalls F-150 Lightning trucks over battery defect",
    "Acme Corp CEO Jane Doe will speak at CES 2026 in Las Vegas",
    "Apple Vision Pro arrives in France and Germany next month",
    "Tesla Cybertruck owners in California report rusting panels",
    "IKEA cuts prices across Europe as inflation eases",
    "H&M profit beats expectations thanks to cost cuts in Sweden",
    "Is the Pixel 9 worth it over the iPhone 16? Thinking of switching from Apple",
    "Nike's Olympic kit for Team USA unveiled in Paris ahead of the Games",
    "Honestly @AcmeSupport fixed my order in 5 minutes, great job Acme!",
    "Toyota invests $8 billion in North Carolina battery plant",
    "American Airlines flight cancellations pile up at Chicago O'Hare",
    "Disney+ to crack down on password sharing in Canada, Bob Iger says",
    "OpenAI releases GPT-5 to ChatGPT users; Sam Altman calls it a big step",
    "Pepsi and Lay's owner PepsiCo cuts sales outlook in the United States",
    "Shein files for London IPO after pulling US listing plans",
    "Visa and Mastercard settle swipe fee lawsuit with merchants",
    "The Apple store in Regent Street, London was packed for the launch",
    "Nike Run Club app update broke my GPS tracking 😤",
    "Goldman Sachs says the Federal Reserve will cut rates in September",
    "Acme Corp recalls electric scooters after battery fires in Texas",
    "Amazon Web Services outage hits Fortnite, Snapchat and Venmo",
    "Tim Cook meets Chinese Premier Li Qiang in Beijing",
    "🔥🔥🔥",
    "lol",
    "Hyundai Ioniq 5 named World Car of the Year at the New York auto show",
    "Patagonia founder Yvon Chouinard gives away the company to fight climate change",
)


@pytest.fixture(scope="session")
def mentions() -> tuple[str, ...]:
    """64 short brand mentions: headlines and posts with organisations, people, places and products."""
    return MENTIONS


@pytest.fixture(scope="session")
def entity_extractor(enricher: Enricher) -> EntityExtractor:
    return enricher.entities


@pytest.fixture(scope="session")
def keyword_extractor(enricher: Enricher) -> KeywordExtractor:
    return enricher.keywords
