"""``tcommlint probe URL``: the troubleshooting procedure run against a live deployment.

One module per responsibility: ``options`` (flags and their hard bounds), ``jar`` (the RFC 6265
cookie jar of one simulated browser), ``client`` (one HTTP exchange: TLS, proxies, redirects),
``driver`` (sessions played sequentially or concurrently, rate and time limits), ``observe``
(what the exchanges show, as the facts the TC4xx rules read), ``captcha``, ``compare`` (the
verdict of ``check`` beside the observed one), ``progress`` and ``command`` (the command).
Standard library only; nothing here is imported before ``probe`` runs.
"""
