"""Validate a data package folder: descriptor, files, tables, keys, cross-table rules, Parquet twins.

:func:`validate_package` reports **every** problem it finds, each with file,
row, field, value and rule (a code of :data:`cecot_data.errors.PROBLEM_CODES`).
Input that cannot be checked at all raises
:class:`~cecot_data.errors.UnusableInputError` (exit code 2).

Tables are checked column by column with pyarrow, streaming in record batches;
a file whose structure pyarrow cannot read (ragged rows, a broken quote,
invalid UTF-8) is re-read row by row with the models, which can say exactly
where it breaks. The rules in both cases are the models' own. One concern per module:

- :mod:`.descriptor`: the descriptor, read strictly, and its structure;
- :mod:`.files`: resource paths kept inside the package, sizes and hashes;
- :mod:`.run`: the run itself and its :class:`Report`;
- :mod:`.keys`: primary and foreign keys; :mod:`.cross_table`: rules across tables;
- :mod:`.cells`: the checks of one column; :mod:`.row_rules`: row rules on whole columns;
- :mod:`.batches`: one record batch, every check; :mod:`.parquet`: the Parquet twin;
- :mod:`.ranges`: large files cut into byte ranges checked on separate threads.
"""

from __future__ import annotations

from ..constants import DESCRIPTOR_NAME, V2_PROFILE
from ..errors import UnusableInputError
from .cross_table import CROSS_TABLE_RULES, CrossTableRule
from .descriptor import descriptor_problems, load_descriptor
from .run import Report, needed_columns, validate_package

__all__ = [
    "CROSS_TABLE_RULES",
    "DESCRIPTOR_NAME",
    "V2_PROFILE",
    "CrossTableRule",
    "Report",
    "UnusableInputError",
    "descriptor_problems",
    "load_descriptor",
    "needed_columns",
    "validate_package",
]
