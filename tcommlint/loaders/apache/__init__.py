"""Apache httpd (mod_proxy_balancer) loader: httpd.conf text → the vendor-neutral pipeline."""
