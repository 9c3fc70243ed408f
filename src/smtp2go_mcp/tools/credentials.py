"""API keys, IP-authenticated senders, the IP allow list switch and dedicated IPs."""
