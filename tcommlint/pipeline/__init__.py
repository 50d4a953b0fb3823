"""The load-balancer pipeline model and the chat-session simulator that runs over it."""
