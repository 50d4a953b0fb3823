"""Run the nginx ground-truth matrix and print what a real nginx did with each configuration,
beside tcommlint's verdict (``benchmarks/server_ground_truth.py`` describes the table).

Usage: ``python benchmarks/nginx_ground_truth.py [--only ID ...] [--no-tcommlint]``
"""

from __future__ import annotations

import sys

from server_ground_truth import main_for

if __name__ == "__main__":
    sys.exit(main_for("matrix_nginx", "NGINX", "nginx", "nginx", sys.argv[1:]))
