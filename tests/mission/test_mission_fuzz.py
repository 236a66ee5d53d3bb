"""Fuzzing the mission loader: whatever the document, the answer is a mission or a MissionError.

Valid missions are mutated at random key paths (a key deleted or added, a value of another
type, a list shortened or lengthened, ids swapped); raw text and bytes are fed to the file
loader. No input may raise anything but ``MissionError``, and every problem is one line that
starts with the file name.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from missionkit import FILE, ORBIT_SINGLE, assert_one_line, base, rich_base, validate

from dronecine.mission import LoadedMission, MissionError, load_mission

Path_ = tuple[str | int, ...]

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_BASES = (base(), rich_base())

# Keys and strings worth trying: ids of the base documents, keys with units, odd text.
_WORDS = st.sampled_from(
    [
        "ada",
        "bob",
        "solo",
        "duo",
        "circler",
        "orbit",
        "stand",
        "meet",
        "waypoints",
        "random_walk",
        "script",
        "ceiling_ft",
        "radius_m",
        "speed_mph",
        "class",
        "",
        "a\nb",
        "30 m",
        "udp://:1",
    ]
)
_KEYS = st.one_of(_WORDS, st.text(max_size=12), st.integers(-3, 3), st.none(), st.booleans())
_SCALARS = st.one_of(
    _WORDS,
    st.text(max_size=16),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # nan, inf and huge included
    st.floats(min_value=-300, max_value=300),  # plausible values reach the later stages
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 0, 1, 2**63, 10**400]),
    st.booleans(),
    st.none(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=6,
)


def _walk(node: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Every (path, value) of the document, the root included."""
    found = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _walk(value, (*path, i))
    return found


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _parent(doc: Any, path: Path_) -> Any:
    return _get(doc, path[:-1])


def _delete(data: st.DataObject, doc: Any) -> Any:
    paths = [p for p, _ in _walk(doc) if p]
    if paths:
        path = data.draw(st.sampled_from(paths), label="delete")
        del _parent(doc, path)[path[-1]]
    return doc


def _add_key(data: st.DataObject, doc: Any) -> Any:
    paths = [p for p, v in _walk(doc) if isinstance(v, dict)]
    if paths:
        path = data.draw(st.sampled_from(paths), label="add key under")
        node = _get(doc, path)
        node[data.draw(_KEYS, label="key")] = data.draw(_VALUES, label="value")
    return doc


def _replace(data: st.DataObject, doc: Any) -> Any:
    path = data.draw(st.sampled_from([p for p, _ in _walk(doc)]), label="replace")
    value = data.draw(_VALUES, label="with")
    if not path:
        return value
    _parent(doc, path)[path[-1]] = value
    return doc


def _resize(data: st.DataObject, doc: Any) -> Any:
    paths = [p for p, v in _walk(doc) if isinstance(v, list)]
    if not paths:
        return doc
    path = data.draw(st.sampled_from(paths), label="resize")
    items = _get(doc, path)
    how = data.draw(st.sampled_from(["drop", "duplicate", "clear"]), label="how")
    if how == "clear":
        items.clear()
    elif items:
        i = data.draw(st.integers(0, len(items) - 1), label="item")
        if how == "drop":
            del items[i]
        else:
            items.insert(i, copy.deepcopy(items[i]))
    return doc


def _swap(data: st.DataObject, doc: Any) -> Any:
    """Swap two text values (ids and references, mostly), or copy one over another."""
    texts = [p for p, v in _walk(doc) if p and isinstance(v, str)]
    if len(texts) < 2:
        return doc
    a, b = data.draw(st.lists(st.sampled_from(texts), min_size=2, max_size=2, unique=True), label="swap")
    pa, pb = _parent(doc, a), _parent(doc, b)
    if data.draw(st.booleans(), label="copy instead"):
        pa[a[-1]] = pb[b[-1]]
    else:
        pa[a[-1]], pb[b[-1]] = pb[b[-1]], pa[a[-1]]
    return doc


