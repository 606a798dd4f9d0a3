"""Brand queries: parsing, syntax errors and limits, matching, positive terms, canonical strings."""

# ruff: noqa: RUF001  (Cyrillic and full-width letters are test data here)

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brandpulse.brand_query import (
    KEYWORDS,
    And,
    Matcher,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    Term,
    normalise,
    parse,
    positive_terms,
    to_string,
)


def t(text: str) -> Term:
    return Term(text, phrase=False)


def p(text: str) -> Term:
    return Term(text, phrase=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("acme", t("acme")),
        ('"Acme Corp"', p("Acme Corp")),
        ('"  Acme \t Corp "', p("Acme Corp")),
        ("acme -brick", And((t("acme"), Not(t("brick"))))),
        ("acme NOT brick", And((t("acme"), Not(t("brick"))))),
        ("acme AND NOT brick", And((t("acme"), Not(t("brick"))))),
        ("acme - brick", And((t("acme"), Not(t("brick"))))),
        ("a b OR c", Or((And((t("a"), t("b"))), t("c")))),
        ("a OR b AND c", Or((t("a"), And((t("b"), t("c")))))),
        ("-a b", And((Not(t("a")), t("b")))),
        ("(a OR b) c", And((Or((t("a"), t("b"))), t("c")))),
        ("-(a OR b) c", And((Not(Or((t("a"), t("b")))), t("c")))),
        ("a -(b c)", And((t("a"), Not(And((t("b"), t("c"))))))),
        ("a AND (b AND c) d", And((t("a"), t("b"), t("c"), t("d")))),
        ("(a OR (b OR c))", Or((t("a"), t("b"), t("c")))),
        ("((((acme))))", t("acme")),
        ("a -(-b)", And((t("a"), Not(Not(t("b")))))),
        ("(-a OR b) c", And((Or((Not(t("a")), t("b"))), t("c")))),
        ("acme or and not", And((t("acme"), t("or"), t("and"), t("not")))),
        ("acme-brick AT&T", And((t("acme-brick"), t("AT&T")))),
        ('acme"corp"(x)', And((t("acme"), p("corp"), t("x")))),
        ("Nestlé 索尼 Сбер", And((t("Nestlé"), t("索尼"), t("Сбер")))),
        (
            '("Acme" OR "Acme Corp") -"acme brick"',
            And((Or((p("Acme"), p("Acme Corp"))), Not(p("acme brick")))),
        ),
    ],
)
def test_parse_builds_the_tree(query: str, expected: Node) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ('acme "corp', "unclosed quote", 5),
        ('acme ""', "empty phrase", 5),
        ('" "', "empty phrase", 0),
        ('a "!!"', "no letters or digits in '!!'", 2),
        ("++", "no letters or digits in '++'", 0),
        ("(acme", "unclosed '('", 0),
        ("((acme) x", "unclosed '('", 0),
        ("acme)", "unmatched ')'", 4),
        (") acme", "unmatched ')'", 0),
        ("a ()", "empty parentheses", 2),
        ("acme OR", "'OR' needs a term after it", 5),
        ("acme AND", "'AND' needs a term after it", 5),
        ("acme -", "'-' needs a term after it", 5),
        ("acme NOT", "'NOT' needs a term after it", 5),
        ("(acme OR)", "'OR' needs a term after it", 6),
        ("AND acme", "'AND' needs a term before it", 0),
        ("(OR acme)", "'OR' needs a term before it", 1),
        ("--x", "'-' right after '-'", 1),
        ("NOT -x", "'-' right after 'NOT'", 4),
        ("a OR AND b", "'AND' right after 'OR'", 5),
        ("a AND OR b", "'OR' right after 'AND'", 6),
        ("-acme", "exclusion without a term to match", 0),
        ("NOT acme", "exclusion without a term to match", 0),
        ("-a -b", "exclusion without a term to match", 0),
        ("-(-acme)", "exclusion without a term to match", 0),
        ("acme OR -brick", "exclusion without a term to match", 8),
        ("acme OR (-a -b)", "exclusion without a term to match", 9),
        ("x" * 1001, "query longer than 1000 characters", 1000),
        (" ".join(["a"] * 101), "more than 100 terms", 200),
        ("(" * 21 + "a" + ")" * 21, "nesting deeper than 20 levels", 20),
        ("a " + "-(" * 21 + "b" + ")" * 21, "nesting deeper than 20 levels", 43),
    ],
)
def test_syntax_errors_say_what_and_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert (caught.value.message, caught.value.position) == (message, position)
    assert str(caught.value) == f"{message} at position {position}"


