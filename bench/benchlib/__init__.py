"""Helpers for bench/peers: the side-by-side comparison of textclass with its peers.

One module per job: corpora (tasks and splits), convert (each tool's input format), measure
(running a command under /usr/bin/time), metrics (the one evaluation function), systems (the
peers behind one interface), skjobs (the scikit-learn work run as child processes), report
(the tables).
"""
