"""Events: organisers post activities; members RSVP with their guests, seats never overbook.

This package holds the domain model (`models.py`), the verbs (`services.py`: create, update
and cancel an event; RSVP, change the party, cancel, promote from the waitlist) and the demo
events (`demo.py`). Pages, API endpoints and calendars build on these services.
"""
