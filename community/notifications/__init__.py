"""In-app notifications: records now, shown live over Socket.IO by the notifications issue."""