def _nudge(data: st.DataObject, doc: Any) -> Any:
    """A number set to another plausible number: the document often stays well-formed and reaches
    the reference, geometry and feasibility checks with values nobody wrote by hand."""
    numbers = [p for p, v in _walk(doc) if p and isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers:
        path = data.draw(st.sampled_from(numbers), label="nudge")
        old = _get(doc, path)
        new = data.draw(st.one_of(st.floats(-300, 300), st.sampled_from([0, -old, old * 10, old / 10, old + 0.5])))
        _parent(doc, path)[path[-1]] = new
    return doc


_MUTATIONS = (_delete, _add_key, _replace, _resize, _swap, _nudge)


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    data = draw(st.data())
    doc = copy.deepcopy(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(_MUTATIONS))
        doc = mutation(data, doc)
    return doc


def _outcome(load: Any, file: str) -> LoadedMission | tuple[str, ...]:
    """The loaded mission, or the problems' lines; anything but MissionError propagates."""
    try:
        return load()
    except MissionError as error:
        assert error.problems
        for problem in error.problems:
            assert_one_line(problem, file)
        return tuple(str(p) for p in error.problems)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "m.yaml"


@FUZZ
@given(doc=mutated_documents())
def test_mutated_document_gives_a_mission_or_a_mission_error(doc: Any, fuzz_file: Path) -> None:
    in_memory = _outcome(lambda: validate(doc), FILE)
    event("valid" if isinstance(in_memory, LoadedMission) else f"invalid: {in_memory[0].split(': ')[1].split('[')[0]}")
    # The same document through a real file: YAML text, line numbers, the file loader.
    fuzz_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    from_file = _outcome(lambda: load_mission(fuzz_file), str(fuzz_file))
    assert isinstance(in_memory, LoadedMission) == isinstance(from_file, LoadedMission), (in_memory, from_file)


_YAMLISH = st.text(alphabet=st.sampled_from([*"ab1.:-[]{}?,#&*!|>'\"%@ \t\n\\", "\ufeff", "é", "\x00"]))


@FUZZ
@given(text=st.one_of(st.text(), _YAMLISH))
def test_random_text_file_gives_a_mission_error(text: str, fuzz_file: Path) -> None:
    fuzz_file.write_text(text, encoding="utf-8")
    outcome = _outcome(lambda: load_mission(fuzz_file), str(fuzz_file))
    assert not isinstance(outcome, LoadedMission)


_ORBIT_TEXT = ORBIT_SINGLE.read_text(encoding="utf-8")


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_ORBIT_TEXT)), st.integers(0, 8), _YAMLISH.filter(lambda t: len(t) < 8)),
        min_size=1,
        max_size=3,
    )
)
def test_edited_mission_text_gives_a_mission_or_a_mission_error(
    edits: list[tuple[int, int, str]], fuzz_file: Path
) -> None:
    """Typing errors in a real file: a few characters replaced somewhere in orbit_single.yaml."""
    text = _ORBIT_TEXT
    for at, length, insert in edits:
        text = text[:at] + insert + text[at + length :]
    fuzz_file.write_text(text, encoding="utf-8")
    outcome = _outcome(lambda: load_mission(fuzz_file), str(fuzz_file))
    event("valid" if isinstance(outcome, LoadedMission) else "invalid")


@FUZZ
@given(raw=st.binary())
def test_random_bytes_file_gives_a_mission_error(raw: bytes, fuzz_file: Path) -> None:
    fuzz_file.write_bytes(raw)
    outcome = _outcome(lambda: load_mission(fuzz_file), str(fuzz_file))
    assert not isinstance(outcome, LoadedMission)


@FUZZ
@given(value=_VALUES)
def test_any_value_as_the_whole_document_gives_a_mission_error(value: Any) -> None:
    outcome = _outcome(lambda: validate(value), FILE)
    assert not isinstance(outcome, LoadedMission)


def test_the_fuzz_bases_are_valid() -> None:
    for doc in _BASES:
        assert isinstance(validate(copy.deepcopy(doc)), LoadedMission)
