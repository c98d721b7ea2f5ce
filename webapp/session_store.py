"""Where Mini App sessions live: Redis when configured, process memory otherwise — the
same store as the chat's conversation state (ttlstore). `add` stores only when the key
is new, atomically, so a replayed initData cannot log in twice even at the same moment.
"""

from __future__ import annotations

from ttlstore import JsonStore, MemoryJsonStore, StoreUnavailable

# The Mini App's names for the shared store.
SessionStore = JsonStore
SessionStoreUnavailable = StoreUnavailable
MemorySessionStore = MemoryJsonStore
