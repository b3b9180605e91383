"""Acting on VirusTotal from the shell: submit, re-analyse, comment, vote, download, quota.

Every write asks first (``prompt.require``; scripts pass ``--yes``) and says what will
be shared. Results go to stdout (text, or JSON with ``--format json``); notes, progress
and errors go to stderr. Strings from VirusTotal are cleaned before they are printed.

The commands live in :mod:`.submit`, :mod:`.community`, :mod:`.pcap` and
:mod:`.account`; importing this module registers them, in this order (``vttui --help``).
"""

# One import a line, in the order ``vttui --help`` lists the commands (isort would reorder).
from . import submit  # noqa: I001, F401  (submit, reanalyse, analysis)
from . import community  # noqa: F401  (comment, vote, comments, votes)
from . import pcap  # noqa: F401  (pcap)
from . import account  # noqa: F401  (quota)
