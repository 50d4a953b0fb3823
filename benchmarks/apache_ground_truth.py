"""Run the Apache httpd ground-truth matrix and print what a real apache2 did with each
configuration, beside tcommlint's verdict (``benchmarks/server_ground_truth.py`` describes the
table).

Usage: ``python benchmarks/apache_ground_truth.py [--only ID ...] [--no-tcommlint]``
"""

from __future__ import annotations

import sys

from server_ground_truth import main_for

if __name__ == "__main__":
    sys.exit(main_for("matrix_apache", "APACHE", "apache", "Apache", sys.argv[1:]))
