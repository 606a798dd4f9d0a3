"""Brand queries: parse the Boolean query language, match texts against it, and write it back.

A query is terms and "quoted phrases" joined by `OR`, `AND` or nothing (adjacent operands are ANDed),
with exclusions `-x` or `NOT x` and parentheses: `("Acme" OR "Acme Corp") -"acme brick"`. Exclusion binds
tighter than AND, AND tighter than OR; keywords count only in upper case.

Matching ignores case and accents and works on words: runs of Unicode letters and digits, so `_` and
punctuation separate words. Each character of a script written without spaces (Chinese, Japanese, Thai,
Lao, Khmer, Myanmar) is a word of its own, so terms in those scripts match anywhere in a run. A phrase, or
a term with punctuation inside (`AT&T`), matches its words in sequence.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple, assert_never

MAX_QUERY_CHARS: Final = 1000
MAX_TERMS: Final = 100
MAX_DEPTH: Final = 20  # of nested parentheses
KEYWORDS: Final = frozenset({"OR", "AND", "NOT"})

_TOKEN: Final = re.compile(
    r'(?P<space>\s+)|(?P<paren>[()])|"(?P<phrase>[^"]*)"|(?P<quote>")|(?P<minus>-)|[^\s()"]+'
)
_BARE_TERM: Final = re.compile(r'[^\s()"-][^\s()"]*')
_UNSPACED: Final = (  # scripts that do not space words
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003ffff"  # kana, CJK ideographs
)
_WORD: Final = re.compile(rf"(?=[{_UNSPACED}])\w|[^\W_{_UNSPACED}]+")


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a phrase if it was quoted."""

    text: str  # as written in the query; a phrase's spaces are collapsed
    phrase: bool


@dataclass(frozen=True, slots=True)
class And:
    """Every child matches."""

    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Some child matches."""

    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The child does not match."""

    child: "Node"


Node = Term | And | Or | Not


class QuerySyntaxError(ValueError):
    """A query that does not parse: `message` says why, `position` where (a 0-based character offset)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


class _Token(NamedTuple):
    kind: str  # "term", "phrase", "(", ")", "OR", "AND", "NOT" (also for "-"), "end"
    text: str
    pos: int


def _tokens(query: str) -> Iterator[_Token]:
    terms = 0
    for found in _TOKEN.finditer(query):
        kind, text, pos = found.lastgroup, found.group(), found.start()
        if kind == "quote":
            raise QuerySyntaxError("unclosed quote", pos)
        if kind == "minus":
            yield _Token("NOT", text, pos)
        elif kind == "paren" or (kind is None and text in KEYWORDS):
            yield _Token(text, text, pos)
        elif kind != "space":
            terms += 1
            if terms > MAX_TERMS:
                raise QuerySyntaxError(f"more than {MAX_TERMS} terms", pos)
            yield _term_token(found["phrase"], text, pos)
    yield _Token("end", "", len(query))


def _term_token(phrase: str | None, text: str, pos: int) -> _Token:
    if phrase is not None:
        text = " ".join(phrase.split())
        if not text:
            raise QuerySyntaxError("empty phrase", pos)
    if not _words(text):
        raise QuerySyntaxError(f"no letters or digits in {text!r}", pos)
    return _Token("phrase" if phrase is not None else "term", text, pos)


class _Parser:
    """Recursive descent with one token of lookahead; each rule also returns where the part it read is
    made only of exclusions (None when it has a term to match)."""

    def __init__(self, query: str) -> None:
        self._tokens = _tokens(query)
        self.peek = next(self._tokens)
        self._depth = 0

    def _take(self) -> _Token:
        token, self.peek = self.peek, next(self._tokens)
        return token

    def any_of(self, after: _Token | None) -> tuple[Node, int | None]:
        parts = [self._all_of(after)]
        while self.peek.kind == "OR":
            parts.append(self._all_of(self._take()))
        excluded = next((at for _, at in parts if at is not None), None)
        return _joined(Or, [node for node, _ in parts]), excluded

    def _all_of(self, after: _Token | None) -> tuple[Node, int | None]:
        parts = [self._unary(after)]
        while self.peek.kind in {"AND", "NOT", "term", "phrase", "("}:
            parts.append(self._unary(self._take() if self.peek.kind == "AND" else None))
        excluded = None if any(at is None for _, at in parts) else parts[0][1]
        return _joined(And, [node for node, _ in parts]), excluded

    def _unary(self, after: _Token | None) -> tuple[Node, int | None]:
        if self.peek.kind != "NOT":
            return self._primary(after)
        minus = self._take()
        return Not(self._primary(minus)[0]), minus.pos

    def _primary(self, after: _Token | None) -> tuple[Node, int | None]:
        token = self.peek
        if token.kind in {"term", "phrase"}:
            return Term(self._take().text, token.kind == "phrase"), None
        if token.kind != "(":
            raise _missing_operand(after, token)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise QuerySyntaxError(f"nesting deeper than {MAX_DEPTH} levels", token.pos)
        inner = self.any_of(self._take())
        if self.peek.kind != ")":
            raise QuerySyntaxError("unclosed '('", token.pos)
        self._take()
        self._depth -= 1
        return inner


def _missing_operand(after: _Token | None, found: _Token) -> QuerySyntaxError:
    """The error for `found` where a term, phrase or group must come, `after` the token before (if any)."""
    if found.kind in {"OR", "AND"} and (after is None or after.kind == "("):
        return QuerySyntaxError(f"'{found.text}' needs a term before it", found.pos)
    if after is None and found.kind == "end":
        return QuerySyntaxError("empty query", 0)
    if after is None:
        return QuerySyntaxError("unmatched ')'", found.pos)
    if after.kind == "(":
        return QuerySyntaxError("empty parentheses" if found.kind == ")" else "unclosed '('", after.pos)
    if found.kind in KEYWORDS:
        return QuerySyntaxError(f"'{found.text}' right after '{after.text}'", found.pos)
    return QuerySyntaxError(f"'{after.text}' needs a term after it", after.pos)


def _joined(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    if len(parts) == 1:
        return parts[0]
    flat = (child for part in parts for child in (part.children if isinstance(part, kind) else [part]))
    return kind(tuple(flat))


def parse(query: str) -> Node:
    """The query's syntax tree; raises `QuerySyntaxError` for a malformed query, one over the limits
    (`MAX_QUERY_CHARS`, `MAX_TERMS`, `MAX_DEPTH`), or a part made only of exclusions (`-x`, `a OR -x`),
    which would match nearly every text."""
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS)
    parser = _Parser(query)
    node, excluded = parser.any_of(None)
    if parser.peek.kind != "end":
        raise QuerySyntaxError("unmatched ')'", parser.peek.pos)
    if excluded is not None:
        raise QuerySyntaxError("exclusion without a term to match", excluded)
    return node


def to_string(node: Node) -> str:
    """A canonical query for `node`: `parse(to_string(node)) == node` for every node `parse` returns.

    Operands are separated by one space, AND is left implicit, exclusions are written `-x`, and only the
    parentheses precedence needs are kept.
    """
    match node:
        case Term(text, phrase):
            if phrase or text in KEYWORDS or not _BARE_TERM.fullmatch(text):
                return f'"{text}"'
            return text
        case Not(child):
            return "-" + _operand(child, Term)
        case And(children):
            return " ".join(_operand(child, Term, Not) for child in children)
        case Or(children):
            return " OR ".join(_operand(child, Term, Not, And) for child in children)
        case _:
            assert_never(node)


def _operand(node: Node, *bare: type[Node]) -> str:
    return to_string(node) if isinstance(node, bare) else f"({to_string(node)})"


def positive_terms(node: Node) -> tuple[str, ...]:
    """The terms and phrases `node` looks for (those under no exclusion), written as in a query, in order.

    Repeats that differ only in case or accents are left out, so the result can go to a source's search API.
    """
    found: dict[str, str] = {}
    for term in _positive(node):
        found.setdefault(normalise(term.text), to_string(term))
    return tuple(found.values())


def _positive(node: Node) -> Iterator[Term]:
    match node:
        case Term():
            yield node
        case And(children) | Or(children):
            for child in children:
                yield from _positive(child)


class _DropMarks(dict[int, int | None]):
    """A `str.translate` table that drops combining marks, filled in as code points turn up."""

    def __missing__(self, code: int) -> int | None:
        self[code] = None if unicodedata.category(chr(code)).startswith("M") else code
        return self[code]


_DROP_MARKS: Final = _DropMarks()


def normalise(text: str) -> str:
    """`text` with case and accents folded away: NFKD, combining marks dropped, casefolded."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_DROP_MARKS).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


