"""The FastAPI app: the web chat, the counsellor console and the Telegram webhook live here."""
