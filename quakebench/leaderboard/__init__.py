"""The leaderboard: validated results files, bootstrap intervals, Markdown tables and a page.

* :mod:`~quakebench.leaderboard.bootstrap`: intervals over samples, paired differences;
* :mod:`~quakebench.leaderboard.board`: results grouped by revision and split, ranked;
* :mod:`~quakebench.leaderboard.table`: the tables as pandas frames, written as Markdown;
* :mod:`~quakebench.leaderboard.page`: the self-contained HTML page with figures.
"""
