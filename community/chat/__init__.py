"""Chat: direct and group conversations, and one room per group and per event.

- `models`: conversations, members (with their read position), messages (with the
  conversation's seq), reports.
- `services`: every rule (who may be in which conversation, sending with idempotency,
  edits and deletes at a new seq, catch-up, read state, the /chat list). Pages, the JSON
  API and the Socket.IO handlers all call it.
- `sockets`: the live half (rooms, `message:send`, `sync`, `typing`, `read`) and taking a
  member's sockets out of a room on every process.
"""
