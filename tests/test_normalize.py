from hypothesis import given, strategies as st

from dedup.normalize import normalize, words


def test_words_fold_case_width_and_punctuation():
    assert words("Kaiser’s ﬁrst STRIKE — 60 days!") == ["kaiser", "s", "first", "strike", "60", "days"]
    # Full-width digits and letters are NFKC-equal to plain ones; non-breaking space separates.
    assert words("ＡＢＣ\u00a0１２３") == ["abc", "123"]
    assert words("snake_case-word") == ["snake", "case", "word"]


def test_normalize_joins_with_single_spaces():
    assert normalize("  Hello,\n\n  WORLD!!  ") == "hello world"
    assert normalize("...") == ""


def test_punctuation_and_whitespace_only_edits_normalize_equal():
    a = "Kaiser workers, who struck Thursday, said: “enough.”"
    b = "Kaiser  workers who struck Thursday said enough"
    assert normalize(a) == normalize(b)


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_words_are_nonempty_and_spaceless(text):
    for w in words(text):
        assert w and not any(ch.isspace() for ch in w)