@pytest.mark.parametrize(
    "query",
    ["x" * 1000, " ".join(["a"] * 100), "(" * 20 + "a" + ")" * 20, "a " + "-(" * 20 + "b" + ")" * 20],
)
def test_queries_at_the_limits_parse(query: str) -> None:
    assert parse(to_string(parse(query))) == parse(query)


@pytest.mark.parametrize(
    ("query", "text", "matches"),
    [
        ("acme", "ACME's new phone", True),
        ("acme", "Acmé launches", True),
        ("acme", "acmes everywhere", False),
        ("acme", "acmecorp", False),
        ("acme", "the acme_corp account", True),
        ("acme", "", False),
        ('"acme corp"', "Acme  Corp", True),
        ('"acme corp"', "acme, corp.", True),
        ('"acme corp"', "acme\n\tcorp", True),
        ('"acme corp"', "acme acme corp", True),
        ('"acme corp"', "corp acme", False),
        ('"acme corp"', "acme the corp", False),
        ('"acme corp"', "acme corporation", False),
        ("acme-corp", "Acme Corp", True),
        ("AT&T", "at&t outage", True),
        ("AT&T", "at the top", False),
        ("acme -brick", "Acme bricks", True),
        ("acme -brick", "acme BRICK", False),
        ('acme -"acme brick"', "Acme Brick Co", False),
        ('acme -"acme brick"', "acme and brick", True),
        ("Nestlé", "nestle profits", True),
        ("nestle", "NESTLÉ", True),
        ("Nestle", "Nestlé's", True),
        ("straße", "STRASSE", True),
        ("Fiat", "ﬁat 500", True),
        ("Сбербанк", "СБЕРБАНК запустил", True),
        ("Сбербанк", "Сбербанка", False),
        ("索尼", "我喜欢索尼手机", True),
        ("索尼", "尼索", False),
        ("ソニー", "ソニーの新製品", True),
        ("a OR b c", "a", True),
        ("a OR b c", "b", False),
        ("a OR b c", "c b", True),
        ("(a OR b) c", "a", False),
        ("(a OR b) c", "a c", True),
        ("NOT x acme", "acme x", False),
        ("-(x OR y) acme", "acme y", False),
        ("-(x OR y) acme", "acme z", True),
        ("(-x OR y) acme", "acme x", False),
        ("(-x OR y) acme", "acme x y", True),
        ("or", "this or that", True),
    ],
)
def test_match(query: str, text: str, matches: bool) -> None:
    assert Matcher({1: query}).match(text) == ((1,) if matches else ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Corp results", (1, 3)),
        ("acme news", (3, 10)),
        ("Nestlé water", ()),
        ("Nestle and ACME", (2, 3, 10)),
    ],
)
def test_a_text_matches_several_brands_in_id_order(text: str, expected: tuple[int, ...]) -> None:
    matcher = Matcher({3: "acme", 1: '"acme corp"', 2: "nestlé -water", 10: "acme -corp"})
    assert matcher.match(text) == expected


def test_matcher_takes_nodes() -> None:
    matcher = Matcher({1: And((t("acme"), Not(t("brick")))), 2: Term("OR", phrase=False)})
    assert [matcher.match(text) for text in ("acme", "acme brick or", "Acme OR")] == [(1,), (2,), (1, 2)]


@pytest.mark.parametrize("query", ["-x", Not(t("x")), Or((t("x"), Not(t("y"))))])
def test_matcher_rejects_a_query_of_only_exclusions_naming_the_brand(query: str | Node) -> None:
    with pytest.raises(QuerySyntaxError, match="exclusion without a term to match") as caught:
        Matcher({1: "acme", 5: query})
    assert caught.value.__notes__ == ["in the query of brand 5"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('("Acme" OR "Acme Corp") -"acme brick"', ('"Acme"', '"Acme Corp"')),
        ('acme -(brick OR "acme brick") corp', ("acme", "corp")),
        ("Acme acme ACMÉ", ("Acme",)),
        ("Nestlé OR nestle OR Nescafé", ("Nestlé", "Nescafé")),
        ("a -(-b)", ("a",)),
        ("b OR a", ("b", "a")),
        ('"OR" or', ('"OR"',)),
    ],
)
def test_positive_terms(query: str, expected: tuple[str, ...]) -> None:
    assert positive_terms(parse(query)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACME", "acme"),
        ("Nestlé", "nestle"),
        ("Crème Brûlée", "creme brulee"),
        ("Straße", "strasse"),
        ("ﬁat", "fiat"),
        ("Ｓｏｎｙ", "sony"),
        ("ЁЛКА", "елка"),
        ("索尼", "索尼"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("  acme   AND   corp ", "acme corp"),
        ("NOT x acme", "-x acme"),
        ("(a OR b) AND (c OR d)", "(a OR b) (c OR d)"),
        ("((a b)) OR c", "a b OR c"),
        ('"  Acme   Corp "', '"Acme Corp"'),
        ("-(a OR b) c", "-(a OR b) c"),
        ("a -(b c)", "a -(b c)"),
        ("a -(-b)", "a -(-b)"),
    ],
)
def test_to_string_writes_the_canonical_query(query: str, canonical: str) -> None:
    assert to_string(parse(query)) == canonical


