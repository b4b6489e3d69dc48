"""Errors raised by the knowledge side. Callers translate them once, at their edge."""


class IndexError_(Exception):
    """Base class for every error the index package raises on purpose."""


class ParseError(IndexError_):
    """An input file or record could not be read as an article; the message names it."""


class EmbedderUnavailable(IndexError_):
    """The packaged embedding model could not be loaded."""


class EntityModelUnavailable(IndexError_):
    """The packaged spaCy NER model could not be loaded."""


class StoreUnavailable(IndexError_):
    """The vector store (embedded Chroma or a Chroma server) cannot be reached."""


class IdConflict(IndexError_):
    """A record's id is the slug of another article's (different) raw id: refused, never a replace."""


class ArticleNotFound(IndexError_):
    """No article with that id is indexed."""


# A readable public name; the trailing underscore avoids shadowing the builtin IndexError.
BriefbotIndexError = IndexError_
