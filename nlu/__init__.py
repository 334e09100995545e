"""NLU: the Rasa project trained from content, the Rasa server process and a client for its HTTP API."""

from nlu._client import Entity, Parse, RasaClient
from nlu._errors import NLUError, NLUSetupError, NLUUnavailable
from nlu._server import RasaServer, serves_model
from nlu._training import CITY_ENTITY, model_path, render_training_data, train

__all__ = [
    "CITY_ENTITY", "Entity", "NLUError", "NLUSetupError", "NLUUnavailable", "Parse", "RasaClient", "RasaServer",
    "model_path", "render_training_data", "serves_model", "train",
]