class _Text:
    """A text as its words, ready for the terms of every brand."""

    __slots__ = ("vocabulary", "words")

    def __init__(self, text: str) -> None:
        self.words = _words(text)
        self.vocabulary = frozenset(self.words)

    def has(self, words: tuple[str, ...]) -> bool:
        """Whether the text holds `words` in sequence."""
        if not self.vocabulary.issuperset(words):
            return False
        size = len(words)
        starts = (at for at, word in enumerate(self.words) if word == words[0])
        return any(tuple(self.words[at : at + size]) == words for at in starts)


_Test = Callable[[_Text], bool]


def _compiled(node: Node) -> _Test:
    match node:
        case Term():
            words = tuple(_words(node.text))
            if len(words) == 1:
                return lambda text: words[0] in text.vocabulary
            return lambda text: text.has(words)
        case Not(child):
            test = _compiled(child)
            return lambda text: not test(text)
        case And(children):
            tests = tuple(map(_compiled, children))
            return lambda text: all(test(text) for test in tests)
        case Or(children):
            tests = tuple(map(_compiled, children))
            return lambda text: any(test(text) for test in tests)
        case _:
            assert_never(node)


class Matcher:
    """The queries of many brands, compiled once to match many texts.

    A query is a string or a `Node`; a node is checked by the same rules as a string (via `to_string`).
    A text is tokenised once per `match`, and only the brands it holds a wanted word of are tested.
    """

    def __init__(self, queries: Mapping[int, str | Node]) -> None:
        self._tests: dict[int, _Test] = {}
        self._brands_by_word: dict[str, set[int]] = {}  # the first word of each positive term
        for brand_id, query in queries.items():
            try:
                node = parse(query if isinstance(query, str) else to_string(query))
            except QuerySyntaxError as error:
                error.add_note(f"in the query of brand {brand_id}")
                raise
            self._tests[brand_id] = _compiled(node)
            for term in _positive(node):
                self._brands_by_word.setdefault(_words(term.text)[0], set()).add(brand_id)

    def match(self, text: str) -> tuple[int, ...]:
        """The sorted ids of the brands whose query matches `text`."""
        words = _Text(text)
        wanted = self._brands_by_word.keys() & words.vocabulary
        candidates = set[int]().union(*(self._brands_by_word[word] for word in wanted))
        return tuple(brand_id for brand_id in sorted(candidates) if self._tests[brand_id](words))
