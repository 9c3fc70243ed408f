"""api_keys/*, ip_auth/*, ip_allow_list (switch and edit) and dedicated_ips/view."""
