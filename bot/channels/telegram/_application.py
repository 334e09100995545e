"""The Telegram bot's composition root: every handler, the error handler and the Bot API settings in one view."""

from telegram import BotCommand, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.channels.telegram._handlers import CORE_KEY, MESSAGES_KEY, SECRET_KEY, SENDER_KEY, on_attachment, on_button, on_error, on_location, on_text
from bot.channels.telegram._message_log import MessageLog
from bot.channels.telegram._retry import RetryingLimiter
from bot.channels.telegram._sender import OutboxSender
from bot.conversation import ConversationCore
from bot.core.config import Settings
from bot.i18n import LANGUAGES

ATTACHMENTS = (
    filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE | filters.Sticker.ALL
    | filters.Document.ALL | filters.ANIMATION | filters.CONTACT | filters.POLL | filters.Dice.ALL
)
"""Everything a young person can send that the line cannot read; CONTACT because it carries a phone number we must not keep."""
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def build_application(settings: Settings, core: ConversationCore) -> Application:  # type: ignore[type-arg]
    """The whole bot: private chats only; text and commands, buttons, locations and attachments all go to
    the core, whose replies come back through the outbox sender."""
    assert settings.telegram_token is not None
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{settings.telegram_api_base_url.rstrip('/')}/bot")
        .base_file_url(f"{settings.telegram_api_base_url.rstrip('/')}/file/bot")
        .rate_limiter(RetryingLimiter())
        .updater(None)  # updates are fetched by TelegramChannel, which confirms them only once handled
    )
    application = builder.build()
    application.bot_data[CORE_KEY] = core
    application.bot_data[SECRET_KEY] = settings.secret_key
    application.bot_data[MESSAGES_KEY] = sent = MessageLog()
    application.bot_data[SENDER_KEY] = OutboxSender(application.bot, core.outbox, sent)

    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(private & filters.TEXT, on_text))
    application.add_handler(MessageHandler(private & filters.LOCATION, on_location))
    application.add_handler(MessageHandler(private & ATTACHMENTS, on_attachment))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
    return application


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menu in every language (Telegram shows the one matching the user's app language)."""
    core: ConversationCore = application.bot_data[CORE_KEY]
    for language in LANGUAGES:
        commands = [BotCommand(name, description) for name, description in core.command_descriptions(language)]
        await application.bot.set_my_commands(commands, language_code=language.split("-")[0])
    default = core.command_descriptions(core.default_language)
    await application.bot.set_my_commands([BotCommand(name, description) for name, description in default])
