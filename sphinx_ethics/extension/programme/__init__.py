"""The Sphinx side of a programme: the ``ethics-programme`` directive (:mod:`.directive`)
and what each project's build gives a programme (:mod:`.site`: report schema 3's
header, review addresses, ``ethics-calendar.ics``)."""
