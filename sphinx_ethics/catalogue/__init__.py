"""The checklist catalogue: the guide's questions and a team's own, as data.

The lowest layer: YAML files read safely, checked against the schema and
built into small frozen objects. Import the model and the loaders from
here (:mod:`.loader` names them); nothing here imports another layer.
"""

from sphinx_ethics.catalogue.loader import *  # noqa: F403
from sphinx_ethics.catalogue.loader import __all__  # noqa: F401