@pytest.mark.parametrize(
    ("node", "text"),
    [(t("OR"), '"OR"'), (t("-x"), '"-x"'), (t("a b"), '"a b"'), (t("acme"), "acme")],
)
def test_to_string_quotes_terms_that_cannot_stand_bare(node: Node, text: str) -> None:
    assert to_string(node) == text


def _flat(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    flat = (child for part in parts for child in (part.children if isinstance(part, kind) else [part]))
    return kind(tuple(flat))


def queries(words: st.SearchStrategy[str]) -> st.SearchStrategy[Node]:
    """Trees as `parse` builds them: And and Or flat, and a term to match in every OR branch."""
    terms = st.builds(Term, words, st.just(False)) | st.builds(
        Term, st.lists(words, min_size=1, max_size=3).map(" ".join), st.just(True)
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        factors = st.lists(children | children.map(Not), min_size=2, max_size=3)
        return factors.filter(lambda parts: not all(isinstance(part, Not) for part in parts)).map(
            lambda parts: _flat(And, parts)
        ) | st.lists(children, min_size=2, max_size=3).map(lambda parts: _flat(Or, parts))

    return st.recursive(terms, extend, max_leaves=10)


WORD_CHARACTERS = st.characters(categories=["L", "N", "P", "S"], exclude_characters='"()')
ANY_WORD = st.text(WORD_CHARACTERS, max_size=8).filter(
    lambda word: not word.startswith("-") and word not in KEYWORDS and re.search(r"[^\W_]", normalise(word))
)


@given(queries(ANY_WORD))
def test_to_string_round_trips(node: Node) -> None:
    assert parse(to_string(node)) == node


QUERY_PIECES = st.sampled_from(["acme", "Corp", "or", '"acme corp"', '"', *KEYWORDS, "-", "(", ")", "+"])


@given(st.lists(QUERY_PIECES, max_size=20), st.sampled_from(["", " "]))
def test_any_query_parses_to_a_canonical_tree_or_fails_cleanly(pieces: list[str], separator: str) -> None:
    query = separator.join(pieces)
    try:
        node = parse(query)
    except QuerySyntaxError as error:
        position = error.position
    else:
        assert parse(to_string(node)) == node
        return
    assert 0 <= position <= len(query)


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


def _expected_match(node: Node, text: str) -> bool:
    """An independent reading of the rules, by regular expression over the normalised text."""
    match node:
        case Term(words):
            separated = r"[\W_]+".join(map(re.escape, re.findall(r"[^\W_]+", normalise(words))))
            return re.search(rf"(?<![^\W_]){separated}(?![^\W_])", normalise(text)) is not None
        case Not(child):
            return not _expected_match(child, text)
        case And(children):
            return all(_expected_match(child, text) for child in children)
        case Or(children):
            return any(_expected_match(child, text) for child in children)


SOME_WORDS = st.sampled_from(["acme", "Acmé", "ACME", "corp", "brick", "Nestlé", "nestle"])
SEPARATORS = st.sampled_from([" ", "  ", ", ", "-", "'", "_", "s ", "\n"])


@given(
    st.dictionaries(st.integers(0, 50), queries(SOME_WORDS), max_size=4),
    st.lists(st.tuples(SOME_WORDS, SEPARATORS), max_size=12).map(lambda pairs: "".join(map("".join, pairs))),
)
def test_matcher_agrees_with_a_regex_reading_of_the_queries(brands: dict[int, Node], text: str) -> None:
    expected = tuple(sorted(brand_id for brand_id, node in brands.items() if _expected_match(node, text)))
    assert Matcher(brands).match(text) == expected
