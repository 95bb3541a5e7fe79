"""Exit statuses of every ``dashlib`` command, defined once.

0
    Done: the package is valid, the file was written, every place was resolved.
1
    Done, but the data is not as it should be: the package has problems, some places stay
    unresolved.
2
    Not done: the input cannot be read, an argument is wrong, or the output would overwrite a
    file without ``--force``.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNUSABLE = 2
