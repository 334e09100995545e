"""What the simulated young people say: training example questions from content/, and which buttons they press.

Topics that bring a person in (crisis, talk_to_human, exploitation_risk) are left out, and so is every
example the crisis safety net hears as a crisis: each simulated conversation stays with the bot, so
every run measures the same path and the queue does not fill up.
"""

import random
from dataclasses import dataclass, field

from bot.content import Content
from bot.content._safety import SafetySignal

LEFT_OUT_TOPICS = frozenset({"crisis", "talk_to_human", "exploitation_risk"})
SAFE_PREFIXES = ("topic:", "cmd:menu", "cmd:help", "city:")


@dataclass
class Script:
    """One simulated young person's language, the questions they ask and the topics they tap, in a fixed random order."""

    language: str
    texts: list[str]
    topics: list[str]
    _chance: random.Random = field(default_factory=random.Random)
    _turn: int = 0

    def next_text(self) -> str:
        """The next free-text question."""
        self._turn += 1
        return self.texts[self._turn % len(self.texts)]

    def next_topic(self) -> str:
        """A topic to tap (for a channel without buttons of its own, like Rasa's REST channel)."""
        self._turn += 1
        return self.topics[self._turn % len(self.topics)]

    def pick_button(self, payloads: list[str]) -> str:
        """A button of the last reply to press: a topic, the menu, help or a city; the menu if there is none."""
        allowed = [p for p in payloads if p.startswith(SAFE_PREFIXES) and p.removeprefix("topic:") not in LEFT_OUT_TOPICS]
        return self._chance.choice(allowed) if allowed else "cmd:menu"


def _heard_by_safety_net(signal: SafetySignal) -> bool:
    return signal.crisis is not None or signal.exploitation is not None


def scripts(content: Content, count: int, *, seed: int = 20261126) -> list[Script]:
    """`count` scripts, languages taken in turn (each with its own shuffled questions)."""
    safety = content.safety
    topics = sorted(topic_id for topic_id in content.topics if topic_id not in LEFT_OUT_TOPICS)
    languages = sorted({language for topic in content.topics.values() for language in topic.translations})
    per_language = {
        language: [
            example for topic_id in topics for example in content.topics[topic_id].translations[language].examples
            if not _heard_by_safety_net(safety.check(example))
        ]
        for language in languages
    }
    made = []
    for index in range(count):
        chance = random.Random(seed + index)
        language = languages[index % len(languages)]
        texts = chance.sample(per_language[language], k=min(200, len(per_language[language])))
        made.append(Script(language, texts, chance.sample(topics, k=len(topics)), chance))
    return made
