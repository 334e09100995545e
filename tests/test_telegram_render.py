"""Turning the core's replies into Telegram messages: split within 4096 characters at natural
bounds, right-to-left lines marked, buttons within Telegram's callback limit."""

import pytest

from bot.channels.telegram._render import RIGHT_TO_LEFT_MARK, render_turn
from bot.channels.text_split import split_text
from bot.conversation import Button, Reply, Turn

SENTENCE = "Du har rätt att få hjälp av en jurist. "


def test_a_short_text_is_one_part() -> None:
    assert split_text("Hej! Hur mår du?", limit=4096) == ["Hej! Hur mår du?"]


def test_a_long_text_is_split_at_sentence_bounds_and_nothing_is_lost() -> None:
    text = SENTENCE * 300
    parts = split_text(text, limit=4096)
    assert len(parts) == 3
    assert all(len(part) <= 4096 and part.endswith(".") for part in parts)
    assert " ".join(parts) == text.strip()


def test_paragraphs_are_preferred_to_sentences() -> None:
    first, second = "A. " * 700, "B. " * 700
    parts = split_text(f"{first.strip()}\n\n{second.strip()}", limit=4096)
    assert parts == [first.strip(), second.strip()]


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_text("x" * 10, limit=4) == ["xxxx", "xxxx", "xx"]


def test_arabic_sentences_end_at_the_arabic_question_mark() -> None:
    parts = split_text("هل أنت بخير؟ " * 400, limit=1000)
    assert all(part.endswith("؟") for part in parts)


def test_right_to_left_replies_are_marked_on_every_line_and_every_part() -> None:
    text = "\n".join(["• https://www.migrationsverket.se سطر"] * 300)
    turn = Turn(replies=(Reply(text, (Button("إنسان", "cmd:human"),)),), language="ar", direction="rtl")
    messages = render_turn(turn)
    assert len(messages) > 1
    assert all(len(message.text) <= 4096 for message in messages)
    assert all(line.startswith(RIGHT_TO_LEFT_MARK) for message in messages for line in message.text.split("\n"))
    assert [message.keyboard is not None for message in messages] == [False] * (len(messages) - 1) + [True]


def test_left_to_right_replies_are_left_alone() -> None:
    [message] = render_turn(Turn(replies=(Reply("• Hej"),), language="sv", direction="ltr"))
    assert message.text == "• Hej" and message.keyboard is None


def test_a_payload_over_64_bytes_is_refused() -> None:
    turn = Turn(replies=(Reply("x", (Button("x", "topic:" + "å" * 40),)),), language="sv", direction="ltr")
    with pytest.raises(ValueError, match="64-byte"):
        render_turn(turn)
