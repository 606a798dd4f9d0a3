import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workers.elastic.text import clean, document

TAG = re.compile(r"</?[A-Za-z][^<>]*>")
FRAGMENTS = st.sampled_from(
    ["<b>", "</p>", "<a href='x'>", "<br/>", "<", ">", "&lt;", "&gt;", "&amp;", "&amp;lt;i&amp;gt;", "&#60;",
     "<script>alert(1)</script>", "<!-- note -->", "http://", "https://a.io/x?y=1", "HTTP://", "www.a.io",
     " ", "  ", "\n", "\t", "\xa0", "&nbsp;", "Apple", "é", "🍎"]
)  # fmt: skip
MARKUP = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=30).map("".join)


@given(MARKUP)
def test_clean_leaves_no_tags_urls_or_runs_of_space(text: str) -> None:
    cleaned = clean(text)
    assert TAG.search(cleaned) is None
    assert re.search(r"https?://", cleaned, re.IGNORECASE) is None
    assert "  " not in cleaned
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AT&amp;T outage", "AT&T outage"),
        ("AT&amp;amp;T outage", "AT&T outage"),
        ("Tom &#39;n&#x27; Jerry&nbsp;&mdash; fun", "Tom 'n' Jerry — fun"),
        ("&lt;p&gt;Acme &lt;b&gt;recalls&lt;/b&gt; scooters&lt;/p&gt;", "Acme recalls scooters"),
        ("<p>Great</p><p>phone</p>", "Great phone"),
        ("<script>var x = '<b>';</script><style>p {}</style>Hello", "Hello"),
        ("Read <!-- tracking --> more", "Read more"),
        ("New iPhone https://apple.com/iphone?x=1 and www.apple.com today", "New iPhone and today"),
        ("  many\n\n spaces\there  ", "many spaces here"),
        ("3 < 5 and 7 > 2", "3 < 5 and 7 > 2"),
        ("love it <3", "love it <3"),
        ("x <Apple<b>> y", "x y"),  # removing one tag must not leave another
        ("<a http://t.co/x>b", "b"),
        ("", ""),
    ],
)
def test_clean_examples(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Tesla recalls Model Y",
            "The recall covers 2024 cars.",
            "Tesla recalls Model Y. The recall covers 2024 cars.",
        ),
        ("Is Acme down?", "Nothing loads.", "Is Acme down? Nothing loads."),
        ("Acme opens a store", "Acme opens a store in Rotterdam.", "Acme opens a store in Rotterdam."),
        ("", "just text", "just text"),
        ("just a title", "", "just a title"),
        ("", "", ""),
    ],
)
def test_document_joins_title_and_text(title: str, text: str, expected: str) -> None:
    assert document(title, text) == expected
