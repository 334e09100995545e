"""What the bot understands of free text, through Rasa: city entities in every script, the language, crisis."""

import pytest

from bot.conversation import ConversationCore


@pytest.mark.parametrize(("message", "city"), [
    ("finns det ett tryggt ställe i Göteborgs centrum", "goteborg"),
    ("is there a safe place in Stokholm", "stockholm"),
    ("مکان امن در ستوکهلم کجاست", "stockholm"),
    ("ኣብ ስቶክሆልም ውሑስ ቦታ ኣሎ ድዩ", "stockholm"),
    ("هل يوجد مكان آمن في مالمو", "malmo"),
    ("meel ammaan ah ma ku jiraa Uppsala", "uppsala"),
])
async def test_city_entities_in_every_script(core: ConversationCore, message: str, city: str) -> None:
    understood = await core.understand(message)
    assert understood.city == city


@pytest.mark.parametrize(("message", "language"), [
    ("jag har fått avslag och vet inte vad jag ska göra", "sv"),
    ("I got a negative decision and I do not know what to do", "en"),
    ("حصلت على رفض ولا أعرف ماذا أفعل", "ar"),
    ("من جواب منفی گرفتم و نمی‌دانم چه کنم", "fa-AF"),
    ("ما ته منفي ځواب راغلی او نه پوهیږم چې څه وکړم", "ps"),
    ("waxaan helay go'aan diidmo ah mana garanayo waxa aan sameeyo", "so"),
    ("ኣሉታዊ መልሲ ረኺበ እንታይ ከም ዝገብር ኣይፈልጥን", "ti"),
])
async def test_the_language_written_is_identified(core: ConversationCore, message: str, language: str) -> None:
    understood = await core.understand(message)
    assert understood.language is not None and understood.language.language == language
