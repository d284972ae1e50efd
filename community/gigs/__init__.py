"""Gigs: short-term and remote work, freelance projects, volunteering and internships, and
the applications to them (see `models` for who may see what)."""
