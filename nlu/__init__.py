"""NLU: the Rasa project trained from content, the Rasa server process and a client for its HTTP API."""

from nlu._client import Entity, Parse, RasaClient
from nlu._errors import NLUError, NLUSetupError, NLUUnavailable
from nlu._language import LanguageGuess, LanguageIdentifier
from nlu._server import RasaServer, serves_model
from nlu._training import CITY_ENTITY, OUT_OF_SCOPE_INTENT, PIPELINE_CONFIG, render_training_data, train

__all__ = [
    "CITY_ENTITY", "OUT_OF_SCOPE_INTENT", "Entity", "LanguageGuess", "LanguageIdentifier", "NLUError", "NLUSetupError", "NLUUnavailable", "Parse", "RasaClient", "RasaServer",
    "PIPELINE_CONFIG", "render_training_data", "serves_model", "train",
]
