"""The exception tree of the `nlu` package."""


class NLUError(Exception):
    """Base of every error raised by `nlu`: the server answered with something unusable."""


class NLUUnavailable(NLUError):
    """The Rasa server cannot be reached or did not answer in time."""


class NLUSetupError(NLUError):
    """Rasa cannot be trained or started here (no Rasa environment, no Python 3.10, training failed)."""
