"""Loading, chunking, embedding and indexing of planning documents."""

from assistant import privacy as _privacy

_privacy.apply()
